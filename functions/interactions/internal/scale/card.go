package scale

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Proposal is what a card asks for. The card carries it: the target and the count in its embed
// fields, the requester and the time in its buttons' custom_ids, so that a click, which
// arrives with the message it is on, needs nothing stored elsewhere.
type Proposal struct {
	Target      Target
	Desired     int32
	RequesterID string
	At          time.Time // when the request was made, to the second
}

// MaxAge is how long a card takes approvals (approval.Window, measured from the request).
// Past it the state it previewed is old and the request must be made again.
const MaxAge = approval.Window

// The message ids of the names of the card's embed fields. service, target and desired are
// the command's options, read back from the card when a button is clicked, by their names in
// any language (approval.IsField).
const (
	fieldService   = "scale.field.service"
	fieldTarget    = "scale.field.target"
	fieldDesired   = "scale.field.desired"
	fieldNow       = "scale.field.now"
	fieldRequester = "scale.field.requester"
	fieldStatus    = "scale.field.status"
	fieldHistory   = "scale.field.history"
)

// errBadCard is a click whose card cannot be read: not one this package made.
var errBadCard = errors.New("not a /scale card")

// target is what the card's lines call the resource: "ECS service `prod/web`".
func (r Proposal) target(p *i18n.Printer) string {
	return r.Target.Noun(p) + " " + discord.Quote(r.Target.Name)
}

// Preview is the card of a request for a resource in state st, in p's language (the
// channel's): what it is now and will be, and Approve and Cancel buttons.
func Preview(p *i18n.Printer, r Proposal, st State) discord.Message {
	args := i18n.Args{"Desired": st.Desired, "Min": st.Min, "Max": st.Max, "Running": st.Running, "Pending": st.Pending}
	now := p.T("scale.card.now.asg", args)
	if r.Target.Kind == ECS {
		now = p.T("scale.card.now.ecs", args)
	}
	return discord.Message{
		Embeds: []discord.Embed{{
			Title: discord.Truncate(p.T("scale.card.title", i18n.Args{"Noun": r.Target.Noun(p), "Name": r.Target.Name, "From": st.Desired, "To": r.Desired}),
				discord.MaxEmbedTitle),
			Description: p.T("scale.card.summary", i18n.Args{"Target": r.target(p), "From": st.Desired, "To": r.Desired, "Unit": r.Target.Unit(p, r.Desired)}),
			Color:       discord.ColorYellow,
			Timestamp:   r.At.UTC().Format(time.RFC3339),
			Fields: []discord.EmbedField{
				{Name: p.T(fieldService), Value: string(r.Target.Kind), Inline: true},
				{Name: p.T(fieldTarget), Value: r.Target.Name, Inline: true},
				{Name: p.T(fieldDesired), Value: strconv.Itoa(int(r.Desired)), Inline: true},
				{Name: p.T(fieldNow), Value: now},
				{Name: p.T(fieldRequester), Value: discord.Mention(r.RequesterID)},
				{Name: p.T(fieldStatus), Value: p.T("scale.card.waiting", i18n.Args{"Until": stamp(r.At.Add(MaxAge), "t")})},
				{Name: p.T(fieldHistory), Value: strings.Join(approval.History(p, r.RequesterID, r.At, approval.Record[Proposal]{}, false), "\n")},
			},
		}},
		Components:      approval.OpenButtons(p, "scale", r.RequesterID, r.At),
		AllowedMentions: discord.NoMentions(),
	}
}

// stamp is a Discord timestamp, shown in each reader's own time zone.
//
// See https://discord.com/developers/docs/reference#message-formatting-timestamp-styles
func stamp(t time.Time, style string) string {
	return fmt.Sprintf("<t:%d:%s>", t.Unix(), style)
}

// parseClick reads the request back from a click on one of the card's buttons; c gives the
// names of its fields, in any language.
func parseClick(c *i18n.Catalog, in discord.Interaction) (Proposal, error) {
	if in.Component == nil || in.Message == nil || len(in.Message.Embeds) == 0 {
		return Proposal{}, errBadCard
	}
	_, requester, at, ok := approval.ParseCustomID("scale", in.Component.CustomID)
	if !ok {
		return Proposal{}, errBadCard
	}
	return readEmbed(c, in.Message.Embeds[0], requester, at)
}

// readEmbed reads the request back from the card's first embed e; its buttons gave requester
// and at.
func readEmbed(c *i18n.Catalog, e discord.Embed, requester string, at time.Time) (Proposal, error) {
	tx := approval.Texts{Catalog: c}
	value := func(id string) string { return tx.Field(e, id) }
	t, err := ParseTarget(c.Printer(i18n.English), value(fieldService), value(fieldTarget))
	if err != nil {
		return Proposal{}, fmt.Errorf("%w: %w", errBadCard, err)
	}
	desired, err := strconv.ParseInt(value(fieldDesired), 10, 32)
	if err != nil || desired < 0 {
		return Proposal{}, errBadCard
	}
	return Proposal{Target: t, Desired: int32(desired), RequesterID: requester, At: at}, nil
}

// render is the card showing v, in t's language: its status and history fields, its colour,
// and its buttons (kept while open, disabled while the change is applied, removed once the card
// is closed). Once the change is applied, its Now field says the new count.
func render(t approval.Texts, card discord.Message, v approval.View[Proposal]) discord.Message {
	p := t.Printer
	e := card.Embeds[0]
	e.Fields = slices.Clone(e.Fields)
	e.Color = v.Color
	status := t.Field(e, fieldStatus)
	switch {
	case v.Unconfirmed:
		status = p.T("scale.state.unconfirmed")
	case v.State == approval.Approved:
		status = p.T("scale.state.approved", i18n.Args{"Who": v.Who})
	case v.State == approval.Cancelled:
		status = p.T("scale.state.cancelled", i18n.Args{"Who": v.Who, "At": stamp(v.Record.At, "f")})
	case v.State == approval.Expired:
		status = p.T("scale.state.expired", i18n.Args{"Minutes": int(MaxAge.Minutes())})
	case v.State.Done():
		status = v.Record.Result.Text
	}
	setField(t, &e, fieldStatus, status)
	setField(t, &e, fieldHistory, strings.Join(v.History, "\n"))
	if v.State == approval.Applied && !v.Unconfirmed {
		setField(t, &e, fieldNow, p.T("scale.card.now.applied", i18n.Args{"Desired": v.Proposal.Desired}))
	}
	out := discord.Message{Embeds: []discord.Embed{e}, AllowedMentions: discord.NoMentions()}
	switch v.State {
	case approval.Open, approval.Approved:
		out.Components = v.Buttons
	default:
		out.Components = []discord.Component{} // sent as [], which removes the buttons
	}
	return out
}

// setField sets the value of the field id, adding it, named in t's language, when missing.
func setField(t approval.Texts, e *discord.Embed, id, value string) {
	value = discord.Truncate(value, discord.MaxFieldValue)
	for i := range e.Fields {
		if t.IsField(e.Fields[i].Name, id) {
			e.Fields[i].Value = value
			return
		}
	}
	e.Fields = append(e.Fields, discord.EmbedField{Name: t.Printer.T(id), Value: value})
}
