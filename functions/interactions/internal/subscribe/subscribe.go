// Package subscribe is /subscribe, /unsubscribe and /subscriptions: which channel hears about
// which GitHub repository, and what of it (shared/subscription). Members with an allowed role
// (authz, as for /deploy) subscribe and unsubscribe the channel they type in; anyone in the
// server may list the channel's subscriptions. Answers are ephemeral, in the member's language.
//
// Listing is its own command rather than a list option of /subscribe: /subscribe needs its repo
// option, a list mode would make it optional and mix a read with a write, and /help shows the
// three side by side.
//
// The table is written and read in the deferred invocation: the acknowledgement makes no
// network call, except to record a refusal in the audit trail.
package subscribe

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/assign"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/subscription"
)

// Store keeps the subscriptions; subscription.Store satisfies it.
type Store interface {
	Put(ctx context.Context, s subscription.Subscription) error
	Delete(ctx context.Context, repo, channelID string) (bool, error)
	ForChannel(ctx context.Context, channelID string) ([]subscription.Subscription, error)
}

// Service answers the three commands. Build it once per execution environment.
type Service struct {
	// Store is nil when the function has no table: every answer then says it cannot be read.
	Store  Store
	Policy authz.Policy
	Audit  *audit.Recorder
	Log    *slog.Logger
}

// Option names.
const (
	optionRepo          = "repo"
	optionEvents        = "events"
	optionBranches      = "branches"
	optionDrafts        = "drafts"
	optionLabels        = "labels"
	optionExcludeLabels = "exclude_labels"
	optionIgnoreAuthors = "ignore_authors"
	optionBots          = "bots"
)

// listRunes bounds the comma-separated options: a few names, within a message.
const listRunes = 200

// Commands are the /subscribe, /unsubscribe and /subscriptions entries of the command table,
// answered by s (nil where only the definitions are used: registration, /help). Their texts are
// command.<name>.* in locales/.
func Commands(s *Service) []command.Command {
	guild := []command.Context{command.ContextGuild}
	events := make([]discord.Choice, len(subscription.AllEvents))
	for i, e := range subscription.AllEvents {
		events[i] = discord.Choice{Value: string(e)}
	}
	return []command.Command{
		{
			Name: "subscribe",
			Options: []discord.OptionDef{
				{Type: discord.OptionString, Name: optionRepo, Required: true, MaxLength: 140},
				{Type: discord.OptionString, Name: optionEvents, Choices: events},
				{Type: discord.OptionString, Name: optionBranches, MaxLength: listRunes},
				{Type: discord.OptionBoolean, Name: optionDrafts},
				{Type: discord.OptionString, Name: optionLabels, MaxLength: listRunes},
				{Type: discord.OptionString, Name: optionExcludeLabels, MaxLength: listRunes},
				{Type: discord.OptionString, Name: optionIgnoreAuthors, MaxLength: listRunes},
				{Type: discord.OptionBoolean, Name: optionBots},
			},
			// A first fence, as for /deploy: server admins may open it to the allowed roles.
			Permissions: discord.PermissionManageGuild,
			Contexts:    guild,
			Quick:       s.quickSubscribe,
			Work:        s.subscribe,
		},
		{
			Name:        "unsubscribe",
			Options:     []discord.OptionDef{{Type: discord.OptionString, Name: optionRepo, Required: true, MaxLength: 140}},
			Permissions: discord.PermissionManageGuild,
			Contexts:    guild,
			Quick:       s.quickUnsubscribe,
			Work:        s.unsubscribe,
		},
		{
			Name:     "subscriptions",
			Contexts: guild,
			Quick:    func(context.Context, command.Request) command.Reply { return command.Defer(true) },
			Work:     s.list,
		},
	}
}

// request is what /subscribe asks for, read from its options.
type request struct {
	repo   string
	filter subscription.Filter
}

// read reads /subscribe's or /unsubscribe's options and says, in p's language, what is wrong
// with them ("" when nothing). A nil p reads no catalog: a valid request does not load it.
func read(p *i18n.Printer, req command.Request) (request, string) {
	r := request{repo: strings.ToLower(strings.TrimSpace(req.Option(optionRepo)))}
	if !assign.ValidRepository(r.repo) {
		return r, p.T("subscribe.bad_repo", i18n.Args{"Repo": discord.Quote(req.Option(optionRepo))})
	}
	data := req.Interaction.Command
	r.filter = subscription.Filter{
		Events:        subscription.Events(req.Option(optionEvents)),
		Branches:      authz.ParseList(req.Option(optionBranches)),
		Labels:        authz.ParseList(req.Option(optionLabels)),
		ExcludeLabels: authz.ParseList(req.Option(optionExcludeLabels)),
		IgnoreAuthors: trimAt(authz.ParseList(req.Option(optionIgnoreAuthors))),
	}
	r.filter.Drafts, _ = data.Bool(optionDrafts)
	r.filter.Bots, _ = data.Bool(optionBots)
	var pe *subscription.PatternError
	switch err := r.filter.Validate(); {
	case errors.As(err, &pe):
		return r, p.T("subscribe.bad_pattern", i18n.Args{"Pattern": discord.Quote(pe.Pattern)})
	case err != nil:
		return r, p.T("subscribe.bad_events", i18n.Args{"Events": discord.Quote(string(r.filter.Events))})
	}
	return r, ""
}

// trimAt drops the @ a member may type before a login.
func trimAt(logins []string) []string {
	for i, l := range logins {
		logins[i] = strings.TrimPrefix(l, "@")
	}
	return logins
}

// allow refuses a member without an allowed role, or options that cannot be stored, inline,
// and records the refusal; otherwise it defers, ephemerally.
func (s *Service) allow(ctx context.Context, req command.Request, action string) command.Reply {
	target := strings.TrimSpace(req.Option(optionRepo))
	if err := s.Policy.Allow(req.Interaction, authz.ActionSubscribe); err != nil {
		s.record(ctx, req, action, target, "denied", authz.DenialReason(err))
		return command.Ephemeral("⛔ " + authz.Text(req.Member(), err))
	}
	if _, problem := read(nil, req); problem != "" {
		s.record(ctx, req, action, target, "refused", "invalid options")
		_, problem = read(req.Member(), req)
		return command.Ephemeral(problem)
	}
	return command.Defer(true)
}

func (s *Service) quickSubscribe(ctx context.Context, req command.Request) command.Reply {
	return s.allow(ctx, req, "subscribe")
}

func (s *Service) quickUnsubscribe(ctx context.Context, req command.Request) command.Reply {
	return s.allow(ctx, req, "unsubscribe")
}

// record writes an audit entry of a subscription's change or refusal.
func (s *Service) record(ctx context.Context, req command.Request, action, repo, outcome, detail string) {
	s.Audit.Record(ctx, audit.Entry{Action: action, Target: repo + " -> " + req.Interaction.ChannelID, Outcome: outcome,
		Detail: detail}.By(req.Interaction, req.RequestID))
}

// subscribe stores the channel's subscription, replacing an earlier one to the same repository.
func (s *Service) subscribe(ctx context.Context, req command.Request) (discord.Message, error) {
	p := req.Member()
	r, problem := read(p, req)
	if problem != "" { // checked when acknowledged; the worker reads the same options
		return discord.Message{Content: problem}, nil
	}
	if s.Store == nil {
		return discord.Message{Content: p.T("subscribe.unavailable")}, nil
	}
	sub := subscription.Subscription{Repo: r.repo, ChannelID: req.Interaction.ChannelID, GuildID: req.Interaction.GuildID,
		Filter: r.filter, At: req.Received}
	if u := req.Interaction.Invoker(); u != nil {
		sub.By = u.ID
	}
	if err := s.Store.Put(ctx, sub); err != nil {
		return s.fault(ctx, req, err)
	}
	s.record(ctx, req, "subscribe", r.repo, "subscribed", "")
	return discord.Message{Content: p.T("subscribe.done", i18n.Args{"Repo": discord.Code(r.repo), "What": Describe(p, r.filter)})}, nil
}

// unsubscribe deletes the channel's subscription to the repository.
func (s *Service) unsubscribe(ctx context.Context, req command.Request) (discord.Message, error) {
	p := req.Member()
	r, problem := read(p, req)
	if problem != "" {
		return discord.Message{Content: problem}, nil
	}
	if s.Store == nil {
		return discord.Message{Content: p.T("subscribe.unavailable")}, nil
	}
	found, err := s.Store.Delete(ctx, r.repo, req.Interaction.ChannelID)
	if err != nil {
		return s.fault(ctx, req, err)
	}
	args := i18n.Args{"Repo": discord.Code(r.repo)}
	if !found {
		return discord.Message{Content: p.T("subscribe.not_found", args)}, nil
	}
	s.record(ctx, req, "unsubscribe", r.repo, "unsubscribed", "")
	return discord.Message{Content: p.T("subscribe.removed", args)}, nil
}

// list answers the channel's subscriptions, one line each.
func (s *Service) list(ctx context.Context, req command.Request) (discord.Message, error) {
	p := req.Member()
	if s.Store == nil {
		return discord.Message{Content: p.T("subscribe.unavailable")}, nil
	}
	subs, err := s.Store.ForChannel(ctx, req.Interaction.ChannelID)
	if err != nil {
		return s.fault(ctx, req, err)
	}
	return List(p, subs), nil
}

// fault answers that the table did not answer, or returns err for an internal error.
func (s *Service) fault(ctx context.Context, req command.Request, err error) (discord.Message, error) {
	if !state.Unavailable(err) {
		return discord.Message{}, err
	}
	s.Log.LogAttrs(ctx, slog.LevelWarn, "subscriptions", slog.String("request_id", req.RequestID), slog.String("error", err.Error()))
	return discord.Message{Content: req.Member().T("subscribe.unavailable")}, nil
}

// List is the answer of /subscriptions in p's language: the channel's subscriptions, one line
// each, or that it has none.
func List(p *i18n.Printer, subs []subscription.Subscription) discord.Message {
	if len(subs) == 0 {
		return discord.Message{Content: p.T("subscribe.list.empty")}
	}
	lines := []string{p.N("subscribe.list.heading", len(subs))}
	for _, s := range subs {
		lines = append(lines, "• "+discord.Code(s.Repo)+": "+Describe(p, s.Filter))
	}
	return discord.Message{Content: discord.Truncate(strings.Join(lines, "\n"), discord.MaxContent)}
}

// Describe says what f lets through, in p's language: "pull requests and issues · base
// branches `main`, `release/*` · drafts too".
func Describe(p *i18n.Printer, f subscription.Filter) string {
	events := f.Events
	if events == "" {
		events = subscription.EventsDefault
	}
	parts := []string{p.T("subscribe.events." + string(events))}
	if len(f.Branches) > 0 {
		parts = append(parts, p.T("subscribe.part.branches", i18n.Args{"Branches": codes(f.Branches)}))
	}
	if f.Drafts {
		parts = append(parts, p.T("subscribe.part.drafts"))
	}
	if len(f.Labels) > 0 {
		parts = append(parts, p.T("subscribe.part.labels", i18n.Args{"Labels": codes(f.Labels)}))
	}
	if len(f.ExcludeLabels) > 0 {
		parts = append(parts, p.T("subscribe.part.exclude_labels", i18n.Args{"Labels": codes(f.ExcludeLabels)}))
	}
	if len(f.IgnoreAuthors) > 0 {
		parts = append(parts, p.T("subscribe.part.ignore_authors", i18n.Args{"Authors": codes(f.IgnoreAuthors)}))
	}
	if f.Bots {
		parts = append(parts, p.T("subscribe.part.bots"))
	}
	return strings.Join(parts, " · ")
}

// codes shows names as inline code, comma-separated.
func codes(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = discord.Quote(n)
	}
	return strings.Join(out, ", ")
}
