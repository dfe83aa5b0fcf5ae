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

// buttons are the Approve and Cancel of k's cards: the approval lifecycle's.
func (s *Service) buttons(k Kind) []command.Button { return s.flow(k).Buttons() }

// flow is the approval lifecycle of k's cards, with what this package supplies to it: reading a
// card back, the dispatch, and the card's rendering.
func (s *Service) flow(k Kind) *approval.Flow[Proposal] {
	return &approval.Flow[Proposal]{
		Feature: approval.Feature[Proposal]{
			Kind: string(k), Action: k.action(), Step: "dispatch", TwoPerson: true,
			Read: func(c *i18n.Catalog, e discord.Embed, requesterID string, at time.Time) (Proposal, error) {
				return readEmbed(c, k, e, requesterID, at)
			},
			About: func(r Proposal) approval.Subject {
				return approval.Subject{RequesterID: r.RequesterID, Environment: r.Environment, Target: r.target()}
			},
			Act: func(ctx context.Context, t approval.Texts, req command.Request, rec approval.Record[Proposal]) approval.Outcome {
				return s.dispatch(ctx, t, req, rec)
			},
			Render: func(t approval.Texts, card discord.Message, v approval.View[Proposal]) discord.Message {
				return s.render(t, k, card, v)
			},
			Status: func(_ approval.Texts, e discord.Embed) string { return e.Description },
		},
		Records: s.Approvals, Policy: s.Policy, Audit: s.Audit, Log: s.Log, Now: s.Now,
		Discord: s.Discord, ApplicationID: s.ApplicationID,
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

// audit records e as a decision on req, by its invoker.
func (s *Service) audit(ctx context.Context, req command.Request, e audit.Entry) {
	s.Audit.Record(ctx, e.By(req.Interaction, req.RequestID))
}
