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
// and shows the preview card. Approve checks the approver and the card, locks the card at once
// and applies the change in the deferred invocation; Cancel closes the card. Every request,
// approval, cancel and refusal is one audit record. s may be nil where only the definition is
// used (registration, /help).
func Command(s *Service, def command.Command) command.Command {
	def.Quick, def.Work = s.request, s.preview
	def.Buttons = []command.Button{
		{Prefix: ApprovePrefix, Quick: s.approve, Work: s.apply},
		{Prefix: CancelPrefix, Quick: s.cancel},
	}
	return def
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

// click reads a click on a card. It answers inline when the card is not one of ours, already
// closed, or too old, and returns ok only when the click may go on. What only the clicker
// sees is in their language, the card in the channel's.
func (s *Service) click(ctx context.Context, req command.Request, act string) (Proposal, command.Reply, bool) {
	in, p, t := req.Interaction, req.Member(), approval.Channel(req)
	r, err := parseClick(req.Texts, in)
	if err != nil {
		return r, command.Ephemeral(p.T("scale.unreadable")), false
	}
	target := auditTarget(r.Target, r.Desired)
	if status := closed(t, p, in.Message); status != "" {
		s.audit(ctx, req, act, target, "ignored", "card already closed")
		return r, command.Ephemeral(p.T("scale.closed", i18n.Args{"Status": status})), false
	}
	if s.Now().Sub(r.At) > MaxAge {
		if reply, ok := s.decide(ctx, req, act, r, approval.Expired); !ok {
			return r, reply, false
		}
		s.audit(ctx, req, act, target, "expired", "")
		return r, command.Respond(discord.Update(update(t, in.Message, t.Printer.T("scale.state.expired", i18n.Args{"Minutes": int(MaxAge.Minutes())}),
			discord.ColorGrey, "", done))), false
	}
	return r, command.Reply{}, true
}

// refuse keeps the card open and says on it why the click was refused.
func (s *Service) refuse(ctx context.Context, req command.Request, act string, r Proposal, err error) command.Reply {
	s.audit(ctx, req, act, auditTarget(r.Target, r.Desired), "denied", authz.DenialReason(err))
	m, t := req.Interaction.Message, approval.Channel(req)
	status := t.Field(m.Embeds[0], fieldStatus)
	note := t.Printer.T("scale.state.refused", i18n.Args{"Who": mention(t.Printer, req.Interaction), "Button": label(t.Printer, act), "Reason": authz.Text(t.Printer, err)})
	return command.Respond(discord.Update(update(t, m, status, m.Embeds[0].Color, note, open)))
}

// label is the label of the button of act, in p's language.
func label(p *i18n.Printer, act string) string {
	if act == "scale.cancel" {
		return p.T("scale.button.cancel")
	}
	return p.T("scale.button.approve")
}

// mention shows the clicking member on the card (allowed_mentions keeps it from pinging).
func mention(p *i18n.Printer, in discord.Interaction) string {
	if u := in.Invoker(); u != nil {
		return discord.Mention(u.ID)
	}
	return p.T("scale.someone")
}

// approve checks the approver and the card, records the approval, and locks the card at once
// while the change is applied in the deferred invocation. A second click on a locked card is
// refused: Discord sends each click with the message as it was then; of two clicks on the open
// card, the one recorded first decides and the other is told who did.
func (s *Service) approve(ctx context.Context, req command.Request) command.Reply {
	r, reply, ok := s.click(ctx, req, "scale.approve")
	if !ok {
		return reply
	}
	// The two-person rule is for deploy environments; a scale change is bounded and
	// reversible, so its requester may approve it.
	if err := s.Policy.AllowApproval(req.Interaction, action, "", r.RequesterID); err != nil {
		return s.refuse(ctx, req, "scale.approve", r, err)
	}
	if reply, ok := s.decide(ctx, req, "scale.approve", r, approval.Approved); !ok {
		return reply
	}
	s.audit(ctx, req, "scale.approve", auditTarget(r.Target, r.Desired), "approved", "")
	t := approval.Channel(req)
	return command.RespondAndDefer(discord.Update(update(t, req.Interaction.Message,
		t.Printer.T("scale.state.approved", i18n.Args{"Who": mention(t.Printer, req.Interaction)}), discord.ColorBlue, "", locked)))
}

// decide records the click's decision st on the card: one conditional write, in the click's
// 3 seconds. When the decision does not stand (another click decided first, or the table did
// not answer), reply is the answer, only to the clicker, and the card stays as it is.
func (s *Service) decide(ctx context.Context, req command.Request, act string, r Proposal, st approval.State) (command.Reply, bool) {
	in := req.Interaction
	rec := approval.Record[Proposal]{Kind: "scale", State: st, Proposal: r, At: req.Received.UTC(), InteractionID: in.ID}
	if u := in.Invoker(); u != nil {
		rec.By = u.ID
	}
	stands, won, err := s.Approvals.Decide(ctx, in.Message.ID, rec)
	switch {
	case err != nil:
		s.audit(ctx, req, act, auditTarget(r.Target, r.Desired), "failed", "decision not recorded: "+err.Error())
		return command.Ephemeral(approval.NotRecorded(req.Member())), false
	case !won:
		s.audit(ctx, req, act, auditTarget(r.Target, r.Desired), "ignored", "already "+string(stands.State)+" by "+stands.By)
		return command.Ephemeral(approval.Already(req.Member(), stands)), false
	}
	return command.Reply{}, true
}

// apply makes the approved change and closes the card with the result. What it changes, and
// who approved, it reads from the card's approval record; without a record of this click's
// approval it changes nothing and says so. The change is claimed for this interaction and its
// result recorded, so that a repeated delivery of the work only shows the result again;
// Scaler.Apply also reads the resource again and writes nothing when the count is already
// set. What it tells the user is the card itself, so refusals are not errors.
func (s *Service) apply(ctx context.Context, req command.Request) (discord.Message, error) {
	in, t := req.Interaction, approval.Channel(req)
	r, err := parseClick(req.Texts, in)
	if err != nil {
		return discord.Message{}, err
	}
	rec, again, err := s.Approvals.Run(ctx, in.Message.ID, in.ID, "apply", func(ctx context.Context, rec approval.Record[Proposal]) approval.Record[Proposal] {
		return s.applyStep(ctx, t.Printer, req, rec)
	})
	switch {
	case errors.Is(err, approval.ErrBusy):
		return discord.Message{}, err
	case errors.Is(err, approval.ErrUnconfirmed):
		s.audit(ctx, req, "scale.apply", auditTarget(r.Target, r.Desired), "refused", "approval not confirmed: "+err.Error())
		return update(t, in.Message, t.Printer.T("scale.state.unconfirmed"), discord.ColorRed, "", done), nil
	case err != nil:
		return discord.Message{}, err
	case again:
		s.audit(ctx, req, "scale.apply", auditTarget(rec.Proposal.Target, rec.Proposal.Desired), "duplicate", "already "+string(rec.State))
	}
	color := discord.ColorGreen
	if rec.State == approval.Failed {
		color = discord.ColorRed
	}
	return update(t, in.Message, rec.Result.Text, color, "", done), nil
}

// applyStep is the step of an approval: it makes the change the record names and returns the
// record with the outcome, said in p's language (the channel's).
func (s *Service) applyStep(ctx context.Context, p *i18n.Printer, req command.Request, rec approval.Record[Proposal]) approval.Record[Proposal] {
	r := rec.Proposal
	target := auditTarget(r.Target, r.Desired)
	who := discord.Mention(rec.By)
	before, err := s.Scaler.Apply(ctx, p, r.Target, r.Desired)
	res := &approval.Result{At: s.Now().UTC(), RequestID: req.RequestID}
	rec.Result, rec.State = res, approval.Failed
	var e *command.Error
	switch {
	case errors.Is(err, ErrNoChange):
		s.audit(ctx, req, "scale.apply", target, "unchanged", Reason(err))
		rec.State, res.Text = approval.Applied, p.T("scale.result.unchanged", i18n.Args{"Name": discord.Quote(r.Target.Name), "Desired": r.Desired, "Who": who})
	case errors.As(err, &e):
		s.audit(ctx, req, "scale.apply", target, "failed", Reason(err)+": "+err.Error())
		res.Text = p.T("scale.result.refused", i18n.Args{"Who": who, "Reason": e.Message})
	case err != nil:
		s.audit(ctx, req, "scale.apply", target, "failed", err.Error())
		res.Text = p.T("scale.result.internal", i18n.Args{"Who": who, "RequestID": req.RequestID})
	default:
		s.audit(ctx, req, "scale.apply", target, "scaled", fmt.Sprintf("%d -> %d", before.Desired, r.Desired))
		rec.State, res.Text = approval.Applied, p.T("scale.result.scaled", i18n.Args{"Name": discord.Quote(r.Target.Name), "From": before.Desired,
			"To": r.Desired, "Who": who, "At": stamp(res.At, "f")})
	}
	return rec
}

// cancel closes the card. The requester may cancel their own request; anyone else needs a
// role that may scale.
func (s *Service) cancel(ctx context.Context, req command.Request) command.Reply {
	r, reply, ok := s.click(ctx, req, "scale.cancel")
	if !ok {
		return reply
	}
	if u := req.Interaction.Invoker(); u == nil || u.ID != r.RequesterID {
		if err := s.Policy.Allow(req.Interaction, action); err != nil {
			return s.refuse(ctx, req, "scale.cancel", r, err)
		}
	}
	if reply, ok := s.decide(ctx, req, "scale.cancel", r, approval.Cancelled); !ok {
		return reply
	}
	s.audit(ctx, req, "scale.cancel", auditTarget(r.Target, r.Desired), "cancelled", "")
	t := approval.Channel(req)
	return command.Respond(discord.Update(update(t, req.Interaction.Message,
		t.Printer.T("scale.state.cancelled", i18n.Args{"Who": mention(t.Printer, req.Interaction), "At": stamp(s.Now(), "f")}), discord.ColorGrey, "", done)))
}
