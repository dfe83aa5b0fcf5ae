// Package help answers /help with one line per command of the table, so that the list can
// never disagree with what is registered and routed.
package help

import (
	"context"
	"fmt"
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
)

// Name and Description of /help in the table.
const (
	Name        = "help"
	Description = "What each command does"
)

// Command is the /help entry of the command table, listing others and then itself. The answer
// is built once, here: /help costs nothing but the response encoding.
func Command(others []command.Command) command.Command {
	self := command.Command{Name: Name, Description: Description}
	resp := discord.Reply(Message(append(others, self)))
	resp.Data.Flags = discord.FlagEphemeral
	reply := command.Static(resp)
	self.Quick = func(context.Context, command.Request) command.Reply { return reply }
	return self
}

// Message is the help text for cmds: one line each, with its options.
func Message(cmds []command.Command) discord.Message {
	var b strings.Builder
	for _, c := range cmds {
		fmt.Fprintf(&b, "`/%s", c.Name)
		for _, o := range c.Options {
			if o.Required {
				fmt.Fprintf(&b, " %s", o.Name)
			} else {
				fmt.Fprintf(&b, " [%s]", o.Name)
			}
		}
		fmt.Fprintf(&b, "` %s\n", c.Description)
	}
	return discord.Message{
		Embeds: []discord.Embed{{
			Title:       "ChatOps commands",
			Description: strings.TrimSuffix(b.String(), "\n"),
			Color:       discord.ColorBlue,
			Footer:      &discord.EmbedFooter{Text: "[option] is optional."},
		}},
		AllowedMentions: discord.NoMentions(),
	}
}
