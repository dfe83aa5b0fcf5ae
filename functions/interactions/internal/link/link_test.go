package link

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/people"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	allowedRole = "300000000000000001"
	invoker     = "200000000000000001"
	clientID    = "Iv23liTestClient"
)

var received = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

// github is a stand-in for GitHub's device flow: each device code request hands out the next
// code, each poll of a code takes the next of its scripted answers (the last one repeats), and
// GET /user knows one token. It keeps when each code was polled, on the test's clock.
type github struct {
	t     *testing.T
	now   func() time.Time
	mu    sync.Mutex
	codes []string
	// answers are each device code's poll answers, as JSON.
	answers map[string][]string
	polls   map[string][]time.Time
}

func (g *github) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodGet && r.URL.Path == "/user" {
		if r.Header.Get("Authorization") != "Bearer ghu_member" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message": "Bad credentials"}`)
			return
		}
		fmt.Fprint(w, `{"login": "MinJi-K", "id": 1}`)
		return
	}
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost || r.Header.Get("Accept") != "application/json" ||
		r.PostForm.Get("client_id") != clientID {
		g.t.Errorf("%s %s with %v (Accept %q): want a form POST with the client id, JSON accepted", r.Method, r.URL.Path, r.PostForm, r.Header.Get("Accept"))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	switch r.URL.Path {
	case "/login/device/code":
		if len(g.codes) == 0 { // as GitHub answers an unknown client id
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error": "Not Found"}`)
			return
		}
		code := g.codes[0]
		g.codes = g.codes[1:]
		fmt.Fprintf(w, `{"device_code": %q, "user_code": "WDJB-MJHT", "verification_uri": "https://github.com/login/device", "expires_in": 900, "interval": 5}`, code)
	case "/login/oauth/access_token":
		if got := r.PostForm.Get("grant_type"); got != "urn:ietf:params:oauth:grant-type:device_code" {
			g.t.Errorf("grant_type %q", got)
		}
		code := r.PostForm.Get("device_code")
		g.polls[code] = append(g.polls[code], g.now())
		answers := g.answers[code]
		if len(answers) == 0 {
			g.t.Errorf("poll of unknown device code %q", code)
			fmt.Fprint(w, `{"error": "incorrect_device_code"}`)
			return
		}
		fmt.Fprint(w, answers[0])
		if len(answers) > 1 {
			g.answers[code] = answers[1:]
		}
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

const (
	pendingAnswer = `{"error": "authorization_pending", "error_description": "The authorization request is still pending."}`
	slowDown      = `{"error": "slow_down", "error_description": "Too many requests have been made in the same timeframe.", "interval": 10}`
)

// call is one /link as the invoking member with roles, options as given.
type call struct {
	options map[string]string
	roles   []string
}

// run answers c as the router would: the quick answer, or the worker's message when the quick
// handler deferred; an *command.Error or another error shows as such.
func run(t *testing.T, cmd command.Command, texts *i18n.Catalog, lang i18n.Language, c call) string {
	t.Helper()
	data := &discord.CommandData{Name: "link"}
	for name, v := range c.options {
		raw, _ := json.Marshal(v)
		typ := discord.OptionString
		if name == optionMember {
			typ = discord.OptionUser
		}
		data.Options = append(data.Options, discord.CommandOption{Name: name, Type: typ, Value: raw})
	}
	req := command.Request{Interaction: discord.Interaction{Type: discord.InteractionApplicationCommand, GuildID: "g",
		ChannelID: "400000000000000001", Locale: string(lang), Command: data,
		Member: &discord.Member{User: &discord.User{ID: invoker, Username: "minji"}, Roles: c.roles}},
		Received: received, RequestID: "req-1", Texts: texts, Language: lang}
	reply := cmd.Quick(t.Context(), req)
	if !reply.Deferred() {
		return "quick: " + reply.Response(discord.InteractionApplicationCommand).Data.Content
	}
	if !reply.Private(discord.InteractionApplicationCommand) {
		t.Errorf("/link defers publicly; want an ephemeral answer")
	}
	req.Private = true
	msg, err := cmd.Work(t.Context(), req)
	var ce *command.Error
	switch {
	case errors.As(err, &ce):
		return "error: " + ce.Message
	case err != nil:
		return "internal: " + err.Error()
	}
	if msg.AllowedMentions == nil || len(msg.AllowedMentions.Parse) != 0 || len(msg.AllowedMentions.Users) != 0 {
		t.Errorf("answer %q may ping: allowed_mentions %+v", msg.Content, msg.AllowedMentions)
	}
	return msg.Content
}

// sink keeps the audit entries recorded, in order.
type sink struct{ entries []audit.Entry }

func (s *sink) Write(_ context.Context, e audit.Entry) error {
	s.entries = append(s.entries, e)
	return nil
}

// TestGolden links a member through a GitHub stand-in's device flow, in English and in Korean:
// the code, a poll that waits (authorization_pending, slow_down), the link, an expired code,
// a cancelled one, a refusal, no code at all; then another member linked by an allowed role, the refusals, and
// what the table and the audit trail hold afterwards.
func TestGolden(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	texts := i18n.NewCatalog(Messages(), authz.Messages())
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			clock := statetest.NewClock(received)
			gh := &github{t: t, now: clock.Now, codes: []string{"dev-1", "dev-2", "dev-3", "dev-4"}, polls: map[string][]time.Time{},
				answers: map[string][]string{
					"dev-1": {pendingAnswer, slowDown, pendingAnswer, pendingAnswer, `{"access_token": "ghu_member", "token_type": "bearer", "scope": ""}`},
					"dev-2": {`{"error": "expired_token", "error_description": "The device code has expired."}`},
					"dev-3": {`{"error": "access_denied", "error_description": "The authorization request was denied."}`},
					"dev-4": {`{"error": "device_flow_disabled", "error_description": "Device flow is disabled."}`},
				}}
			srv := httptest.NewServer(gh)
			t.Cleanup(srv.Close)
			table := statetest.New(t, moto, clock.Now)
			links := people.Store{Table: table}
			log := slog.New(slog.DiscardHandler)
			trail := &sink{}
			s := &Service{Flow: DeviceFlow{ClientID: clientID, WebURL: srv.URL, APIURL: srv.URL, HTTP: srv.Client()},
				Links: links, Table: table, Policy: authz.Policy{RoleIDs: []string{allowedRole}},
				Audit: audit.NewRecorder(trail, log, clock.Now), Log: log, Now: clock.Now,
				Sleep: func(_ context.Context, d time.Duration) error { clock.Advance(d); return nil }}
			cmd := Command(s)
			do := func(c call) string { return run(t, cmd, texts, lang, c) }
			got := map[string]string{}
			got["code"] = do(call{})
			got["waiting"] = do(call{})
			clock.Advance(time.Minute)
			got["linked"] = do(call{})
			got["code-again"] = do(call{})
			got["expired"] = do(call{})
			do(call{})
			got["denied"] = do(call{})
			do(call{})
			got["refused"] = do(call{})
			got["github-failed"] = do(call{})
			member := []string{allowedRole}
			got["set"] = do(call{roles: member, options: map[string]string{optionMember: "200000000000000009", optionLogin: "@octocat"}})
			got["refused-other"] = do(call{roles: []string{"999"}, options: map[string]string{optionMember: "200000000000000009", optionLogin: "octocat"}})
			got["both"] = do(call{roles: member, options: map[string]string{optionLogin: "octocat"}})
			got["bad-login"] = do(call{roles: member, options: map[string]string{optionMember: "200000000000000009", optionLogin: "not a login"}})
			got["no-flow"] = run(t, Command(&Service{Links: links, Table: table, Policy: s.Policy, Audit: s.Audit, Log: log}), texts, lang, call{})
			got["unavailable"] = run(t, Command(&Service{Flow: s.Flow, Policy: s.Policy, Audit: s.Audit, Log: log}), texts, lang, call{})
			i18ntest.Golden(t, filepath.Join("testdata", "golden"), "link", lang, got, *update)

			// The polls of dev-1 kept GitHub's interval, and the slower one after slow_down; the
			// first /link stopped at PollFor with the code still pending.
			start := received
			want := []time.Time{start.Add(5 * time.Second), start.Add(10 * time.Second), start.Add(20 * time.Second),
				// The second /link, a minute later: at once (the next poll was due), then at the interval.
				start.Add(20*time.Second + time.Minute), start.Add(30*time.Second + time.Minute)}
			if diff := cmp.Diff(want, gh.polls["dev-1"]); diff != "" {
				t.Errorf("polls of dev-1 (-want +got):\n%s", diff)
			}

			var lines []string
			for _, e := range trail.entries {
				lines = append(lines, e.Action+" "+e.Target+" "+e.Outcome+" "+e.Detail)
			}
			wantLines := []string{
				"link " + invoker + " -> MinJi-K linked verified by GitHub's device flow",
				"link " + invoker + " not linked expired",
				"link " + invoker + " not linked denied by the member",
				"link " + invoker + " not linked device_flow_disabled",
				"link " + invoker + ` failed device code: POST /login/device/code: 404 Not Found: {"error": "Not Found"}`,
				"link 200000000000000009 -> octocat linked set by an allowed member, unverified",
				"link 200000000000000009 -> octocat denied missing-role",
				"link  -> octocat refused invalid options",
				"link 200000000000000009 -> not a login refused invalid options",
			}
			if diff := cmp.Diff(wantLines, lines); diff != "" {
				t.Errorf("audit entries (-want +got):\n%s", diff)
			}
			for id, login := range map[string]string{invoker: "MinJi-K", "200000000000000009": "octocat"} {
				l, ok, err := links.ByMember(t.Context(), id)
				if err != nil || !ok || l.Login != login || l.Verified != (id == invoker) {
					t.Errorf("link of %s: %+v, %v, %v; want %s, verified %v", id, l, ok, err, login, id == invoker)
				}
			}
		})
	}
}
