// Package help answers /help with one line per command of the table, so that the list can
// never disagree with what is registered and routed. It speaks the member's language.
package help

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Name of /help in the table; its description is the message "command.help.description".
const Name = "help"

// Command is the /help entry of the command table, listing others and then itself. The answer
// in each language is built and encoded once, on the first /help in that language: /help then
// costs nothing but the language lookup.
func Command(others []command.Command) command.Command {
	self := command.Command{Name: Name}
	cmds := append(others, self)
	var replies [2]lazyReply // one a language: English, Korean
	self.Quick = func(_ context.Context, req command.Request) command.Reply {
		lang := i18n.ForLocale(req.Interaction.Locale)
		r := &replies[0]
		if lang == i18n.Korean {
			r = &replies[1]
		}
		return r.get(req.Texts, lang, cmds)
	}
	return self
}

// lazyReply is the /help answer of one language, built on first use. Once built, reading it
// takes one atomic load and no allocation (a sync.Once would cost a closure per call).
type lazyReply struct {
	built atomic.Bool
	mu    sync.Mutex
	reply command.Reply
}

func (l *lazyReply) get(texts *i18n.Catalog, lang i18n.Language, cmds []command.Command) command.Reply {
	if l.built.Load() {
		return l.reply
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.built.Load() {
		resp := discord.Reply(Message(texts.Printer(lang), cmds))
		resp.Data.Flags = discord.FlagEphemeral
		l.reply = command.Static(resp)
		l.built.Store(true)
	}
	return l.reply
}

// Message is the help text for cmds in p's language: one line each, with its options.
func Message(p *i18n.Printer, cmds []command.Command) discord.Message {
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
		fmt.Fprintf(&b, "` %s\n", c.Describe(p))
	}
	return discord.Message{
		Embeds: []discord.Embed{{
			Title:       p.T("help.title"),
			Description: strings.TrimSuffix(b.String(), "\n"),
			Color:       discord.ColorBlue,
			Footer:      &discord.EmbedFooter{Text: p.T("help.footer")},
		}},
		AllowedMentions: discord.NoMentions(),
	}
}
