package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/local/internal/recorder"
)

// members are who the try routes act as (?as=name): two holders of the demo's deploy role and
// one without it.
func members() map[string]caller.Member {
	return map[string]caller.Member{
		"minji": {UserID: "1000000000000000042", Username: "minji", Roles: []string{demo.DeployRoleID}},
		"jun":   {UserID: "1000000000000000043", Username: "jun", Roles: []string{demo.DeployRoleID}},
		"guest": {UserID: "1000000000000000044", Username: "guest", Roles: []string{demo.OtherRoleID}},
	}
}

// tryHandler adds, in front of the suite's routes, two routes that stand in for a Discord
// client when Discord is the local recorder: POST /local/command with a slash command as text
// ("/status service:ec2 target:app=web") and POST /local/click?message=ID&button=Approve. Each
// is signed with the demo key and sent through POST /interactions like any request; the answer
// is what Discord then shows, once the suite is idle.
func (l *Local) tryHandler(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.HandleFunc("POST /local/command", func(w http.ResponseWriter, r *http.Request) {
		m, ok := l.member(w, r)
		if !ok {
			return
		}
		text, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		name, opts, err := parseCommand(string(text))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		l.try(w, r.Context(), l.tryCaller().Command(m, name, opts...))
	})
	mux.HandleFunc("POST /local/click", func(w http.ResponseWriter, r *http.Request) {
		m, ok := l.member(w, r)
		if !ok {
			return
		}
		msg, found := l.Discord.Message(r.URL.Query().Get("message"))
		if !found {
			http.Error(w, "no message "+r.URL.Query().Get("message")+" in the local Discord", http.StatusNotFound)
			return
		}
		label := r.URL.Query().Get("button")
		for _, row := range msg.Components {
			for _, c := range row.Components {
				if c.CustomID != "" && strings.EqualFold(c.Label, label) {
					l.try(w, r.Context(), l.tryCaller().Button(m, c.CustomID, msg))
					return
				}
			}
		}
		http.Error(w, fmt.Sprintf("message %s has no button %q", msg.ID, label), http.StatusNotFound)
	})
	return mux
}

func (l *Local) tryCaller() *caller.Discord {
	return &caller.Discord{URL: l.URL, Signer: demo.Signer(), AppID: l.Contract["DISCORD_APPLICATION_ID"],
		GuildID: demo.GuildID, ChannelID: l.Contract["DISCORD_CHANNEL_ID"]}
}

func (l *Local) member(w http.ResponseWriter, r *http.Request) (caller.Member, bool) {
	as := r.URL.Query().Get("as")
	if as == "" {
		as = "minji"
	}
	m, ok := members()[as]
	if !ok {
		http.Error(w, "?as= is minji or jun (deploy role) or guest (no role)", http.StatusBadRequest)
	}
	return m, ok
}

func (l *Local) try(w http.ResponseWriter, ctx context.Context, in caller.Interaction) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	a, err := l.tryCaller().Send(ctx, in.Body)
	if err == nil {
		err = l.Idle(ctx)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	m, ok := l.Discord.Original(in.Token)
	if !ok {
		fmt.Fprintf(w, "the endpoint answered HTTP %d %s\n", a.Status, a.Body)
		return
	}
	fmt.Fprintf(w, "message %s\n%s", m.ID, recorder.Render(m, false))
}

// parseCommand reads "/name option:value ...": values that are whole numbers are sent as
// integers, as Discord sends integer options.
func parseCommand(text string) (string, []caller.Option, error) {
	fields := strings.Fields(strings.TrimSpace(text))
	if len(fields) == 0 || !strings.HasPrefix(fields[0], "/") || len(fields[0]) < 2 {
		return "", nil, fmt.Errorf("want a command such as /status service:ec2 target:app=web")
	}
	var opts []caller.Option
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, ":")
		if !ok || k == "" {
			return "", nil, fmt.Errorf("option %q: want name:value", f)
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			opts = append(opts, caller.Option{Name: k, Value: n})
			continue
		}
		opts = append(opts, caller.Option{Name: k, Value: v})
	}
	return fields[0][1:], opts, nil
}
