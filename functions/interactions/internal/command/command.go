package command

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Context is where a command may be used, as Discord's InteractionContextType numbers it.
type Context int

// Interaction contexts.
const (
	ContextGuild          Context = 0 // a server channel
	ContextBotDM          Context = 1 // a direct message with the bot
	ContextPrivateChannel Context = 2 // other DMs and group DMs
)

// Request is an interaction as the handlers see it.
type Request struct {
	Interaction discord.Interaction
	// Received is when the acknowledgement path received the interaction: its token, which
	// edits the original response, expires 15 minutes later.
	Received time.Time
	// RequestID is the Lambda request id of the invocation at work, quoted to users so that
	// an operator can find the log line.
	RequestID string
	// Texts is the function's message catalog and Language the language of what the whole
	// channel sees (CHATOPS_LANGUAGE); see Member and Channel.
	Texts    *i18n.Catalog
	Language i18n.Language
	// Private says that the answer the worker edits is seen by the invoking member alone: the
	// acknowledgement deferred ephemerally. Only the worker's Request has it.
	Private bool
}

// Member speaks the invoking member's language, from their Discord locale: for a reply meant
// for them alone (an ephemeral answer, a refusal).
func (r Request) Member() *i18n.Printer {
	return r.Texts.Printer(i18n.ForLocale(r.Interaction.Locale))
}

// Channel speaks the channel's language (CHATOPS_LANGUAGE): for what everyone sees (cards,
// their history, results).
func (r Request) Channel() *i18n.Printer {
	return r.Texts.Printer(r.Language)
}

// Answer speaks the language of whoever reads the answer the worker edits: the member's
// when it is theirs alone (Private), the channel's otherwise.
func (r Request) Answer() *i18n.Printer {
	if r.Private {
		return r.Member()
	}
	return r.Channel()
}

// Option is the string value of the invoked command's option name, "" when absent.
func (r Request) Option(name string) string {
	s, _ := r.Interaction.Command.String(name)
	return s
}

// Reply is what a quick handler decides: an inline response, or to defer to the worker.
type Reply struct {
	response  discord.Response
	encoded   string // response as JSON, for Static replies
	deferred  bool
	ephemeral bool
	// inline is set with deferred when response is sent at once and the worker runs too.
	inline bool
}

// Respond answers inline with r.
func Respond(r discord.Response) Reply { return Reply{response: r} }

// Static answers inline with r, encoded once, here: build it when the table is built, for an
// answer that never changes (/help), and answering costs no JSON work.
func Static(r discord.Response) Reply {
	b, err := json.Marshal(r)
	if err != nil { // a Response always encodes; fall back to encoding per request anyway
		return Respond(r)
	}
	return Reply{response: r, encoded: string(b)}
}

// Ephemeral answers inline with a text only the invoker sees.
func Ephemeral(text string) Reply { return Respond(discord.EphemeralReply(text)) }

// Defer acknowledges at once and hands the interaction to the worker, which edits the
// response. For a command the user sees "thinking..." until then, only them when ephemeral;
// for a button the message stays as it is and ephemeral is ignored.
func Defer(ephemeral bool) Reply { return Reply{deferred: true, ephemeral: ephemeral} }

// RespondAndDefer answers inline with r and also hands the interaction to the worker, whose
// message then edits the original response. A button uses it to change its card at once
// (discord.Update: buttons disabled, "dispatching...") while the slow part runs, or to answer
// with a new message (discord.Deferred) instead of an edit of the message it is on.
func RespondAndDefer(r discord.Response) Reply {
	return Reply{response: r, deferred: true, inline: true}
}

// Deferred says whether the reply hands the interaction to the worker.
func (r Reply) Deferred() bool { return r.deferred }

// Private says whether the response the worker edits, for an interaction of type t, is seen
// by the invoking member alone: an ephemeral deferred or inline message. A button's card is
// seen by the channel.
func (r Reply) Private(t discord.InteractionType) bool {
	if !r.inline {
		return r.deferred && r.ephemeral && t != discord.InteractionMessageComponent
	}
	switch r.response.Type {
	case discord.ResponseChannelMessageWithSource, discord.ResponseDeferredChannelMessageWithSource:
		return r.response.Data != nil && r.response.Data.Flags&discord.FlagEphemeral != 0
	}
	return false
}

// Response is the interaction response to send for the reply to an interaction of type t.
func (r Reply) Response(t discord.InteractionType) discord.Response {
	if !r.deferred || r.inline {
		return r.response
	}
	if t == discord.InteractionMessageComponent {
		return discord.DeferredUpdate()
	}
	return discord.Deferred(r.ephemeral)
}

// The deferred responses, encoded once.
var (
	deferredJSON          = mustJSON(discord.Deferred(false))
	deferredEphemeralJSON = mustJSON(discord.Deferred(true))
	deferredUpdateJSON    = mustJSON(discord.DeferredUpdate())
)

func mustJSON(r discord.Response) string {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// JSON is Response(t) encoded, without encoding work for Static and deferred replies.
func (r Reply) JSON(t discord.InteractionType) (string, error) {
	switch {
	case r.inline:
	case r.deferred && t == discord.InteractionMessageComponent:
		return deferredUpdateJSON, nil
	case r.deferred && r.ephemeral:
		return deferredEphemeralJSON, nil
	case r.deferred:
		return deferredJSON, nil
	case r.encoded != "":
		return r.encoded, nil
	}
	b, err := json.Marshal(r.response)
	return string(b), err
}

// QuickFunc answers an interaction within Discord's 3 seconds. It must make no network call:
// validate, answer what can be answered from memory, and Defer the rest. The context is the
// acknowledging invocation's, for the log and audit lines it writes.
type QuickFunc func(context.Context, Request) Reply

// WorkFunc does the deferred work of an interaction in the asynchronous invocation and returns
// the message that replaces the deferred response. An *Error is shown to the user as it
// says; any other error as an internal error. The invocation may be retried by Lambda when the
// edit fails, so work with side effects must be idempotent.
type WorkFunc func(context.Context, Request) (discord.Message, error)

// Command is one slash command: its definition, how it is answered, and the buttons it owns.
// Adding a command to the suite is adding one Command to the table, and its texts to a
// catalog (see Definition).
type Command struct {
	Name string // lower case, 1 to 32 characters
	// Options are registered with their descriptions, and the names of choices without one,
	// from the catalog (see Definition): leave those fields empty.
	Options []discord.OptionDef
	// Permissions is the default_member_permissions bitfield, a first fence that server
	// admins can override; 0 lets everyone. Check permissions in the handler too.
	Permissions int64
	// Contexts lists where the command may be used; nil means everywhere.
	Contexts []Context
	Quick    QuickFunc
	Work     WorkFunc // nil when Quick never defers
	Buttons  []Button
	// Autocomplete offers the choices of an option declared with Autocomplete as the member
	// types it (the focused option's value is Request.Option); nil offers none. It answers
	// within Discord's 3 seconds, like Quick, and never defers.
	Autocomplete func(context.Context, Request) []discord.Choice
}

// Button routes the clicks on the buttons whose custom_id starts with Prefix. A command's
// cards put their own prefix in the custom_ids they create ("deploy:approve:<id>").
type Button struct {
	Prefix string
	Quick  QuickFunc
	Work   WorkFunc
}

// Definition is the command as registered with Discord, its texts from the catalog texts in
// English, with the Korean as localizations: the description is the message
// "command.<name>.description" (/help shows it too), an option's
// "command.<name>.option.<option>.description", and a choice without a name is named
// "command.<name>.option.<option>.choice.<value>". A choice with a name is data, such as a
// deploy environment from DEPLOY_ENVIRONMENTS: it stays as written, in every language.
//
// See https://discord.com/developers/docs/interactions/application-commands#application-command-object
// and https://discord.com/developers/docs/interactions/application-commands#localization
func (c Command) Definition(texts *i18n.Catalog) discord.Command {
	en, ko := texts.Printer(i18n.English), texts.Printer(i18n.Korean)
	local := func(id string) (string, discord.Localizations) {
		return en.T(id), discord.Localizations{string(i18n.Korean): ko.T(id)}
	}
	d := discord.Command{Type: 1, Name: c.Name} // 1: CHAT_INPUT
	d.Description, d.DescriptionLocalizations = local(c.textID("description"))
	for _, o := range c.Options {
		prefix := "option." + o.Name + "."
		o.Description, o.DescriptionLocalizations = local(c.textID(prefix + "description"))
		choices := make([]discord.Choice, len(o.Choices))
		for i, ch := range o.Choices {
			if ch.Name == "" {
				ch.Name, ch.NameLocalizations = local(c.textID(prefix + "choice." + fmt.Sprint(ch.Value)))
			}
			choices[i] = ch
		}
		if o.Choices != nil {
			o.Choices = choices
		}
		d.Options = append(d.Options, o)
	}
	if c.Permissions != 0 {
		p := strconv.FormatInt(c.Permissions, 10)
		d.DefaultMemberPermissions = &p
	}
	for _, ctx := range c.Contexts {
		d.Contexts = append(d.Contexts, int(ctx))
	}
	return d
}

// Describe is the command's description in p's language, as /help shows it.
func (c Command) Describe(p *i18n.Printer) string {
	return p.T(c.textID("description"))
}

// textID is the id of one of the command's texts in the catalog.
func (c Command) textID(suffix string) string { return "command." + c.Name + "." + suffix }

// allowedIn says whether the command may be used in an interaction from a guild or not.
func (c Command) allowedIn(inGuild bool) bool {
	if c.Contexts == nil {
		return true
	}
	for _, ctx := range c.Contexts {
		if (ctx == ContextGuild) == inGuild {
			return true
		}
	}
	return false
}
