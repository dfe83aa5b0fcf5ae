package recorder

import (
	"fmt"
	"strings"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Render shows a message as plain text, roughly as Discord lays it out: content, then each
// embed (title, description, fields, footer) behind a bar, then the buttons. thinking shows a
// deferred reply that has not been edited yet.
func Render(m discord.Message, thinking bool) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, "   "+format+"\n", args...) }
	if m.Flags&discord.FlagEphemeral != 0 {
		line("(only the person who asked can see this)")
	}
	if thinking {
		line("⏳ ChatOps is thinking…")
	}
	for l := range strings.SplitSeq(m.Content, "\n") {
		if l != "" {
			line("%s", l)
		}
	}
	for _, e := range m.Embeds {
		if e.Author != nil && e.Author.Name != "" {
			line("┃ %s", e.Author.Name)
		}
		if e.Title != "" {
			t := "**" + e.Title + "**"
			if e.URL != "" {
				t += " <" + e.URL + ">"
			}
			line("┃ %s", t)
		}
		for l := range strings.SplitSeq(e.Description, "\n") {
			if l != "" {
				line("┃ %s", l)
			}
		}
		for _, f := range e.Fields {
			value := strings.ReplaceAll(f.Value, "\n", " · ")
			line("┃ %s: %s", f.Name, value)
		}
		if e.Footer != nil && e.Footer.Text != "" {
			line("┃ — %s", e.Footer.Text)
		}
	}
	for _, row := range m.Components {
		var buttons []string
		for _, c := range row.Components {
			if c.Type != discord.ComponentButton {
				continue
			}
			label := "[ " + c.Label + " ]"
			switch {
			case c.URL != "":
				label = "[ " + c.Label + " ↗ ]"
			case c.Disabled:
				label = "[ " + c.Label + " (disabled) ]"
			}
			buttons = append(buttons, label)
		}
		if len(buttons) > 0 {
			line("%s", strings.Join(buttons, " "))
		}
	}
	if b.Len() == 0 {
		line("(empty message)")
	}
	return b.String()
}
