package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/local/internal/recorder"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
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
// is what Discord then shows, once the suite is idle. A third stands in for GitHub:
// POST /local/webhook?event=pull_request.opened (tryWebhook).
func (l *Local) tryHandler(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.HandleFunc("POST /local/command", func(w http.ResponseWriter, r *http.Request) {
		m, ok := l.member(w, r)
		if !ok {
			return
		}
		text, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		name, opts, err := parseCommand(string(text), l.commands())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		l.try(w, r.Context(), l.tryCaller().Command(m, name, opts...))
	})
	mux.HandleFunc("POST /local/webhook", l.tryWebhook)
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
				// By its label, or by the action its custom_id names ("deploy:approve:…"), which
				// stays the same whatever language the label is in.
				if c.CustomID != "" && (strings.EqualFold(c.Label, label) || strings.Contains(c.CustomID, ":"+strings.ToLower(label)+":")) {
					l.try(w, r.Context(), l.tryCaller().Button(m, c.CustomID, msg))
					return
				}
			}
		}
		http.Error(w, fmt.Sprintf("message %s has no button %q", msg.ID, label), http.StatusNotFound)
	})
	return mux
}

// directory is what the local Discord knows of the demo server: the members the try routes
// and the tour act as, the demo's roles and channel, and the team's time zone.
func directory(contract map[string]string, ansi bool) recorder.Directory {
	d := recorder.Directory{Users: map[string]string{}, ANSI: ansi, Korean: contract["CHATOPS_LANGUAGE"] == "ko",
		Roles:    map[string]string{demo.DeployRoleID: "deployers", demo.OtherRoleID: "on-call"},
		Channels: map[string]string{demo.ChannelID: "ops", contract["DISCORD_CHANNEL_ID"]: "ops"},
	}
	for _, m := range members() {
		d.Users[m.UserID] = m.Username
	}
	d.Location, _ = time.LoadLocation(contract["REPORT_TIMEZONE"]) // checked by resolve; nil is UTC
	return d
}

// commands are the slash commands registered in the local Discord's demo guild (Start
// registers them as make register does).
func (l *Local) commands() []discord.Command {
	var defs []discord.Command
	for _, raw := range l.Discord.Commands(demo.GuildID) {
		var c discord.Command
		if json.Unmarshal(raw, &c) == nil {
			defs = append(defs, c)
		}
	}
	return defs
}

// TryWorker is the caller.Discord Worker of the try routes; other callers of one runner (the
// tour, the tests) take others.
const TryWorker = 2

// tryCaller is the Discord client the try routes send as, one for the runner.
func (l *Local) tryCaller() *caller.Discord {
	l.tryOnce.Do(func() {
		l.tryDiscord = &caller.Discord{URL: l.URL, Signer: demo.Signer(), AppID: l.Contract["DISCORD_APPLICATION_ID"],
			GuildID: demo.GuildID, ChannelID: l.Contract["DISCORD_CHANNEL_ID"], Worker: TryWorker}
	})
	return l.tryDiscord
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
	var a caller.Answer
	if err := l.settle(ctx, func(ctx context.Context) (err error) {
		a, err = l.tryCaller().Send(ctx, in.Body)
		return err
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	m, ok := l.Discord.Original(in.Token)
	if !ok {
		fmt.Fprintf(w, "the endpoint answered HTTP %d %s\n", a.Status, a.Body)
		return
	}
	fmt.Fprintf(w, "message %s\n%s", m.ID, l.Discord.Render(m, false))
}

// settle runs send, then waits until the suite has done what it started, within a minute.
func (l *Local) settle(ctx context.Context, send func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := send(ctx); err != nil {
		return err
	}
	return l.Idle(ctx)
}

// tryWebhook sends github-webhook a recorded delivery, chosen by name
// (?event=pull_request.opened; githubapptest.PayloadNames lists them), about the configured
// repository, signed with the webhook secret as GitHub signs it, through POST /github. The
// answer is github-webhook's, then what Discord shows because of it once the suite is idle.
func (l *Local) tryWebhook(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("event")
	payload, err := githubapptest.ReadPayload(name)
	if err != nil {
		http.Error(w, fmt.Sprintf("?event= is one of the recorded deliveries: %s", strings.Join(githubapptest.PayloadNames(), ", ")), http.StatusBadRequest)
		return
	}
	if payload, err = caller.AboutRepository(payload, l.Contract["GITHUB_REPOSITORY"]); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	event, _, _ := strings.Cut(name, ".")
	seen := len(l.Discord.Records())
	var a caller.Answer
	var delivery string
	if err := l.settle(r.Context(), func(ctx context.Context) (err error) {
		a, delivery, err = (&caller.GitHub{URL: l.URL, Secret: l.WebhookSecret}).Send(ctx, event, payload)
		return err
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "delivery %s (%s): github-webhook answered HTTP %d %s\n", delivery, event, a.Status, strings.TrimSpace(string(a.Body)))
	for _, rec := range l.Discord.Records()[seen:] {
		if rec.Kind == discordtest.KindCreate || rec.Kind == discordtest.KindEdit {
			fmt.Fprintf(w, "message %s in #%s\n%s", rec.MessageID, l.Discord.ChannelName(rec.ChannelID), l.Discord.Render(rec.Message, false))
		}
	}
}
