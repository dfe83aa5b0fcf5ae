package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestRouterTextsGolden writes every refusal and failure of the router in each language: the
// refusals in the member's (their locale), the failures in the language of whoever reads the
// answer (the channel's, or the member's for an answer only they see).
func TestRouterTextsGolden(t *testing.T) {
	t.Parallel()
	r := testRouter(t)
	work := func(err error) WorkFunc {
		return func(context.Context, Request) (discord.Message, error) { return discord.Message{}, err }
	}
	failing, err := NewRouter(
		Command{Name: "w", Quick: func(context.Context, Request) Reply { return Defer(false) },
			Work: work(errors.New("boom")), Buttons: []Button{{Prefix: "w:", Quick: inline("x"), Work: work(errors.New("boom"))}}},
		Command{Name: "slow", Quick: func(context.Context, Request) Reply { return Defer(true) },
			Work: work(fmt.Errorf("read: %w", context.DeadlineExceeded))},
		Command{Name: "user", Quick: func(context.Context, Request) Reply { return Defer(false) },
			Work: work(Fail(nil, T("command.label.command", i18n.Args{"Name": "user"})))},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			as := func(req Request) Request {
				req.Interaction.Locale, req.Language = string(lang), lang
				return req
			}
			var b strings.Builder
			refusal := func(kind string, req Request) {
				fmt.Fprintf(&b, "%s: %s\n", kind, r.Quick(t.Context(), as(req)).Response(req.Interaction.Type).Data.Content)
			}
			refusal("unknown command", commandIn("gone", "g"))
			refusal("guild command in a DM", commandIn("slow", ""))
			refusal("DM command in a guild", commandIn("dm", "g"))
			refusal("deferred with no worker", commandIn("broken", "g"))
			refusal("stale button", button("other:1"))
			refusal("unsupported interaction", Request{Interaction: discord.Interaction{Type: discord.InteractionType(99)}, Texts: testTexts()})
			failure := func(kind string, req Request) {
				msg, _ := failing.Work(t.Context(), as(req))
				fmt.Fprintf(&b, "%s: %s\n", kind, msg.Content)
			}
			failure("internal error", commandIn("w", "g"))
			failure("internal error of a button", button("w:1"))
			failure("timeout", commandIn("slow", "g"))
			failure("user error", commandIn("user", "g"))
			failure("no worker", commandIn("gone", "g"))
			if strings.Contains(b.String(), "[command.") {
				t.Errorf("a text is missing from the catalog:\n%s", b.String())
			}
			i18ntest.Check(t, filepath.Join("testdata", "golden", "router."+string(lang)+".txt"), []byte(b.String()), *update)
		})
	}
}

// TestAnswerLanguage checks who reads what: refusals follow the member's locale; the worker's
// failures follow the channel's language, unless the deferred answer is the member's alone.
func TestAnswerLanguage(t *testing.T) {
	t.Parallel()
	r := testRouter(t)
	failing, err := NewRouter(Command{Name: "w", Quick: func(context.Context, Request) Reply { return Defer(false) },
		Work: func(context.Context, Request) (discord.Message, error) { return discord.Message{}, errors.New("boom") }})
	if err != nil {
		t.Fatal(err)
	}
	korean := func(req Request, channel i18n.Language, private bool) Request {
		req.Interaction.Locale, req.Language, req.Private = "ko", channel, private
		return req
	}
	if got := r.Quick(t.Context(), korean(commandIn("gone", "g"), i18n.English, false)).Response(discord.InteractionApplicationCommand).Data.Content; !strings.Contains(got, "명령을 알 수 없습니다") {
		t.Errorf("a Korean member's refusal in an English channel: %s", got)
	}
	tests := []struct {
		name    string
		channel i18n.Language
		private bool
		want    string
	}{
		{"channel answer in an English channel", i18n.English, false, "failed with an internal error"},
		{"channel answer in a Korean channel", i18n.Korean, false, "내부 오류가 발생했습니다"},
		{"the Korean member's own answer in an English channel", i18n.English, true, "내부 오류가 발생했습니다"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg, _ := failing.Work(t.Context(), korean(commandIn("w", "g"), tt.channel, tt.private))
			if !strings.Contains(msg.Content, tt.want) {
				t.Errorf("failure %q, want it to contain %q", msg.Content, tt.want)
			}
		})
	}
}

// TestReplyPrivate checks which deferred answers are the member's alone.
func TestReplyPrivate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply Reply
		typ   discord.InteractionType
		want  bool
	}{
		{"command deferred for the channel", Defer(false), discord.InteractionApplicationCommand, false},
		{"command deferred ephemerally", Defer(true), discord.InteractionApplicationCommand, true},
		{"button deferred: its card", Defer(true), discord.InteractionMessageComponent, false},
		{"button updating its card", RespondAndDefer(discord.Update(discord.Message{Content: "locked"})), discord.InteractionMessageComponent, false},
		{"button answering with a new ephemeral message", RespondAndDefer(discord.Deferred(true)), discord.InteractionMessageComponent, true},
		{"button answering with a new message", RespondAndDefer(discord.Deferred(false)), discord.InteractionMessageComponent, false},
		{"inline answer", Ephemeral("x"), discord.InteractionApplicationCommand, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.reply.Private(tt.typ); got != tt.want {
				t.Errorf("Private = %t, want %t", got, tt.want)
			}
		})
	}
}
