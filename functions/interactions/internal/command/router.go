package command

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
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
		if c.Quick == nil {
			errs = append(errs, fmt.Errorf("command %q: no quick handler", c.Name))
		}
		for _, o := range c.Options {
			if !validName(o.Name) {
				errs = append(errs, fmt.Errorf("command %q: option name %q", c.Name, o.Name))
			}
			if o.Description != "" {
				errs = append(errs, fmt.Errorf("command %q: option %q: its description comes from the catalog, leave it empty", c.Name, o.Name))
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

// Definitions is the table as registered with Discord, in its order, with its texts from the
// catalog texts (Command.Definition). It refuses what Discord would refuse: a description
// or a choice name that is not 1 to 100 characters in either language, and a text the
// catalog lacks.
func (r *Router) Definitions(texts *i18n.Catalog) ([]discord.Command, error) {
	defs := make([]discord.Command, len(r.commands))
	var errs []error
	check := func(what, text string, localized discord.Localizations) {
		for _, t := range append([]string{text}, slices.Sorted(maps.Values(localized))...) {
			if n := utf8.RuneCountInString(t); n < 1 || n > 100 || strings.HasPrefix(t, "[command.") {
				errs = append(errs, fmt.Errorf("%s: %q is not in the catalog or not 1 to 100 characters", what, t))
			}
		}
	}
	for i, c := range r.commands {
		d := c.Definition(texts)
		check(fmt.Sprintf("command %q: description", c.Name), d.Description, d.DescriptionLocalizations)
		for _, o := range d.Options {
			check(fmt.Sprintf("command %q: option %q: description", c.Name, o.Name), o.Description, o.DescriptionLocalizations)
			for _, ch := range o.Choices {
				check(fmt.Sprintf("command %q: option %q: choice %v", c.Name, o.Name, ch.Value), ch.Name, ch.NameLocalizations)
			}
		}
		defs[i] = d
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("command definitions: %w", err)
	}
	return defs, nil
}

// route is what an interaction resolves to. Its texts are made only when shown: the
// acknowledgement of an allowed interaction builds none.
type route struct {
	label   string // "/status" or "The /deploy button", for the log
	name    string // the command's name, for the texts
	kind    routeKind
	quick   QuickFunc
	work    WorkFunc
	refusal refusal // set instead of quick when the interaction is refused
}

// routeKind is what an interaction is, for the texts that name it.
type routeKind int

const (
	routeCommand routeKind = iota
	routeButton
	routeStaleButton
	routeOther
)

// refusal is why an interaction is refused; 0 when it is not.
type refusal int

const (
	allowed refusal = iota
	refuseUnknown
	refuseGuildOnly
	refuseDMOnly
	refuseStaleButton
	refuseUnsupported
)

// title names the interaction to start a sentence shown to the user: "/status", "The /deploy
// button".
func (rt route) title() Text {
	switch rt.kind {
	case routeCommand:
		return T("command.label.command", i18n.Args{"Name": rt.name})
	case routeButton:
		return T("command.label.button", i18n.Args{"Name": rt.name})
	case routeStaleButton:
		return T("command.label.stalebutton")
	}
	return T("command.label.interaction")
}

// denial is the text of the refusal.
func (rt route) denial() Text {
	switch rt.refusal {
	case refuseUnknown:
		return T("command.refuse.unknown", i18n.Args{"Name": rt.name})
	case refuseGuildOnly:
		return T("command.refuse.guildonly", i18n.Args{"Name": rt.name})
	case refuseDMOnly:
		return T("command.refuse.dmonly", i18n.Args{"Name": rt.name})
	case refuseStaleButton:
		return T("command.refuse.stalebutton")
	}
	return T("command.refuse.unsupported")
}

func (r *Router) route(in discord.Interaction) route {
	switch {
	case in.Command != nil:
		i, ok := r.byName[in.Command.Name]
		if !ok {
			return route{label: "/" + in.Command.Name, name: in.Command.Name, kind: routeCommand, refusal: refuseUnknown}
		}
		c := r.commands[i]
		rt := route{label: "/" + c.Name, name: c.Name, kind: routeCommand, quick: c.Quick, work: c.Work}
		if !c.allowedIn(in.GuildID != "") {
			rt.refusal = refuseDMOnly
			if slices.Contains(c.Contexts, ContextGuild) {
				rt.refusal = refuseGuildOnly
			}
		}
		return rt
	case in.Component != nil:
		for _, b := range r.buttons {
			if strings.HasPrefix(in.Component.CustomID, b.Prefix) {
				return route{label: "The /" + b.owner + " button", name: b.owner, kind: routeButton, quick: b.Quick, work: b.Work}
			}
		}
		return route{label: "This button", kind: routeStaleButton, refusal: refuseStaleButton}
	}
	return route{label: "This interaction", kind: routeOther, refusal: refuseUnsupported}
}

// Quick answers an interaction within Discord's deadline: the inline reply of its command or
// button, or Defer. Unknown commands and buttons, and commands used where they are not
// allowed, get an ephemeral answer.
func (r *Router) Quick(ctx context.Context, req Request) Reply {
	if req.Interaction.Type == discord.InteractionAutocomplete {
		return r.autocomplete(ctx, req)
	}
	rt := r.route(req.Interaction)
	if rt.refusal != allowed {
		return Ephemeral(rt.denial().In(req.Member()))
	}
	reply := rt.quick(ctx, req)
	if reply.deferred && rt.work == nil {
		return Ephemeral(T("command.refuse.noworker", i18n.Args{"Label": rt.title()}).In(req.Member()))
	}
	return reply
}

// Work runs the worker of a deferred interaction and returns the message that replaces the
// deferred response. The message is always usable: when the work fails or panics it says
// plainly what failed and what to try, and the error, for the log, says why.
func (r *Router) Work(ctx context.Context, req Request) (msg discord.Message, err error) {
	rt := r.route(req.Interaction)
	if rt.refusal != allowed || rt.work == nil {
		return failure(req, rt.title(), nil), fmt.Errorf("work for %s: no worker", rt.label)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("work for %s: panic: %v\n%s", rt.label, p, debug.Stack())
			msg = failure(req, rt.title(), nil)
		}
	}()
	msg, err = rt.work(ctx, req)
	if err != nil {
		return failure(req, rt.title(), err), fmt.Errorf("work for %s: %w", rt.label, err)
	}
	return msg, nil
}

// failure is the message a user sees when work fails, in the language of whoever reads the
// answer: the *Error's own text, or a plain internal-error text that names the request for
// the operator.
func failure(req Request, title Text, err error) discord.Message {
	p := req.Answer()
	var e *Error
	if errors.As(err, &e) {
		return discord.Message{Content: "⚠️ " + e.In(p), AllowedMentions: discord.NoMentions()}
	}
	text := T("command.failure.internal", i18n.Args{"Label": title, "RequestID": req.RequestID})
	if errors.Is(err, context.DeadlineExceeded) {
		text = T("command.failure.timeout", i18n.Args{"Label": title})
	}
	return discord.Message{Content: text.In(p), AllowedMentions: discord.NoMentions()}
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
