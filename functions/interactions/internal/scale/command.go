package scale

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// action is what authz calls the permission, in its messages: "You need one of these roles to scale".
const action = authz.ActionScale

// Service is what /scale needs to answer: the clients, who may act, where the audit records
// go, and the clock (time.Now outside tests).
type Service struct {
	Scaler *Scaler
	Policy authz.Policy
	Audit  *audit.Recorder
	Now    func() time.Time
	// Approvals keeps the decision on each card: the first click decides, and the worker
	// applies only what a recorded approval names.
	Approvals approval.Records[Proposal]
}

// Command fills in the /scale entry of the command table, whose definition the table gives.
// The command checks who asks and what, at once; the deferred invocation reads the resource
// and shows the preview card. Approve and Cancel are the approval lifecycle's (package
// approval), which calls back for the change itself (applyStep) and the card (render). s may be
// nil where only the definition is used (registration, /help).
func Command(s *Service, def command.Command) command.Command {
	def.Quick, def.Work = s.request, s.preview
	def.Buttons = s.flow().Buttons()
	return def
}

// flow is the approval lifecycle of the cards, with what this package supplies to it: reading a
// card back, the change, and the card's rendering.
func (s *Service) flow() *approval.Flow[Proposal] {
	f := &approval.Flow[Proposal]{
		Feature: approval.Feature[Proposal]{
			Kind: "scale", Action: action, Step: "apply",
			// The two-person rule is for deploy environments; a scale change is bounded and
			// reversible, so its requester may approve it.
			TwoPerson: false,
			Read:      readEmbed,
			About: func(r Proposal) approval.Subject {
				return approval.Subject{RequesterID: r.RequesterID, Target: auditTarget(r.Target, r.Desired)}
			},
			Act: func(ctx context.Context, t approval.Texts, req command.Request, rec approval.Record[Proposal]) approval.Outcome {
				return s.applyStep(ctx, t.Printer, req.RequestID, rec)
			},
			Render: render,
			Status: func(t approval.Texts, e discord.Embed) string { return t.Field(e, fieldStatus) },
		},
	}
	if s != nil {
		f.Records, f.Policy, f.Audit, f.Now = s.Approvals, s.Policy, s.Audit, s.Now
	}
	return f
}

// audit records one decision.
func (s *Service) audit(ctx context.Context, req command.Request, act, target, outcome, detail string) {
	s.Audit.Record(ctx, audit.Entry{Action: act, Target: target, Outcome: outcome, Detail: detail}.By(req.Interaction, req.RequestID))
}

// auditTarget is the audit line's target: "ecs prod/web -> 4".
func auditTarget(t Target, desired int32) string {
	return fmt.Sprintf("%s %s -> %d", t.Kind, t.Name, desired)
}

// options reads and checks the command's options; what is wrong with them is in p's language.
func options(p *i18n.Printer, req command.Request) (Target, int32, error) {
	t, err := ParseTarget(p, req.Option("service"), req.Option("target"))
	if err != nil {
		return Target{}, 0, err
	}
	desired, ok := req.Interaction.Command.Int("desired")
	if !ok || desired < 0 || desired > math.MaxInt32 {
		return Target{}, 0, &command.Error{Message: p.T("scale.option.desired")}
	}
	return t, int32(desired), nil
}

// request answers /scale at once: a denial or a malformed option inline, only to the invoker;
// otherwise the preview is deferred, for everyone in the channel to see.
//
// The options are checked with a nil Printer first, which reads no catalog: a request that
// is deferred does not load it in its acknowledgement. A refusal is then said in the member's
// language.
func (s *Service) request(ctx context.Context, req command.Request) command.Reply {
	t, desired, optErr := options(nil, req)
	target := auditTarget(t, desired)
	if optErr != nil {
		target = req.Option("service") + " " + req.Option("target")
	}
	if err := s.Policy.Allow(req.Interaction, action); err != nil {
		s.audit(ctx, req, "scale.request", target, "denied", authz.DenialReason(err))
		p := req.Member()
		return command.Ephemeral(p.T("scale.denied", i18n.Args{"Reason": authz.Text(p, err)}))
	}
	if optErr != nil {
		_, _, optErr = options(req.Member(), req)
	}
	var e *command.Error
	if errors.As(optErr, &e) {
		s.audit(ctx, req, "scale.request", target, "refused", "invalid options")
		return command.Ephemeral(e.Message)
	}
	return command.Defer(false)
}

// preview reads the resource and shows the card, or why it cannot be scaled, in the
// channel's language: everyone sees the answer.
func (s *Service) preview(ctx context.Context, req command.Request) (discord.Message, error) {
	p := req.Channel()
	t, desired, err := options(p, req)
	if err != nil {
		return discord.Message{}, err
	}
	target := auditTarget(t, desired)
	st, err := s.Scaler.Read(ctx, p, t)
	if err == nil {
		err = Check(p, st, desired)
	}
	if err != nil {
		s.audit(ctx, req, "scale.request", target, "refused", Reason(err))
		return discord.Message{}, err
	}
	s.audit(ctx, req, "scale.request", target, "requested", fmt.Sprintf("from %d", st.Desired))
	r := Proposal{Target: t, Desired: desired, At: req.Received.Truncate(time.Second)}
	if u := req.Interaction.Invoker(); u != nil {
		r.RequesterID = u.ID
	}
	return Preview(p, r, st), nil
}

// applyStep is the action of an approval: it makes the change the record names and says the
// outcome in p's language (the channel's).
func (s *Service) applyStep(ctx context.Context, p *i18n.Printer, requestID string, rec approval.Record[Proposal]) approval.Outcome {
	r := rec.Proposal
	who := discord.Mention(rec.By)
	before, err := s.Scaler.Apply(ctx, p, r.Target, r.Desired)
	at := s.Now().UTC()
	o := approval.Outcome{State: approval.Failed, Audited: "failed", Result: approval.Result{At: at, Line: p.T("scale.history.failed")}}
	var e *command.Error
	switch {
	case errors.Is(err, ErrNoChange):
		o.State, o.Audited, o.Detail = approval.Applied, "unchanged", Reason(err)
		o.Result.Text = p.T("scale.result.unchanged", i18n.Args{"Name": discord.Quote(r.Target.Name), "Desired": r.Desired, "Who": who})
		o.Result.Line = p.T("scale.history.unchanged", i18n.Args{"Desired": r.Desired})
	case errors.As(err, &e):
		o.Detail = Reason(err) + ": " + err.Error()
		o.Result.Text = p.T("scale.result.refused", i18n.Args{"Who": who, "Reason": e.Message})
	case err != nil:
		o.Detail = err.Error()
		o.Result.Text = p.T("scale.result.internal", i18n.Args{"Who": who, "RequestID": requestID})
	default:
		o.State, o.Audited, o.Detail = approval.Applied, "scaled", fmt.Sprintf("%d -> %d", before.Desired, r.Desired)
		o.Result.Text = p.T("scale.result.scaled", i18n.Args{"Name": discord.Quote(r.Target.Name), "From": before.Desired,
			"To": r.Desired, "Who": who, "At": stamp(at, "f")})
		o.Result.Line = p.T("scale.history.scaled", i18n.Args{"From": before.Desired, "To": r.Desired})
	}
	return o
}
