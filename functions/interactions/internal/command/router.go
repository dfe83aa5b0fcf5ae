package command

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Router finds the handlers of an interaction in the table it was built from. It is safe for
// concurrent use.
type Router struct {
	commands []Command
	byName   map[string]int // index in commands
	buttons  []buttonRoute  // longest prefix first
}

type buttonRoute struct {
	Button
	owner string // the command's name, for messages
}

// namePattern is Discord's rule for CHAT_INPUT command and option names, lower case only.
//
// See https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-naming
var namePattern = regexp.MustCompile(`^[-_\p{Ll}\p{N}]+$`)

// validName applies namePattern and the limit of 32 characters; the limit is not in the
// pattern because a counted repetition compiles into that many copies, at every cold start.
func validName(s string) bool { return utf8.RuneCountInString(s) <= 32 && namePattern.MatchString(s) }

// NewRouter checks the table and builds a router over it. It refuses what Discord would
// refuse at registration and what would route ambiguously: duplicate names or button
// prefixes, missing quick handlers.
func NewRouter(cmds ...Command) (*Router, error) {
	r := &Router{commands: cmds, byName: make(map[string]int, len(cmds))}
	var errs []error
	prefixes := map[string]bool{}
	for i, c := range cmds {
		if !validName(c.Name) {
			errs = append(errs, fmt.Errorf("command %q: name must be 1 to 32 lower-case letters, digits, - or _", c.Name))
		}
		if _, dup := r.byName[c.Name]; dup {
			errs = append(errs, fmt.Errorf("command %q: listed twice", c.Name))
		}
		r.byName[c.Name] = i
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 100 {
			errs = append(errs, fmt.Errorf("command %q: description of %d characters, want 1 to 100", c.Name, n))
		}
		if c.Quick == nil {
			errs = append(errs, fmt.Errorf("command %q: no quick handler", c.Name))
		}
		for _, o := range c.Options {
			if !validName(o.Name) {
				errs = append(errs, fmt.Errorf("command %q: option name %q", c.Name, o.Name))
			}
			if n := utf8.RuneCountInString(o.Description); n < 1 || n > 100 {
				errs = append(errs, fmt.Errorf("command %q: option %q: description of %d characters, want 1 to 100", c.Name, o.Name, n))
			}
		}
		for _, b := range c.Buttons {
			switch {
			case b.Prefix == "" || len(b.Prefix) > discord.MaxCustomID:
				errs = append(errs, fmt.Errorf("command %q: button prefix %q", c.Name, b.Prefix))
			case prefixes[b.Prefix]:
				errs = append(errs, fmt.Errorf("command %q: button prefix %q taken", c.Name, b.Prefix))
			case b.Quick == nil:
				errs = append(errs, fmt.Errorf("command %q: button %q has no quick handler", c.Name, b.Prefix))
			}
			prefixes[b.Prefix] = true
			r.buttons = append(r.buttons, buttonRoute{Button: b, owner: c.Name})
		}
	}
	if len(cmds) > 100 {
		errs = append(errs, fmt.Errorf("%d commands, Discord allows 100", len(cmds)))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("command table: %w", err)
	}
	slices.SortStableFunc(r.buttons, func(a, b buttonRoute) int { return cmp.Compare(len(b.Prefix), len(a.Prefix)) })
	return r, nil
}

// Commands is the table, in its order.
func (r *Router) Commands() []Command { return slices.Clone(r.commands) }

// Definitions is the table as registered with Discord, in its order.
func (r *Router) Definitions() []discord.Command {
	defs := make([]discord.Command, len(r.commands))
	for i, c := range r.commands {
		defs[i] = c.Definition()
	}
	return defs
}

// route is what an interaction resolves to.
type route struct {
	label string // "/status" or "The /deploy button", to start a sentence
	quick QuickFunc
	work  WorkFunc
	deny  string // set instead of quick when the interaction is refused
}

func (r *Router) route(in discord.Interaction) route {
	switch {
	case in.Command != nil:
		i, ok := r.byName[in.Command.Name]
		if !ok {
			return route{label: "/" + in.Command.Name, deny: fmt.Sprintf(
				"I don't know `/%s`: it may have been removed. Try `/help` for what I can do.", in.Command.Name)}
		}
		c := r.commands[i]
		rt := route{label: "/" + c.Name, quick: c.Quick, work: c.Work}
		if !c.allowedIn(in.GuildID != "") {
			rt.deny = fmt.Sprintf("`/%s` can't be used here: %s.", c.Name, where(c.Contexts))
		}
		return rt
	case in.Component != nil:
		for _, b := range r.buttons {
			if strings.HasPrefix(in.Component.CustomID, b.Prefix) {
				return route{label: "The /" + b.owner + " button", quick: b.Quick, work: b.Work}
			}
		}
		return route{label: "This button", deny: "This button no longer does anything: run the command again for a fresh one."}
	}
	return route{label: "This interaction", deny: "I can't handle this kind of interaction."}
}

func where(ctxs []Context) string {
	if slices.Contains(ctxs, ContextGuild) {
		return "use it in a server channel"
	}
	return "use it in a direct message with the bot"
}

// Quick answers an interaction within Discord's deadline: the inline reply of its command or
// button, or Defer. Unknown commands and buttons, and commands used where they are not
// allowed, get an ephemeral answer.
func (r *Router) Quick(ctx context.Context, req Request) Reply {
	if req.Interaction.Type == discord.InteractionAutocomplete {
		return r.autocomplete(ctx, req)
	}
	rt := r.route(req.Interaction)
	if rt.deny != "" {
		return Ephemeral(rt.deny)
	}
	reply := rt.quick(ctx, req)
	if reply.deferred && rt.work == nil {
		return Ephemeral(fmt.Sprintf("%s is not wired up correctly (it deferred with no worker). Please tell whoever runs the bot.", rt.label))
	}
	return reply
}

// Work runs the worker of a deferred interaction and returns the message that replaces the
// deferred response. The message is always usable: when the work fails or panics it says
// plainly what failed and what to try, and the error, for the log, says why.
func (r *Router) Work(ctx context.Context, req Request) (msg discord.Message, err error) {
	rt := r.route(req.Interaction)
	if rt.deny != "" || rt.work == nil {
		return failure(rt.label, req.RequestID, nil), fmt.Errorf("work for %s: no worker", rt.label)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("work for %s: panic: %v\n%s", rt.label, p, debug.Stack())
			msg = failure(rt.label, req.RequestID, nil)
		}
	}()
	msg, err = rt.work(ctx, req)
	if err != nil {
		return failure(rt.label, req.RequestID, err), fmt.Errorf("work for %s: %w", rt.label, err)
	}
	return msg, nil
}

// failure is the message a user sees when work fails: the *Error's own message, or a plain
// internal-error text that names the request for the operator.
func failure(label, requestID string, err error) discord.Message {
	var e *Error
	if errors.As(err, &e) {
		return discord.Message{Content: "⚠️ " + e.Message, AllowedMentions: discord.NoMentions()}
	}
	text := fmt.Sprintf("⚠️ %s failed with an internal error. Try again in a minute; if it keeps failing, ask whoever runs the bot to look for request `%s` in the interactions function's logs.", label, requestID)
	if errors.Is(err, context.DeadlineExceeded) {
		text = fmt.Sprintf("⚠️ %s took too long and was stopped. Try again, perhaps with a narrower target.", label)
	}
	return discord.Message{Content: text, AllowedMentions: discord.NoMentions()}
}

// autocomplete answers an autocomplete interaction with its command's choices for the option
// being typed: none for a command without an Autocomplete. Discord shows only such an answer
// (callback type 8), never a message.
//
// See https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-autocomplete
func (r *Router) autocomplete(ctx context.Context, req Request) Reply {
	choices := []discord.Choice{}
	if in := req.Interaction; in.Command != nil {
		if i, ok := r.byName[in.Command.Name]; ok && r.commands[i].Autocomplete != nil && r.commands[i].allowedIn(in.GuildID != "") {
			choices = r.commands[i].Autocomplete(ctx, req)
		}
	}
	return Respond(discord.AutocompleteResult(choices))
}
