package recorder

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
)

// TestRender: a message reads as a Discord client shows it: mentions of members, roles and
// channels by name, timestamps in the team's zone in each style, the embed's colour, and its
// line breaks, in content, description and fields.
func TestRender(t *testing.T) {
	t.Parallel()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, seoul)
	d := Directory{
		Users:    map[string]string{"1000000000000000042": "minji"},
		Roles:    map[string]string{"1100000000000000010": "deployers"},
		Channels: map[string]string{"1100000000000000002": "ops"},
		Location: seoul,
		Now:      func() time.Time { return at.Add(-2 * time.Hour) },
	}
	ts := "<t:" + strconv.FormatInt(at.Unix(), 10)
	m := discord.Message{
		Content: "<@1000000000000000042> asks <@&1100000000000000010> in <#1100000000000000002>\n\nat " + ts + ":t> (" + ts + ":R>), <@!99>",
		Embeds: []discord.Embed{{
			Title: "Deploy dev", Color: discord.ColorRed,
			Description: "requested " + ts + ":f>\nby <@1000000000000000042>",
			Fields:      []discord.EmbedField{{Name: "Commits", Value: "abc123 Fix\ndef456 Retry"}, {Name: "Day", Value: ts + ":D>"}},
			Footer:      &discord.EmbedFooter{Text: "since " + ts + ":d>"},
		}},
	}
	want := strings.Join([]string{
		"   @minji asks @deployers in #ops",
		"",
		"   at 09:00 KST (in 2 hours), @unknown-user(99)",
		"   ┃ 🟥 **Deploy dev**",
		"   ┃ requested December 2, 2026 09:00 KST",
		"   ┃ by @minji",
		"   ┃ Commits:",
		"   ┃   abc123 Fix",
		"   ┃   def456 Retry",
		"   ┃ Day: December 2, 2026",
		"   ┃ — since 2026-12-02",
		"",
	}, "\n")
	if diff := cmp.Diff(want, d.Render(m, false)); diff != "" {
		t.Errorf("Render (-want +got):\n%s", diff)
	}

	d.Korean = true
	if got := d.Text("<t:" + strconv.FormatInt(at.Unix(), 10) + ":f> " + ts + ":t> " + ts + ":R> " + ts + ":F>"); got != "2026년 12월 2일 오전 9:00 KST 오전 9:00 KST 2시간 후 2026년 12월 2일 수요일 오전 9:00 KST" {
		t.Errorf("Korean timestamps %q", got)
	}
	d.Korean = false

	d.ANSI = true
	if got := d.Render(discord.Message{Embeds: []discord.Embed{{Title: "ok", Color: discord.ColorGreen}}}, false); got != "   \x1b[38;2;46;204;113m┃\x1b[0m 🟩 **ok**\n" {
		t.Errorf("Render with ANSI = %q, want the bar in the embed's green", got)
	}
}
