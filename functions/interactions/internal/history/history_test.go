package history

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

var at = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// english and korean print the package's messages.
var (
	english = i18n.NewCatalog(Messages()).Printer(i18n.English)
	korean  = i18n.NewCatalog(Messages()).Printer(i18n.Korean)
)

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		entries   []audit.Entry
		truncated bool
		filter    audit.Filter
		want      discord.Message
	}{
		{
			name: "nothing yet",
			want: discord.Message{Content: "Nothing in the audit trail yet: no action has been taken through the bot within its retention."},
		},
		{
			name:      "nothing matches in the part searched",
			truncated: true,
			filter:    audit.Filter{Environment: "prod"},
			want: discord.Message{Content: "Nothing in the audit trail matches: no action in `prod`.\n" +
				"Only the newest part of the trail was searched: older matching actions may exist."},
		},
		{
			name: "a deploy result, a scale, a refusal with markdown in it",
			entries: []audit.Entry{
				{At: at.Add(2 * time.Minute), Action: "deploy.result", Target: "prod@main", Outcome: "failure", User: "alice",
					Detail: "https://github.com/acme/shop/actions/runs/7"},
				{At: at.Add(time.Minute), Action: "scale.apply", Target: "ecs prod/web -> 4", Outcome: "scaled", Detail: "2 -> 4", UserID: "42"},
				{At: at, Action: "deploy.request", Target: "prod@fix_`x`", Outcome: "refused", Detail: "not a branch or tag name", UserID: "43"},
				{At: at, Action: "deploy.request", Outcome: "requested"},
			},
			truncated: true,
			filter:    audit.Filter{Environment: "prod", UserID: "42"},
			want: discord.Message{Embeds: []discord.Embed{{
				Title: "Audit trail",
				Description: "The last 4 actions in `prod` by <@42>, newest first:\n" +
					"<t:1772445720:f> · `alice` · **deploy.result** · `prod@main` · failure ([link](https://github.com/acme/shop/actions/runs/7))\n" +
					"<t:1772445660:f> · <@42> · **scale.apply** · `ecs prod/web -> 4` · scaled (`2 -> 4`)\n" +
					"<t:1772445600:f> · <@43> · **deploy.request** · `prod@fix_'x'` · refused (`not a branch or tag name`)\n" +
					"<t:1772445600:f> · someone · **deploy.request** · requested",
				Color:  discord.ColorGrey,
				Footer: &discord.EmbedFooter{Text: "Only the newest part of the trail was searched: older matching actions may exist."},
			}}},
		},
		{
			name:    "one action",
			entries: []audit.Entry{{At: at, Action: "assign", Target: "acme/web#42 -> octocat", Outcome: "assigned", UserID: "42"}},
			want: discord.Message{Embeds: []discord.Embed{{Title: "Audit trail", Color: discord.ColorGrey,
				Description: "The last 1 action:\n<t:1772445600:f> · <@42> · **assign** · `acme/web#42 -> octocat` · assigned"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, Render(english, tt.entries, tt.truncated, tt.filter)); diff != "" {
				t.Errorf("Render (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRenderFits checks that 20 entries with the longest parts still show whole within an
// embed's description.
func TestRenderFits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 500)
	var entries []audit.Entry
	for range Limit {
		entries = append(entries, audit.Entry{At: at, Action: "scale.apply", Target: long, Outcome: "failed",
			Detail: long + " https://github.com/acme/shop/actions/runs/1234567890", UserID: "12345678901234567890"})
	}
	d := Render(english, entries, false, audit.Filter{Environment: strings.Repeat("e", 100), UserID: "12345678901234567890"}).Embeds[0].Description
	if n := utf8.RuneCountInString(d); n > discord.MaxEmbedDescription {
		t.Errorf("description of %d characters, over %d", n, discord.MaxEmbedDescription)
	}
	lines := strings.Split(d, "\n")
	if len(lines) != Limit+1 || !strings.HasSuffix(lines[Limit], "`)") {
		t.Fatalf("%d lines, the last %q; want the heading and %d whole lines", len(lines), lines[len(lines)-1], Limit)
	}
	// The links that fit are the newest entries'.
	if !strings.HasSuffix(lines[1], "[link](https://github.com/acme/shop/actions/runs/1234567890))") || strings.Contains(lines[Limit], "[link]") {
		t.Errorf("first line %q, last %q; want a link on the first, none on the last", lines[1], lines[Limit])
	}
}

// TestRenderKorean: a member whose Discord locale is Korean reads the same lines in Korean.
func TestRenderKorean(t *testing.T) {
	t.Parallel()
	entries := []audit.Entry{{At: at, Action: "deploy.dispatch", Target: "prod@v1.4.2", Outcome: "dispatched", UserID: "42",
		Detail: "https://github.com/acme/shop/actions/runs/7"}}
	got := Render(korean, entries, true, audit.Filter{Environment: "prod", UserID: "42"})
	want := discord.Message{Embeds: []discord.Embed{{
		Title: "감사 기록",
		Description: "최근 작업 1건 (환경 `prod`, 실행한 멤버 <@42>), 최신순:\n" +
			"<t:1772445600:f> · <@42> · **deploy.dispatch** · `prod@v1.4.2` · dispatched ([링크](https://github.com/acme/shop/actions/runs/7))",
		Color:  discord.ColorGrey,
		Footer: &discord.EmbedFooter{Text: "최근 기록만 검색했습니다: 조건에 맞는 더 오래된 작업이 있을 수 있습니다."},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Render in Korean (-want +got):\n%s", diff)
	}
	if got := Render(korean, nil, false, audit.Filter{UserID: "42"}).Content; got != "조건에 맞는 감사 기록이 없습니다 (실행한 멤버 <@42>)." {
		t.Errorf("no match in Korean: %q", got)
	}
}
