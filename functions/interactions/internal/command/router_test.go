package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

func inline(text string) QuickFunc {
	return func(context.Context, Request) Reply { return Ephemeral(text) }
}

func deferTo(msg string) (QuickFunc, WorkFunc) {
	return func(context.Context, Request) Reply { return Defer(false) },
		func(context.Context, Request) (discord.Message, error) { return discord.Message{Content: msg}, nil }
}

func testRouter(t *testing.T) *Router {
	t.Helper()
	q, w := deferTo("slow done")
	r, err := NewRouter(
		Command{Name: "fast", Quick: inline("fast answer")},
		Command{Name: "slow", Quick: q, Work: w, Contexts: []Context{ContextGuild},
			Buttons: []Button{
				{Prefix: "slow:", Quick: inline("slow button")},
				{Prefix: "slow:approve:", Quick: inline("approve button")},
			}},
		Command{Name: "broken", Quick: func(context.Context, Request) Reply { return Defer(true) }},
		Command{Name: "dm", Quick: inline("dm answer"), Contexts: []Context{ContextBotDM}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// testTexts is the package's catalog with the texts of the test commands' definitions.
func testTexts() *i18n.Catalog {
	return i18n.NewCatalog(Messages(), fstest.MapFS{
		"test.en.json": {Data: []byte(`{"command.deploy.description": "Deploy", "command.deploy.option.environment.description": "Where",
			"command.deploy.option.mode.description": "How", "command.deploy.option.mode.choice.fast": "fast"}`)},
		"test.ko.json": {Data: []byte(`{"command.deploy.description": "배포", "command.deploy.option.environment.description": "대상",
			"command.deploy.option.mode.description": "방식", "command.deploy.option.mode.choice.fast": "빠르게"}`)},
	})
}

// commandIn is /name in guild ("" for a DM) from a member of the English locale.
func commandIn(name, guild string) Request {
	return Request{Interaction: discord.Interaction{ID: "1", Type: discord.InteractionApplicationCommand, Token: "t", GuildID: guild,
		Command: &discord.CommandData{Name: name}}, RequestID: "req-1", Texts: testTexts(), Language: i18n.English}
}

func button(customID string) Request {
	return Request{Interaction: discord.Interaction{ID: "1", Type: discord.InteractionMessageComponent, Token: "t", GuildID: "g",
		Component: &discord.ComponentData{CustomID: customID, ComponentType: discord.ComponentButton}}, RequestID: "req-1", Texts: testTexts(), Language: i18n.English}
}

func TestRouterQuick(t *testing.T) {
	t.Parallel()
	r := testRouter(t)
	ephemeral := func(text string) discord.Response { return discord.EphemeralReply(text) }
	tests := []struct {
		name string
		req  Request
		want discord.Response
	}{
		{"inline command", commandIn("fast", "g"), ephemeral("fast answer")},
		{"deferred command", commandIn("slow", "g"), discord.Deferred(false)},
		{"unknown command", commandIn("gone", "g"), ephemeral("I don't know `/gone`: it may have been removed. Try `/help` for what I can do.")},
		{"guild command in a DM", commandIn("slow", ""), ephemeral("`/slow` can't be used here: use it in a server channel.")},
		{"DM command in a guild", commandIn("dm", "g"), ephemeral("`/dm` can't be used here: use it in a direct message with the bot.")},
		{"DM command in a DM", commandIn("dm", ""), ephemeral("dm answer")},
		{"defer without worker", commandIn("broken", "g"), ephemeral("/broken is not wired up correctly (it deferred with no worker). Please tell whoever runs the bot.")},
		{"button by prefix", button("slow:cancel:42"), ephemeral("slow button")},
		{"button by longest prefix", button("slow:approve:42"), ephemeral("approve button")},
		{"unknown button", button("other:1"), ephemeral("This button no longer does anything: run the command again for a fresh one.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := r.Quick(t.Context(), tt.req).Response(tt.req.Interaction.Type)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Quick mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplyResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply Reply
		typ   discord.InteractionType
		want  discord.Response
	}{
		{"deferred command", Defer(false), discord.InteractionApplicationCommand, discord.Response{Type: discord.ResponseDeferredChannelMessageWithSource}},
		{"deferred ephemeral command", Defer(true), discord.InteractionApplicationCommand,
			discord.Response{Type: discord.ResponseDeferredChannelMessageWithSource, Data: &discord.Message{Flags: discord.FlagEphemeral}}},
		{"deferred button", Defer(true), discord.InteractionMessageComponent, discord.Response{Type: discord.ResponseDeferredUpdateMessage}},
		{"inline", Respond(discord.Pong()), discord.InteractionApplicationCommand, discord.Pong()},
		{"inline and deferred button", RespondAndDefer(discord.Update(discord.Message{Content: "locked"})), discord.InteractionMessageComponent,
			discord.Update(discord.Message{Content: "locked"})},
		{"button answered with a new deferred message", RespondAndDefer(discord.Deferred(false)), discord.InteractionMessageComponent,
			discord.Deferred(false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.reply.Response(tt.typ)); diff != "" {
				t.Errorf("Response mismatch (-want +got):\n%s", diff)
			}
			encoded, err := tt.reply.JSON(tt.typ)
			if err != nil {
				t.Fatal(err)
			}
			var got discord.Response
			if err := json.Unmarshal([]byte(encoded), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("JSON mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRespondAndDefer checks that a reply that answers inline and defers both sends its own
// response and hands the work over, and is refused like Defer when there is no worker.
func TestRespondAndDefer(t *testing.T) {
	t.Parallel()
	lock := func(context.Context, Request) Reply {
		return RespondAndDefer(discord.Update(discord.Message{Content: "locked"}))
	}
	work := func(context.Context, Request) (discord.Message, error) { return discord.Message{Content: "done"}, nil }
	r, err := NewRouter(Command{Name: "d", Quick: inline("x"), Buttons: []Button{
		{Prefix: "d:ok:", Quick: lock, Work: work},
		{Prefix: "d:broken:", Quick: lock},
	}})
	if err != nil {
		t.Fatal(err)
	}
	reply := r.Quick(t.Context(), button("d:ok:1"))
	if !reply.Deferred() {
		t.Error("not deferred: the worker would not run")
	}
	if diff := cmp.Diff(discord.Update(discord.Message{Content: "locked"}), reply.Response(discord.InteractionMessageComponent)); diff != "" {
		t.Errorf("Response mismatch (-want +got):\n%s", diff)
	}
	broken := r.Quick(t.Context(), button("d:broken:1"))
	if broken.Deferred() || !strings.Contains(broken.Response(discord.InteractionMessageComponent).Data.Content, "not wired up correctly") {
		t.Errorf("deferring without a worker: %+v", broken.Response(discord.InteractionMessageComponent))
	}
}

func TestRouterWork(t *testing.T) {
	t.Parallel()
	worker := func(w WorkFunc) *Router {
		r, err := NewRouter(Command{Name: "w", Quick: func(context.Context, Request) Reply { return Defer(false) }, Work: w,
			Buttons: []Button{{Prefix: "w:", Quick: inline("x"), Work: w}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	internal := "⚠️ /w failed with an internal error. Try again in a minute; if it keeps failing, ask whoever runs the bot to look for request `req-1` in the interactions function's logs."
	tests := []struct {
		name    string
		work    WorkFunc
		req     Request
		want    string
		wantErr string
	}{
		{"success", func(context.Context, Request) (discord.Message, error) { return discord.Message{Content: "done"}, nil },
			commandIn("w", "g"), "done", ""},
		{"user error", func(context.Context, Request) (discord.Message, error) {
			return discord.Message{}, Errorf(errors.New("cause"), "Nothing matches `x`. Check the name.")
		}, commandIn("w", "g"), "⚠️ Nothing matches `x`. Check the name.", "work for /w: Nothing matches `x`. Check the name.: cause"},
		{"internal error", func(context.Context, Request) (discord.Message, error) { return discord.Message{}, errors.New("boom") },
			commandIn("w", "g"), internal, "work for /w: boom"},
		{"deadline", func(context.Context, Request) (discord.Message, error) {
			return discord.Message{}, fmt.Errorf("read: %w", context.DeadlineExceeded)
		}, commandIn("w", "g"), "⚠️ /w took too long and was stopped. Try again, perhaps with a narrower target.", "work for /w: read: context deadline exceeded"},
		{"panic", func(context.Context, Request) (discord.Message, error) { panic("nil map") },
			commandIn("w", "g"), internal, "work for /w: panic: nil map"},
		{"button", func(context.Context, Request) (discord.Message, error) {
			return discord.Message{Content: "clicked"}, nil
		},
			button("w:approve:1"), "clicked", ""},
		{"unknown command", nil, commandIn("gone", "g"),
			"⚠️ /gone failed with an internal error. Try again in a minute; if it keeps failing, ask whoever runs the bot to look for request `req-1` in the interactions function's logs.",
			"work for /gone: no worker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg, err := worker(tt.work).Work(context.Background(), tt.req)
			if msg.Content != tt.want {
				t.Errorf("message\n got %s\nwant %s", msg.Content, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one starting %q", err, tt.wantErr)
			}
			if err != nil && msg.AllowedMentions == nil {
				t.Error("failure message may ping")
			}
		})
	}
}

func TestNewRouterRefuses(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, Request) Reply { return Ephemeral("") }
	tests := []struct {
		name string
		cmds []Command
		want string
	}{
		{"duplicate name", []Command{{Name: "a", Quick: ok}, {Name: "a", Quick: ok}}, `command "a": listed twice`},
		{"upper case name", []Command{{Name: "Status", Quick: ok}}, `command "Status": name must be`},
		{"name of 33 characters", []Command{{Name: strings.Repeat("n", 33), Quick: ok}}, "name must be 1 to 32"},
		{"no quick", []Command{{Name: "a"}}, "no quick handler"},
		{"bad option", []Command{{Name: "a", Quick: ok, Options: []discord.OptionDef{{Name: "Bad Name"}}}}, `option name "Bad Name"`},
		{"option description in code", []Command{{Name: "a", Quick: ok, Options: []discord.OptionDef{{Name: "o", Description: "English"}}}},
			`option "o": its description comes from the catalog`},
		{"shared button prefix", []Command{
			{Name: "a", Quick: ok, Buttons: []Button{{Prefix: "x:", Quick: ok}}},
			{Name: "b", Quick: ok, Buttons: []Button{{Prefix: "x:", Quick: ok}}}}, `button prefix "x:" taken`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewRouter(tt.cmds...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewRouter error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestDefinition checks that a definition takes its texts from the catalog, in English with
// the Korean as localizations, and keeps a named choice (data) as written.
func TestDefinition(t *testing.T) {
	t.Parallel()
	perm := "32"
	c := Command{Name: "deploy", Permissions: discord.PermissionManageGuild, Contexts: []Context{ContextGuild},
		Options: []discord.OptionDef{
			{Type: discord.OptionString, Name: "environment", Required: true, Choices: []discord.Choice{{Name: "prod", Value: "prod"}}},
			{Type: discord.OptionString, Name: "mode", Choices: []discord.Choice{{Value: "fast"}}},
		}}
	ko := func(s string) discord.Localizations { return discord.Localizations{"ko": s} }
	want := discord.Command{Type: 1, Name: "deploy", Description: "Deploy", DescriptionLocalizations: ko("배포"),
		DefaultMemberPermissions: &perm, Contexts: []int{0},
		Options: []discord.OptionDef{
			{Type: discord.OptionString, Name: "environment", Description: "Where", DescriptionLocalizations: ko("대상"), Required: true,
				Choices: []discord.Choice{{Name: "prod", Value: "prod"}}},
			{Type: discord.OptionString, Name: "mode", Description: "How", DescriptionLocalizations: ko("방식"),
				Choices: []discord.Choice{{Name: "fast", NameLocalizations: ko("빠르게"), Value: "fast"}}},
		}}
	if diff := cmp.Diff(want, c.Definition(testTexts())); diff != "" {
		t.Errorf("Definition mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(discord.Choice{Value: "fast"}, c.Options[1].Choices[0]); diff != "" {
		t.Errorf("Definition changed the table's choice (-want +got):\n%s", diff)
	}
}

// TestDefinitionsRefuse checks that registration refuses a command whose texts the catalog
// lacks, or whose text Discord would refuse.
func TestDefinitionsRefuse(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, Request) Reply { return Ephemeral("") }
	long := strings.Repeat("x", 101)
	texts := i18n.NewCatalog(fstest.MapFS{
		"t.en.json": {Data: []byte(`{"command.long.description": "` + long + `", "command.half.description": "Half"}`)},
		"t.ko.json": {Data: []byte(`{"command.long.description": "길다", "command.half.description": ""}`)},
	})
	tests := []struct {
		name string
		cmd  Command
		want string
	}{
		{"missing text", Command{Name: "gone", Quick: ok}, `command "gone": description: "[command.gone.description]" is not in the catalog`},
		{"description of 101 characters", Command{Name: "long", Quick: ok}, `command "long": description: "` + long + `"`},
		{"empty Korean", Command{Name: "half", Quick: ok}, `command "half": description: "[command.half.description]"`},
		{"missing option text", Command{Name: "half", Quick: ok, Options: []discord.OptionDef{{Name: "o"}}},
			`command "half": option "o": description: "[command.half.option.o.description]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewRouter(tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Definitions(texts); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Definitions error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
