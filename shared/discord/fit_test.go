package discord_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    string
		max  int
		want string
	}{
		{"short", "hello", 10, "hello"},
		{"exact", "hello", 5, "hello"},
		{"cut", "hello world", 5, "hell…"},
		{"one", "hello", 1, "…"},
		{"zero", "hello", 0, ""},
		{"negative", "hello", -3, ""},
		{"empty", "", 5, ""},
		{"hangul exact", "배포완료", 4, "배포완료"},
		{"hangul cut", "배포가 완료되었습니다", 5, "배포가 …"},
		{"emoji cut", "🚀🚀🚀🚀", 3, "🚀🚀…"},
		{"mixed widths", "a¢€𐍈b", 4, "a¢€…"},
		{"ellipsis already", "……", 2, "……"},
		{"invalid utf-8 kept whole", "ab\xffcd", 4, "ab\xff…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := discord.Truncate(tt.s, tt.max)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > max(tt.max, 0) {
				t.Errorf("Truncate(%q, %d) has %d runes", tt.s, tt.max, n)
			}
			if utf8.ValidString(tt.s) && !utf8.ValidString(got) {
				t.Errorf("Truncate(%q, %d) = %q split a rune", tt.s, tt.max, got)
			}
		})
	}
}

// embedTotal counts what Discord counts towards the 6000 characters over all embeds.
func embedTotal(embeds []discord.Embed) int {
	n := 0
	for _, e := range embeds {
		n += utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		if e.Author != nil {
			n += utf8.RuneCountInString(e.Author.Name)
		}
		if e.Footer != nil {
			n += utf8.RuneCountInString(e.Footer.Text)
		}
		for _, f := range e.Fields {
			n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
		}
	}
	return n
}

// checkLimits reports every Discord limit m breaks.
func checkLimits(t *testing.T, m discord.Message) {
	t.Helper()
	runes := utf8.RuneCountInString
	over := func(what string, n, limit int) {
		if n > limit {
			t.Errorf("%s: %d, over the limit of %d", what, n, limit)
		}
	}
	over("content", runes(m.Content), discord.MaxContent)
	over("embeds", len(m.Embeds), discord.MaxEmbeds)
	over("characters over all embeds", embedTotal(m.Embeds), discord.MaxEmbedsTotal)
	for i, e := range m.Embeds {
		over(fmt.Sprintf("embed %d title", i), runes(e.Title), discord.MaxEmbedTitle)
		over(fmt.Sprintf("embed %d description", i), runes(e.Description), discord.MaxEmbedDescription)
		over(fmt.Sprintf("embed %d fields", i), len(e.Fields), discord.MaxEmbedFields)
		if e.Footer != nil {
			over(fmt.Sprintf("embed %d footer", i), runes(e.Footer.Text), discord.MaxFooterText)
		}
		if e.Author != nil {
			over(fmt.Sprintf("embed %d author", i), runes(e.Author.Name), discord.MaxAuthorName)
		}
		for j, f := range e.Fields {
			over(fmt.Sprintf("embed %d field %d name", i, j), runes(f.Name), discord.MaxFieldName)
			over(fmt.Sprintf("embed %d field %d value", i, j), runes(f.Value), discord.MaxFieldValue)
		}
	}
	over("action rows", len(m.Components), discord.MaxActionRows)
	for i, row := range m.Components {
		over(fmt.Sprintf("row %d components", i), len(row.Components), discord.MaxRowComponents)
		for j, b := range row.Components {
			over(fmt.Sprintf("row %d button %d label", i, j), runes(b.Label), discord.MaxButtonLabel)
			over(fmt.Sprintf("row %d button %d custom_id", i, j), runes(b.CustomID), discord.MaxCustomID)
		}
	}
}

func repeatEmbeds(n int, e discord.Embed) []discord.Embed {
	out := make([]discord.Embed, n)
	for i := range out {
		out[i] = e
	}
	return out
}

func fields(n int, name, value string) []discord.EmbedField {
	out := make([]discord.EmbedField, n)
	for i := range out {
		out[i] = discord.EmbedField{Name: fmt.Sprintf("%s%d", name, i), Value: value}
	}
	return out
}

func buttons(n int, label, customID string) []discord.Component {
	out := make([]discord.Component, n)
	for i := range out {
		out[i] = discord.Button(discord.ButtonPrimary, label, fmt.Sprintf("%s%d", customID, i))
	}
	return out
}

func TestFit(t *testing.T) {
	t.Parallel()
	x := strings.Repeat
	tests := []struct {
		name  string
		in    discord.Message
		check func(t *testing.T, got discord.Message)
	}{
		{
			name: "within limits is unchanged",
			in: discord.Message{
				Content:    "Deploy of `main` to prod succeeded",
				Embeds:     []discord.Embed{{Title: "Deploy", Description: "ok", Fields: fields(3, "f", "v"), Footer: &discord.EmbedFooter{Text: "run 42"}}},
				Components: []discord.Component{discord.ActionRow(buttons(2, "Approve", "deploy:")...)},
			},
		},
		{
			name: "content cut to 2000 runes of Hangul",
			in:   discord.Message{Content: x("가", 2500)},
			check: func(t *testing.T, got discord.Message) {
				if want := x("가", 1999) + "…"; got.Content != want {
					t.Errorf("content = %d runes ending %q", utf8.RuneCountInString(got.Content), got.Content[len(got.Content)-6:])
				}
			},
		},
		{
			name: "each embed text cut to its own limit",
			in: discord.Message{Embeds: []discord.Embed{{
				Title:       x("t", 300),
				Description: x("d", 5000),
				Author:      &discord.EmbedAuthor{Name: x("a", 300)},
				Footer:      &discord.EmbedFooter{Text: x("f", 100)},
				Fields:      []discord.EmbedField{{Name: x("n", 300), Value: x("v", 1100)}},
			}}},
			check: func(t *testing.T, got discord.Message) {
				e := got.Embeds[0]
				want := discord.Embed{
					Title:       x("t", 255) + "…",
					Description: x("d", 4095) + "…",
					Author:      &discord.EmbedAuthor{Name: x("a", 255) + "…"},
					Footer:      &discord.EmbedFooter{Text: x("f", 100)},
					Fields:      []discord.EmbedField{{Name: x("n", 255) + "…", Value: x("v", 1023) + "…"}},
				}
				// 256 + 4096 + 256 + 100 + 256 + 1024 = 5988: within 6000, so nothing more is cut.
				if diff := cmp.Diff(want, e); diff != "" {
					t.Errorf("embed mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "6000 over all embeds cuts the longest texts, keeps short ones whole",
			in:   discord.Message{Embeds: repeatEmbeds(3, discord.Embed{Title: "Cost report", Description: x("€", 4000)})},
			check: func(t *testing.T, got discord.Message) {
				if n := embedTotal(got.Embeds); n < discord.MaxEmbedsTotal-3 {
					t.Errorf("total %d: cut more than needed", n)
				}
				for i, e := range got.Embeds {
					if e.Title != "Cost report" {
						t.Errorf("embed %d title = %q, want it whole", i, e.Title)
					}
					if !strings.HasSuffix(e.Description, "…") {
						t.Errorf("embed %d description not marked as cut", i)
					}
				}
			},
		},
		{
			name: "6000 reached through fields alone",
			in:   discord.Message{Embeds: repeatEmbeds(2, discord.Embed{Title: "Services", Fields: fields(20, "svc", x("$", 200))})},
			check: func(t *testing.T, got discord.Message) {
				for i, e := range got.Embeds {
					for j, f := range e.Fields {
						if f.Name != fmt.Sprintf("svc%d", j) || f.Value == "" {
							t.Errorf("embed %d field %d = %+v, want its name whole and a value", i, j, f)
						}
					}
				}
			},
		},
		{
			name: "embeds past 10 dropped",
			in:   discord.Message{Embeds: repeatEmbeds(12, discord.Embed{Title: "e"})},
			check: func(t *testing.T, got discord.Message) {
				if len(got.Embeds) != 10 {
					t.Errorf("%d embeds, want 10", len(got.Embeds))
				}
			},
		},
		{
			name: "fields past 25 summed up in the last",
			in:   discord.Message{Embeds: []discord.Embed{{Fields: fields(30, "f", "v")}}},
			check: func(t *testing.T, got discord.Message) {
				fs := got.Embeds[0].Fields
				if len(fs) != 25 {
					t.Fatalf("%d fields, want 25", len(fs))
				}
				if fs[23].Name != "f23" {
					t.Errorf("field 23 = %+v, want f23 kept", fs[23])
				}
				if want := (discord.EmbedField{Name: "…", Value: "6 more not shown"}); fs[24] != want {
					t.Errorf("last field = %+v, want %+v", fs[24], want)
				}
			},
		},
		{
			name: "exactly 25 fields kept",
			in:   discord.Message{Embeds: []discord.Embed{{Fields: fields(25, "f", "v")}}},
		},
		{
			name: "components: 5 rows of 5 buttons, labels and custom ids cut",
			in: discord.Message{Components: []discord.Component{
				discord.ActionRow(buttons(7, x("L", 90), x("c", 120))...),
				discord.ActionRow(buttons(1, "ok", "ok")...),
				discord.ActionRow(buttons(1, "ok", "ok")...),
				discord.ActionRow(buttons(1, "ok", "ok")...),
				discord.ActionRow(buttons(1, "ok", "ok")...),
				discord.ActionRow(buttons(1, "sixth", "sixth")...),
			}},
			check: func(t *testing.T, got discord.Message) {
				if len(got.Components) != 5 || len(got.Components[0].Components) != 5 {
					t.Fatalf("got %d rows, first of %d", len(got.Components), len(got.Components[0].Components))
				}
				b := got.Components[0].Components[0]
				if b.Label != x("L", 79)+"…" || b.CustomID != x("c", 99)+"…" {
					t.Errorf("button = %+v", b)
				}
			},
		},
		{
			name: "empty non-nil slices stay empty, not nil",
			in:   discord.Message{Embeds: []discord.Embed{}, Components: []discord.Component{}},
			check: func(t *testing.T, got discord.Message) {
				if got.Embeds == nil || got.Components == nil {
					t.Errorf("Fit turned empty slices into nil: %+v", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := deepCopy(t, tt.in)
			got := tt.in.Fit()
			checkLimits(t, got)
			if diff := cmp.Diff(before, tt.in); diff != "" {
				t.Errorf("Fit modified its receiver (-before +after):\n%s", diff)
			}
			if tt.check == nil {
				if diff := cmp.Diff(tt.in, got); diff != "" {
					t.Errorf("Fit changed a message within limits (-in +out):\n%s", diff)
				}
				return
			}
			tt.check(t, got)
		})
	}
}

// deepCopy copies m through Fit's own fields by hand, so the comparison after Fit does not
// depend on the code under test.
func deepCopy(t *testing.T, m discord.Message) discord.Message {
	t.Helper()
	out := m
	if m.Embeds != nil {
		out.Embeds = make([]discord.Embed, len(m.Embeds))
		for i, e := range m.Embeds {
			if e.Author != nil {
				a := *e.Author
				e.Author = &a
			}
			if e.Footer != nil {
				f := *e.Footer
				e.Footer = &f
			}
			if e.Fields != nil {
				e.Fields = append([]discord.EmbedField{}, e.Fields...)
			}
			out.Embeds[i] = e
		}
	}
	if m.Components != nil {
		out.Components = make([]discord.Component, len(m.Components))
		for i, c := range m.Components {
			if c.Components != nil {
				c.Components = append([]discord.Component{}, c.Components...)
			}
			out.Components[i] = c
		}
	}
	return out
}
