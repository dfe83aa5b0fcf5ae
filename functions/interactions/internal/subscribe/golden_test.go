package subscribe

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"path/filepath"
	"strings"
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
	"github.com/discord-chatops/chatops/shared/state/statetest"
	"github.com/discord-chatops/chatops/shared/subscription"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	allowedRole = "300000000000000001"
	channel     = "400000000000000001"
)

var received = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

// call is one invocation of a command as a member with roles in locale lang.
type call struct {
	name    string
	options map[string]any
	roles   []string
}

// run answers c as the router would: the quick answer, or the worker's message when the quick
// handler deferred; an *command.Error or another error shows as such.
func run(t *testing.T, cmds map[string]command.Command, texts *i18n.Catalog, lang i18n.Language, c call) string {
	t.Helper()
	data := &discord.CommandData{Name: c.name}
	for name, v := range c.options {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		typ := discord.OptionString
		if _, ok := v.(bool); ok {
			typ = discord.OptionBoolean
		}
		data.Options = append(data.Options, discord.CommandOption{Name: name, Type: typ, Value: raw})
	}
	req := command.Request{Interaction: discord.Interaction{Type: discord.InteractionApplicationCommand, GuildID: "g",
		ChannelID: channel, Locale: string(lang), Command: data,
		Member: &discord.Member{User: &discord.User{ID: "200000000000000001", Username: "minji"}, Roles: c.roles}},
		Received: received, RequestID: "req-1", Texts: texts, Language: lang}
	cmd := cmds[c.name]
	reply := cmd.Quick(t.Context(), req)
	if !reply.Deferred() {
		return "quick: " + reply.Response(discord.InteractionApplicationCommand).Data.Content
	}
	if !reply.Private(discord.InteractionApplicationCommand) {
		t.Errorf("/%s defers publicly; want an ephemeral answer", c.name)
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
	return msg.Content
}

// sink keeps the audit entries recorded, in order (the subtests' calls are sequential).
type sink struct{ entries []audit.Entry }

func (s *sink) Write(_ context.Context, e audit.Entry) error {
	s.entries = append(s.entries, e)
	return nil
}

// byName indexes the commands of s.
func byName(s *Service) map[string]command.Command {
	m := map[string]command.Command{}
	for _, c := range Commands(s) {
		m[c.Name] = c
	}
	return m
}

// TestGolden runs /subscribe, /subscriptions and /unsubscribe against a moto table in English
// and in Korean: the answers, the refusals, and what the table holds afterwards.
func TestGolden(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	texts := i18n.NewCatalog(Messages(), authz.Messages())
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			clock := statetest.NewClock(received)
			store := subscription.Store{Table: statetest.New(t, moto, clock.Now)}
			log := slog.New(slog.DiscardHandler)
			trail := &sink{}
			s := &Service{Store: store, Policy: authz.Policy{RoleIDs: []string{allowedRole}}, Audit: audit.NewRecorder(trail, log, clock.Now), Log: log}
			cmds := byName(s)
			member := []string{allowedRole}
			do := func(c call) string { return run(t, cmds, texts, lang, c) }
			got := map[string]string{}
			got["list-empty"] = do(call{name: "subscriptions"})
			got["subscribed-default"] = do(call{name: "subscribe", roles: member, options: map[string]any{"repo": "Acme/Web"}})
			got["subscribed"] = do(call{name: "subscribe", roles: member, options: map[string]any{
				"repo": "acme/shop", "events": "all", "branches": "main, release/*", "drafts": true, "labels": "backend",
				"exclude_labels": "wip,do-not-merge", "ignore_authors": "@ci-robot", "bots": true,
			}})
			got["resubscribed"] = do(call{name: "subscribe", roles: member, options: map[string]any{"repo": "acme/shop", "events": "merges"}})
			got["list"] = do(call{name: "subscriptions"})
			got["unsubscribed"] = do(call{name: "unsubscribe", roles: member, options: map[string]any{"repo": "ACME/web"}})
			got["not-found"] = do(call{name: "unsubscribe", roles: member, options: map[string]any{"repo": "acme/web"}})
			got["list-after"] = do(call{name: "subscriptions"})
			got["refused-subscribe"] = do(call{name: "subscribe", roles: []string{"999"}, options: map[string]any{"repo": "acme/shop"}})
			got["refused-unsubscribe"] = do(call{name: "unsubscribe", options: map[string]any{"repo": "acme/shop"}})
			got["bad-repo"] = do(call{name: "subscribe", roles: member, options: map[string]any{"repo": "shop"}})
			got["bad-pattern"] = do(call{name: "subscribe", roles: member, options: map[string]any{"repo": "acme/shop", "branches": "release/["}})
			got["bad-events"] = do(call{name: "subscribe", roles: member, options: map[string]any{"repo": "acme/shop", "events": "everything"}})
			none := byName(&Service{Policy: s.Policy, Audit: s.Audit, Log: log})
			got["unavailable"] = run(t, none, texts, lang, call{name: "subscribe", roles: member, options: map[string]any{"repo": "acme/shop"}})
			i18ntest.Golden(t, filepath.Join("testdata", "golden"), "subscribe", lang, got, *update)

			// The audit trail: each change and each refusal, in order.
			var lines []string
			for _, e := range trail.entries {
				lines = append(lines, e.Action+" "+e.Target+" "+e.Outcome+" "+e.Detail)
			}
			wantLines := []string{
				"subscribe acme/web -> " + channel + " subscribed ",
				"subscribe acme/shop -> " + channel + " subscribed ",
				"subscribe acme/shop -> " + channel + " subscribed ",
				"unsubscribe acme/web -> " + channel + " unsubscribed ",
				"subscribe acme/shop -> " + channel + " denied missing-role",
				"unsubscribe acme/shop -> " + channel + " denied missing-role",
				"subscribe shop -> " + channel + " refused invalid options",
				"subscribe acme/shop -> " + channel + " refused invalid options",
				"subscribe acme/shop -> " + channel + " refused invalid options",
			}
			if diff := cmp.Diff(wantLines, lines); diff != "" {
				t.Errorf("audit entries (-want +got):\n%s", diff)
			}

			// What the refusals and the last subscribe left in the table.
			subs, err := store.ForChannel(t.Context(), channel)
			if err != nil {
				t.Fatal(err)
			}
			want := subscription.Subscription{Repo: "acme/shop", ChannelID: channel, GuildID: "g", By: "200000000000000001", At: received,
				Filter: subscription.Filter{Events: subscription.EventsMerges}}
			if len(subs) != 1 || !subs[0].At.Equal(want.At) || subs[0].Repo != want.Repo || subs[0].Events != want.Events ||
				subs[0].By != want.By || len(subs[0].Branches) != 0 {
				t.Errorf("the channel's subscriptions: %+v; want only %+v", subs, want)
			}
		})
	}
}

// TestDescribeEveryEvents: every choice of events is said in both languages (its id is built,
// so TestTextsComplete cannot see it).
func TestDescribeEveryEvents(t *testing.T) {
	t.Parallel()
	texts := i18n.NewCatalog(Messages())
	for _, lang := range i18n.Languages() {
		p := texts.Printer(lang)
		seen := map[string]bool{}
		for _, e := range subscription.AllEvents {
			got := Describe(p, subscription.Filter{Events: e})
			if got == "" || strings.Contains(got, "[") || seen[got] {
				t.Errorf("%s: events %s described as %q", lang, e, got)
			}
			seen[got] = true
		}
	}
}
