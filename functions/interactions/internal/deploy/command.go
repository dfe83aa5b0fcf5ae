package deploy

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// approvalWindow is how long a card may be approved: the 15 minutes of an interaction token.
const approvalWindow = 15 * time.Minute

// Originals reads the message an interaction token answers; *rest.Client satisfies it.
type Originals interface {
	GetOriginal(ctx context.Context, applicationID, token string) (discord.Message, error)
}

// Service requests, approves and dispatches deploys. Build it once per execution environment.
type Service struct {
	GitHub        RepoClients
	Discord       Originals
	ApplicationID string
	Repository    string // owner/repo (GITHUB_REPOSITORY)
	Workflow      string // DEPLOY_WORKFLOW
	Environments  []string
	Policy        authz.Policy
	Audit         *audit.Recorder
	Log           *slog.Logger // warnings about GitHub and Discord reads that the card works around
	Now           func() time.Time
	// Approvals keeps the decision on each card: the first click decides, and the worker
	// dispatches only what a recorded approval names.
	Approvals approval.Records[Proposal]
	// Cache keeps each environment's successful deploys for /rollback's `to` autocomplete
	// (choices.go); nil offers none.
	Cache Cache
}

// DeployCommand is def, the /deploy definition, answered by s. s may be nil where only the
// definition is used.
func DeployCommand(s *Service, def command.Command) command.Command {
	def.Quick = func(ctx context.Context, req command.Request) command.Reply {
		return s.requestQuick(ctx, KindDeploy, req)
	}
	def.Work = func(ctx context.Context, req command.Request) (discord.Message, error) {
		return s.requestWork(ctx, KindDeploy, req)
	}
	def.Buttons = s.buttons(KindDeploy)
	return def
}

// RollbackCommand is def, the /rollback definition, answered by s; it also routes the "Roll
// back" button deploy-notify puts under a failed deploy, which opens a new rollback card.
func RollbackCommand(s *Service, def command.Command) command.Command {
	def.Quick = func(ctx context.Context, req command.Request) command.Reply {
		return s.requestQuick(ctx, KindRollback, req)
	}
	def.Work = func(ctx context.Context, req command.Request) (discord.Message, error) {
		return s.requestWork(ctx, KindRollback, req)
	}
	def.Autocomplete = s.RollbackChoices
	def.Buttons = append(s.buttons(KindRollback), command.Button{
		Prefix: deployrun.RollbackButtonPrefix,
		Quick:  s.rollbackStart,
		Work:   def.Work,
	})
	return def
}

func (s *Service) buttons(k Kind) []command.Button {
	return []command.Button{
		{Prefix: k.approvePrefix(), Quick: func(ctx context.Context, req command.Request) command.Reply { return s.approve(ctx, k, req) },
			Work: func(ctx context.Context, req command.Request) (discord.Message, error) {
				return s.startApproved(ctx, k, req)
			}},
		{Prefix: k.cancelPrefix(), Quick: func(ctx context.Context, req command.Request) command.Reply { return s.cancel(ctx, k, req) }},
	}
}

// refPattern is what a branch or tag name may look like here: git's rules, roughly, without
// spaces; a full commit id is refused because a dispatch needs a branch or tag.
var (
	refPattern = regexp.MustCompile(`^[A-Za-z0-9._/+-]+$`) // and at most 255 bytes
	shaPattern = regexp.MustCompile(`^[0-9a-f]+$`)         // and exactly 40
)

// environment is the environment a request names: the option of the command, or the end of
// the custom_id of deploy-notify's "Roll back" button.
func environment(req command.Request) string {
	if c := req.Interaction.Component; c != nil {
		return strings.TrimPrefix(c.CustomID, deployrun.RollbackButtonPrefix)
	}
	return req.Option("environment")
}

// check refuses at once what cannot become a card: a member without an allowed role, an
// environment not offered, a ref that is not a branch or tag name. The refusal is in the
// member's language: only they see it. An allowed request reads no message, so that its
// acknowledgement does not load the catalog.
func (s *Service) check(ctx context.Context, k Kind, req command.Request) string {
	in := req.Interaction
	env := environment(req)
	if err := s.Policy.Allow(in, k.action()); err != nil {
		s.audit(ctx, req, audit.Entry{Action: string(k) + ".request", Target: env, Environment: env, Outcome: "denied", Detail: authz.DenialReason(err)})
		return authz.Text(req.Member(), err)
	}
	if !slices.Contains(s.Environments, env) {
		s.audit(ctx, req, audit.Entry{Action: string(k) + ".request", Target: env, Environment: env, Outcome: "refused", Detail: "environment not offered"})
		return req.Member().T("deploy.refused.environment", i18n.Args{"Environment": discord.Quote(env), "Environments": strings.Join(s.Environments, ", ")})
	}
	ref := req.Option("ref")
	if ref != "" && (len(ref) > 255 || !refPattern.MatchString(ref) || (len(ref) == 40 && shaPattern.MatchString(ref)) || strings.Contains(ref, "..")) {
		s.audit(ctx, req, audit.Entry{Action: string(k) + ".request", Target: env + "@" + ref, Environment: env, Outcome: "refused", Detail: "not a branch or tag name"})
		return req.Member().T("deploy.refused.ref", i18n.Args{"Ref": discord.Quote(ref)})
	}
	return ""
}

// requestQuick checks a /deploy or /rollback and defers the card to the worker, which reads
// GitHub.
func (s *Service) requestQuick(ctx context.Context, k Kind, req command.Request) command.Reply {
	if msg := s.check(ctx, k, req); msg != "" {
		return command.Ephemeral(msg)
	}
	return command.Defer(false)
}

// rollbackStart answers the "Roll back" button of deploy-notify with a new rollback card (a
// new message: deploy-notify's card is left as it is).
func (s *Service) rollbackStart(ctx context.Context, req command.Request) command.Reply {
	if msg := s.check(ctx, KindRollback, req); msg != "" {
		return command.Ephemeral(msg)
	}
	return command.RespondAndDefer(discord.Deferred(false))
}

// approve answers a click on Approve at once, from the card and its approval record: refused
// (the card shows why and stays open), already decided, expired, or approved, when the card is
// locked (its buttons disabled) in the same answer and the workflow dispatch is left to the
// worker (startApproved). The decision is recorded before it is shown: of two clicks at the
// same instant, the one recorded first decides and the other is told who did.
func (s *Service) approve(ctx context.Context, k Kind, req command.Request) command.Reply {
	in, t := req.Interaction, approval.Channel(req)
	r, reply, ok := s.readOpen(ctx, k, req, "approve")
	if !ok {
		return reply
	}
	who := mention(t.Printer, in)
	if err := s.Policy.AllowApproval(in, k.action(), r.Environment, r.RequesterID); err != nil {
		return s.refuse(ctx, k, req, r, "approve", err)
	}
	if age := req.Received.Sub(r.RequestedAt); age > approvalWindow {
		if reply, ok := s.decide(ctx, k, req, r, approval.Expired, "approve"); !ok {
			return reply
		}
		s.audit(ctx, req, audit.Entry{Action: string(k) + ".approve", Target: r.target(), Environment: r.Environment, Outcome: "expired",
			Detail: "requested " + age.Round(time.Minute).String() + " before"})
		return s.close(t, req, r, state{color: discord.ColorGrey, at: req.Received,
			description: t.Printer.T("deploy.state.expired", i18n.Args{"Minutes": int(approvalWindow.Minutes()), "Command": string(k)}),
			history:     t.Printer.T("deploy.history.expired", i18n.Args{"Who": who})})
	}
	if reply, ok := s.decide(ctx, k, req, r, approval.Approved, "approve"); !ok {
		return reply
	}
	s.audit(ctx, req, audit.Entry{Action: string(k) + ".approve", Target: r.target(), Environment: r.Environment, Outcome: "approved"})
	reply = s.close(t, req, r, state{color: discord.ColorBlue, at: req.Received,
		description: t.Printer.T("deploy.state.approved", i18n.Args{"Who": who}), history: approvedLine(t.Printer, who)})
	return command.RespondAndDefer(reply.Response(discord.InteractionMessageComponent))
}

// approvedLine is the history line of an approval by who; the worker renders it from the
// record too, so that it stays on the card whatever copy of the card the worker reads.
func approvedLine(p *i18n.Printer, who string) string {
	return p.T("deploy.history.approved", i18n.Args{"Who": who})
}

// cancel closes the card: the requester or a member with an allowed role may.
func (s *Service) cancel(ctx context.Context, k Kind, req command.Request) command.Reply {
	in, t := req.Interaction, approval.Channel(req)
	r, reply, ok := s.readOpen(ctx, k, req, "cancel")
	if !ok {
		return reply
	}
	who := mention(t.Printer, in)
	if u := in.Invoker(); u == nil || u.ID != r.RequesterID {
		if err := s.Policy.Allow(in, k.action()); err != nil {
			return s.refuse(ctx, k, req, r, "cancel", err)
		}
	}
	if reply, ok := s.decide(ctx, k, req, r, approval.Cancelled, "cancel"); !ok {
		return reply
	}
	s.audit(ctx, req, audit.Entry{Action: string(k) + ".cancel", Target: r.target(), Environment: r.Environment, Outcome: "cancelled"})
	return s.close(t, req, r, state{color: discord.ColorGrey, at: req.Received,
		description: t.Printer.T("deploy.state.cancelled", i18n.Args{"Who": who}), history: t.Printer.T("deploy.history.cancelled", i18n.Args{"Who": who})})
}

// decide records the click's decision st on the card: one conditional write, in the click's
// 3 seconds. When the decision does not stand (another click decided first, or the table did
// not answer), reply is the answer, only to the clicker and in their language, and the card
// stays as it is.
func (s *Service) decide(ctx context.Context, k Kind, req command.Request, r Proposal, st approval.State, verb string) (command.Reply, bool) {
	in := req.Interaction
	rec := approval.Record[Proposal]{Kind: string(k), State: st, Proposal: r, At: req.Received.UTC(), InteractionID: in.ID}
	if u := in.Invoker(); u != nil {
		rec.By = u.ID
	}
	stands, won, err := s.Approvals.Decide(ctx, in.Message.ID, rec)
	entry := audit.Entry{Action: string(k) + "." + verb, Target: r.target(), Environment: r.Environment}
	switch {
	case err != nil:
		entry.Outcome, entry.Detail = "failed", "decision not recorded: "+err.Error()
		s.audit(ctx, req, entry)
		return command.Ephemeral(approval.NotRecorded(req.Member())), false
	case !won:
		entry.Outcome, entry.Detail = "ignored", "already "+string(stands.State)+" by "+stands.By
		s.audit(ctx, req, entry)
		return command.Ephemeral(approval.Already(req.Member(), stands)), false
	}
	return command.Reply{}, true
}

// refuse records the denial of a click (verb "approve" or "cancel") and keeps the card open,
// with who was refused and why in its history, in the channel's language.
func (s *Service) refuse(ctx context.Context, k Kind, req command.Request, r Proposal, verb string, err error) command.Reply {
	s.audit(ctx, req, audit.Entry{Action: string(k) + "." + verb, Target: r.target(), Environment: r.Environment, Outcome: "denied", Detail: authz.DenialReason(err)})
	m, t := req.Interaction.Message, approval.Channel(req)
	line := t.Printer.T("deploy.history.refused.approve", i18n.Args{"Who": mention(t.Printer, req.Interaction), "Reason": authz.Text(t.Printer, err)})
	if verb == "cancel" {
		line = t.Printer.T("deploy.history.refused.cancel", i18n.Args{"Who": mention(t.Printer, req.Interaction), "Reason": authz.Text(t.Printer, err)})
	}
	e := withState(t, m.Embeds[0], state{description: m.Embeds[0].Description, color: m.Embeds[0].Color, at: req.Received, history: line})
	return command.Respond(discord.Update(discord.Message{Embeds: append([]discord.Embed{e}, m.Embeds[1:]...)}))
}

// readOpen reads the clicked card and checks that it is still open. When it is not, reply is
// the answer: only the clicker sees it, in their language; the card stays as it is.
func (s *Service) readOpen(ctx context.Context, k Kind, req command.Request, verb string) (Proposal, command.Reply, bool) {
	in, p := req.Interaction, req.Member()
	r, err := Read(req.Texts, k, in.Message, in.Component.CustomID)
	if err != nil {
		return Proposal{}, command.Ephemeral(p.T("deploy.unreadable", i18n.Args{"Command": string(k)})), false
	}
	if !Open(k, in.Message) {
		s.audit(ctx, req, audit.Entry{Action: string(k) + "." + verb, Target: r.target(), Environment: r.Environment, Outcome: "ignored", Detail: "card already closed"})
		return r, command.Ephemeral(p.T("deploy.closed", i18n.Args{"Status": in.Message.Embeds[0].Description})), false
	}
	return r, command.Reply{}, true
}

// close answers a click by changing the card to st with its buttons disabled.
func (s *Service) close(t approval.Texts, req command.Request, r Proposal, st state) command.Reply {
	m := req.Interaction.Message
	e := withState(t, m.Embeds[0], st)
	return command.Respond(discord.Update(discord.Message{
		Embeds:     append([]discord.Embed{e}, m.Embeds[1:]...),
		Components: buttons(t.Printer, r, false, ""),
	}))
}

// mention shows the clicking member on the card (allowed_mentions keeps it from pinging).
func mention(p *i18n.Printer, in discord.Interaction) string {
	if u := in.Invoker(); u != nil {
		return discord.Mention(u.ID)
	}
	return p.T("deploy.someone")
}

// audit records e as a decision on req, by its invoker.
func (s *Service) audit(ctx context.Context, req command.Request, e audit.Entry) {
	s.Audit.Record(ctx, e.By(req.Interaction, req.RequestID))
}
