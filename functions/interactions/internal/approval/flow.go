package approval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Window is how long a card takes approvals, measured from its request (the card's creation,
// the time in its buttons' custom_ids) to the click's arrival. From the request, not from any
// click: what the card previewed (a commit, a desired count) was read then, and the token of
// the request that made the card expires 15 minutes after it, so a card is never approved on a
// preview older than that.
const Window = 15 * time.Minute

// Subject is what the lifecycle needs to know of a proposal.
type Subject struct {
	RequesterID string
	// Environment is the deploy environment of the two-person rule and of the audit entries; ""
	// for a change without one (scale).
	Environment string
	// Target names the proposal in the audit entries: "prod@main", "ecs prod/web -> 4".
	Target string
}

// Outcome is what a feature's action did: the record's final state (Dispatched, Applied or
// Failed), what the card says of it, and the audit entry's outcome and detail.
type Outcome struct {
	State   State
	Result  Result
	Audited string // the audit Outcome: "dispatched", "scaled", "failed"...
	Detail  string
}

// Feature is what a card's feature supplies to the lifecycle: reading its proposal back from
// the card, its action, and its rendering. Everything else is the lifecycle's.
type Feature[P any] struct {
	// Kind is the first word of the buttons' custom_ids ("deploy:approve:<requester>:<unix>"),
	// of the audit actions ("deploy.approve") and the /command to run again.
	Kind string
	// Action is the permission, as authz names it.
	Action string
	// Step names the worker's step in its claim and audit action: "dispatch", "apply".
	Step string
	// TwoPerson applies the two-person rule (authz.Policy.TwoPerson) to Subject.Environment.
	TwoPerson bool
	// Read reads the proposal of the card e, whose buttons name requesterID and requestedAt;
	// c names its fields in every language.
	Read func(c *i18n.Catalog, e discord.Embed, requesterID string, requestedAt time.Time) (P, error)
	// About is what the lifecycle needs to know of p.
	About func(p P) Subject
	// Act makes the approved change of rec once, saying its result in t's language.
	Act func(ctx context.Context, t Texts, req command.Request, rec Record[P]) Outcome
	// Render is card showing v, in t's language: the feature puts the status, history and
	// buttons where its card has them.
	Render func(t Texts, card discord.Message, v View[P]) discord.Message
	// Status is the status the card e shows, for the answer to a click on a closed card.
	Status func(t Texts, e discord.Embed) string
}

// View is what the lifecycle shows on a card at one moment.
type View[P any] struct {
	Proposal P
	// State is the record's, Open while the card takes clicks; Unconfirmed is set when the
	// worker found no approval to act on.
	State       State
	Unconfirmed bool
	// Record is the record that stands (zero before the first click).
	Record Record[P]
	// Who is the mention of the member who decided.
	Who string
	// History is the card's history, oldest first, each line with its time.
	History []string
	// Color is the card's colour for State.
	Color int
	// Buttons are the card's Approve and Cancel (disabled while the worker acts) and nil once
	// the card is closed.
	Buttons []discord.Component
}

// Flow is the lifecycle of one feature's cards. Build it once per execution environment.
type Flow[P any] struct {
	Feature Feature[P]
	Records Records[P]
	Policy  authz.Policy
	Audit   *audit.Recorder
	Log     *slog.Logger
	Now     func() time.Time
	// Discord reads the card as it is when the worker edits it (a status embed may have been
	// added since the click); nil uses the clicked copy.
	Discord       Originals
	ApplicationID string
}

// Originals reads the message an interaction token answers; *rest.Client satisfies it.
type Originals interface {
	GetOriginal(ctx context.Context, applicationID, token string) (discord.Message, error)
}

// Prefixes of the buttons' custom_ids.
func (f *Flow[P]) approvePrefix() string { return f.Feature.Kind + ":approve:" }
func (f *Flow[P]) cancelPrefix() string  { return f.Feature.Kind + ":cancel:" }

// Buttons routes the card's Approve and Cancel.
func (f *Flow[P]) Buttons() []command.Button {
	return []command.Button{
		{Prefix: f.approvePrefix(), Quick: f.approve, Work: f.work},
		{Prefix: f.cancelPrefix(), Quick: f.cancel},
	}
}

// CustomID is the custom_id of a card's button: "<kind>:approve:<requester id>:<unix seconds>"
// (at most 8 + 8 + 20 + 1 + 11 characters, within Discord's 100). The format is the one the
// cards had before this package, so cards made earlier still read.
func CustomID(kind, verb, requesterID string, requestedAt time.Time) string {
	return kind + ":" + verb + ":" + requesterID + ":" + strconv.FormatInt(requestedAt.Unix(), 10)
}

// OpenButtons are a new card's Approve and Cancel, labelled in p's language.
func OpenButtons(p *i18n.Printer, kind, requesterID string, requestedAt time.Time) []discord.Component {
	return []discord.Component{discord.ActionRow(
		discord.Button(discord.ButtonSuccess, p.T("approval.button.approve"), CustomID(kind, "approve", requesterID, requestedAt)),
		discord.Button(discord.ButtonSecondary, p.T("approval.button.cancel"), CustomID(kind, "cancel", requesterID, requestedAt)),
	)}
}

var idPattern = regexp.MustCompile(`^([a-z]+):(approve|cancel):([0-9]{1,20}):([0-9]{1,11})$`)

// errUnreadable is a click on a message that is not a card of the feature.
var errUnreadable = errors.New("not a card of the suite")

// click is a click on a card, read back.
type click[P any] struct {
	proposal    P
	about       Subject
	requestedAt time.Time
}

// read reads the click of req back from its card.
func (f *Flow[P]) read(req command.Request) (click[P], error) {
	in := req.Interaction
	if in.Component == nil || in.Message == nil || len(in.Message.Embeds) == 0 {
		return click[P]{}, errUnreadable
	}
	_, requesterID, at, ok := ParseCustomID(f.Feature.Kind, in.Component.CustomID)
	if !ok {
		return click[P]{}, errUnreadable
	}
	p, err := f.Feature.Read(req.Texts, in.Message.Embeds[0], requesterID, at)
	if err != nil {
		return click[P]{}, fmt.Errorf("%w: %w", errUnreadable, err)
	}
	return click[P]{proposal: p, about: f.Feature.About(p), requestedAt: at}, nil
}

// ParseCustomID reads a button's custom_id made by CustomID for kind's cards: the verb
// ("approve", "cancel"), the requester and the time of the request.
func ParseCustomID(kind, customID string) (verb, requesterID string, requestedAt time.Time, ok bool) {
	m := idPattern.FindStringSubmatch(customID)
	if m == nil || m[1] != kind {
		return "", "", time.Time{}, false
	}
	unix, _ := strconv.ParseInt(m[4], 10, 64)
	return m[2], m[3], time.Unix(unix, 0).UTC(), true
}

// open says whether the card m still takes clicks: its Approve button is there and enabled.
func (f *Flow[P]) open(m *discord.Message) bool {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.HasPrefix(c.CustomID, f.approvePrefix()) && !c.Disabled {
				return true
			}
		}
	}
	return false
}

// audit records the entry of a transition of c, by the invoker of req.
func (f *Flow[P]) audit(ctx context.Context, req command.Request, c click[P], step, outcome, detail string) {
	f.Audit.Record(ctx, audit.Entry{Action: f.Feature.Kind + "." + step, Target: c.about.Target, Environment: c.about.Environment,
		Outcome: outcome, Detail: detail}.By(req.Interaction, req.RequestID))
}

// begin reads a click and answers at once what needs no decision: an unreadable card, a closed
// one. Only the clicker sees these answers, in their language.
func (f *Flow[P]) begin(ctx context.Context, req command.Request, verb string) (click[P], command.Reply, bool) {
	c, err := f.read(req)
	if err != nil {
		return c, command.Ephemeral(req.Member().T("approval.unreadable", i18n.Args{"Command": f.Feature.Kind})), false
	}
	if !f.open(req.Interaction.Message) {
		f.audit(ctx, req, c, verb, "ignored", "card already closed")
		status := f.Feature.Status(Channel(req), req.Interaction.Message.Embeds[0])
		return c, command.Ephemeral(req.Member().T("approval.closed", i18n.Args{"Status": status})), false
	}
	return c, command.Reply{}, true
}

// approve answers a click on Approve: refused (a history line, the card stays open), too late
// (expired), or approved, when the card locks in the same answer and the worker acts.
func (f *Flow[P]) approve(ctx context.Context, req command.Request) command.Reply {
	c, reply, ok := f.begin(ctx, req, "approve")
	if !ok {
		return reply
	}
	in := req.Interaction
	env := ""
	if f.Feature.TwoPerson {
		env = c.about.Environment
	}
	if err := f.Policy.AllowApproval(in, f.Feature.Action, env, c.about.RequesterID); err != nil {
		return f.refuse(ctx, req, c, "approve", err)
	}
	if age := req.Received.Sub(c.requestedAt); age > Window {
		return f.decide(ctx, req, c, "approve", Expired, "history.expired", "expired", "requested "+age.Round(time.Minute).String()+" before")
	}
	return f.decide(ctx, req, c, "approve", Approved, "history.approved", "approved", "")
}

// cancel closes the card: its requester, or a member who may request it, may.
func (f *Flow[P]) cancel(ctx context.Context, req command.Request) command.Reply {
	c, reply, ok := f.begin(ctx, req, "cancel")
	if !ok {
		return reply
	}
	if u := req.Interaction.Invoker(); u == nil || u.ID != c.about.RequesterID {
		if err := f.Policy.Allow(req.Interaction, f.Feature.Action); err != nil {
			return f.refuse(ctx, req, c, "cancel", err)
		}
	}
	return f.decide(ctx, req, c, "cancel", Cancelled, "history.cancelled", "cancelled", "")
}

// event is the history event of the click of req.
func event(req command.Request, what, reason string) Event {
	e := Event{At: req.Received.UTC(), What: what, Reason: reason}
	if u := req.Interaction.Invoker(); u != nil {
		e.By = u.ID
	}
	return e
}

// refuse records a refused click as a history line of the open card and shows it there.
func (f *Flow[P]) refuse(ctx context.Context, req command.Request, c click[P], verb string, err error) command.Reply {
	t := Channel(req)
	ev := event(req, "history.refused."+verb, authz.Text(t.Printer, err))
	rec, won, werr := f.Records.Decide(ctx, req.Interaction.Message.ID, f.Feature.Kind, c.proposal, Open, ev, req.Interaction.ID)
	f.audit(ctx, req, c, verb, "denied", authz.DenialReason(err))
	switch {
	case werr != nil:
		// Nothing changes state: show the refusal on the card all the same.
		f.log().LogAttrs(ctx, slog.LevelWarn, "record a refused click", slog.String("error", werr.Error()))
		rec = Record[P]{State: Open, Proposal: c.proposal, Events: []Event{ev}}
	case !won:
		return command.Ephemeral(Already(req.Member(), rec))
	}
	return command.Respond(discord.Update(f.render(t, *req.Interaction.Message, rec, c.proposal, false)))
}

// decide makes the click's decision to: one conditional transition of the record, in the
// click's 3 seconds, then the card rendered from the record. When the decision does not stand
// (another click decided first, or the table did not answer), the answer is only the
// clicker's and the card stays as it is.
func (f *Flow[P]) decide(ctx context.Context, req command.Request, c click[P], verb string, to State, what, outcome, detail string) command.Reply {
	in := req.Interaction
	rec, won, err := f.Records.Decide(ctx, in.Message.ID, f.Feature.Kind, c.proposal, to, event(req, what, ""), in.ID)
	switch {
	case err != nil:
		f.audit(ctx, req, c, verb, "failed", "decision not recorded: "+err.Error())
		return command.Ephemeral(NotRecorded(req.Member()))
	case !won:
		f.audit(ctx, req, c, verb, "ignored", "already "+string(rec.State)+" by "+rec.By)
		return command.Ephemeral(Already(req.Member(), rec))
	}
	f.audit(ctx, req, c, verb, outcome, detail)
	update := discord.Update(f.render(Channel(req), *in.Message, rec, c.proposal, false))
	if to == Approved {
		return command.RespondAndDefer(update)
	}
	return command.Respond(update)
}

// work is the worker of an approval: it acts once on what the record names, never on the
// card, and shows the outcome on the card. Without a record of this click's approval it does
// nothing and says so on the card. The step is claimed for this interaction and its result
// recorded, so that a repeated delivery only shows the result again.
func (f *Flow[P]) work(ctx context.Context, req command.Request) (discord.Message, error) {
	in, t := req.Interaction, Channel(req)
	c, err := f.read(req)
	if err != nil {
		return discord.Message{}, &command.Error{Message: t.Printer.T("approval.unreadable", i18n.Args{"Command": f.Feature.Kind}), Err: err}
	}
	rec, done, err := f.Records.Run(ctx, in.Message.ID, in.ID, f.Feature.Step, func(ctx context.Context, rec Record[P]) Record[P] {
		o := f.Feature.Act(ctx, t, req, rec)
		res := o.Result
		if res.At.IsZero() {
			res.At = f.Now().UTC()
		}
		res.RequestID = req.RequestID
		rec.State, rec.Result = o.State, &res
		f.audit(ctx, req, c, f.Feature.Step, o.Audited, o.Detail)
		return rec
	})
	switch {
	case errors.Is(err, ErrBusy):
		return discord.Message{}, err
	case errors.Is(err, ErrUnconfirmed):
		f.log().LogAttrs(ctx, slog.LevelWarn, f.Feature.Step+" without a recorded approval refused", slog.String("error", err.Error()))
		f.audit(ctx, req, c, f.Feature.Step, "refused", "approval not confirmed")
		out := f.render(t, f.current(ctx, in), Record[P]{State: Failed, Proposal: c.proposal, Result: &Result{At: f.Now().UTC()}}, c.proposal, true)
		return out, nil
	case err != nil:
		return discord.Message{}, err
	case done:
		f.audit(ctx, req, c, f.Feature.Step, "duplicate", "already "+string(rec.State)+" "+rec.Result.URL)
	}
	return f.render(t, f.current(ctx, in), rec, rec.Proposal, false), nil
}

// current is the card as it is now, read through the click's token, or the card as clicked.
func (f *Flow[P]) current(ctx context.Context, in discord.Interaction) discord.Message {
	if f.Discord == nil {
		return *in.Message
	}
	m, err := f.Discord.GetOriginal(ctx, f.ApplicationID, in.Token)
	if err == nil && len(m.Embeds) > 0 {
		return m
	}
	f.log().LogAttrs(ctx, slog.LevelWarn, "read the card before editing it", slog.Any("error", err))
	return *in.Message
}

// Render is card showing the record rec, in t's language: what the worker leaves on the card.
func (f *Flow[P]) Render(t Texts, card discord.Message, rec Record[P]) discord.Message {
	return f.render(t, card, rec, rec.Proposal, false)
}

// render is card showing the record rec of proposal p, in t's language.
func (f *Flow[P]) render(t Texts, card discord.Message, rec Record[P], p P, unconfirmed bool) discord.Message {
	about := f.Feature.About(p)
	st := rec.State
	if st == "" {
		st = Open
	}
	v := View[P]{Proposal: p, State: st, Unconfirmed: unconfirmed, Record: rec, Who: discord.Mention(rec.By),
		History: History(t.Printer, about.RequesterID, f.requestedAt(card), rec, unconfirmed)}
	switch st {
	case Open:
		v.Color, v.Buttons = discord.ColorYellow, card.Components
	case Approved:
		v.Color = discord.ColorBlue
		v.Buttons = disabled(card.Components)
	case Dispatched, Applied:
		v.Color = discord.ColorGreen
	case Failed:
		v.Color = discord.ColorRed
	default:
		v.Color = discord.ColorGrey
	}
	return f.Feature.Render(t, card, v)
}

// requestedAt is the time of the request, from the card's buttons ("" buttons: zero).
func (f *Flow[P]) requestedAt(card discord.Message) time.Time {
	for _, row := range card.Components {
		for _, c := range row.Components {
			if _, _, at, ok := ParseCustomID(f.Feature.Kind, c.CustomID); ok {
				return at
			}
		}
	}
	return time.Time{}
}

// disabled is the card's buttons, disabled: the card is locked while the worker acts.
func disabled(rows []discord.Component) []discord.Component {
	var out []discord.Component
	for _, row := range rows {
		row.Components = append([]discord.Component(nil), row.Components...)
		for i := range row.Components {
			row.Components[i].Disabled = true
		}
		out = append(out, row)
	}
	return out
}

func (f *Flow[P]) log() *slog.Logger {
	if f.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Log
}

// maxHistory is how many history lines a card keeps, newest last.
const maxHistory = 12

// History is the history of a card rendered from its record in p's language: the request by
// requesterID at requestedAt, then each event, then the worker's result line (or, when
// unconfirmed, that nothing was done). Each line shows its time in each reader's zone.
func History[P any](p *i18n.Printer, requesterID string, requestedAt time.Time, rec Record[P], unconfirmed bool) []string {
	lines := []string{Line(requestedAt, p.T("approval.history.requested", i18n.Args{"Who": discord.Mention(requesterID)}))}
	for _, e := range rec.Events {
		lines = append(lines, Line(e.At, p.T("approval."+e.What, i18n.Args{"Who": mention(p, e.By), "Reason": e.Reason})))
	}
	switch {
	case unconfirmed:
		lines = append(lines, Line(rec.Result.At, p.T("approval.history.unconfirmed")))
	case rec.Result != nil && rec.Result.Line != "":
		lines = append(lines, Line(rec.Result.At, rec.Result.Line))
	}
	for len(lines) > maxHistory || (len(lines) > 1 && len(strings.Join(lines, "\n")) > discord.MaxFieldValue) {
		lines = lines[1:]
	}
	return lines
}

// mention shows a member on a card (allowed_mentions keeps it from pinging).
func mention(p *i18n.Printer, id string) string {
	if id == "" {
		return p.T("approval.someone")
	}
	return discord.Mention(id)
}

// Line is one line of a card's history, its time shown in each reader's zone.
//
// See https://discord.com/developers/docs/reference#message-formatting-timestamp-styles
func Line(at time.Time, text string) string {
	return fmt.Sprintf("<t:%d:T> %s", at.Unix(), text)
}
