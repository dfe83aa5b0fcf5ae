package command

import (
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Text is a message of the function's catalog not printed yet: its id and the fields of its
// template. An error carries one so that it is printed in the language of whoever reads it,
// which only the edge knows: the member for an ephemeral refusal, the channel for a failure
// shown where everyone sees the answer.
type Text struct {
	ID   string
	Args i18n.Args
}

// T is the text of message id with args (at most one Args), to be printed later with In. A
// field that is itself a Text is printed in the same language. (Named like Printer.T so that
// i18ntest finds the ids it is called with.)
func T(id string, args ...i18n.Args) Text {
	t := Text{ID: id}
	if len(args) > 0 {
		t.Args = args[0]
	}
	return t
}

// In prints t in p's language.
func (t Text) In(p *i18n.Printer) string {
	if t.Args == nil {
		return p.T(t.ID)
	}
	args := make(i18n.Args, len(t.Args))
	for k, v := range t.Args {
		if nested, ok := v.(Text); ok {
			v = nested.In(p)
		}
		args[k] = v
	}
	return p.T(t.ID, args)
}
