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

// MaxAge is how long a card takes approvals. Past it the state it previewed is old and the
// request must be made again.
const MaxAge = 15 * time.Minute

// The custom_id prefixes of the card's buttons: "scale:approve:<requester id>:<unix time>".
const (
	ApprovePrefix = "scale:approve:"
	CancelPrefix  = "scale:cancel:"
)

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
	fieldNote      = "scale.field.note"
)

// errBadCard is a click whose card cannot be read: not one this package made.
var errBadCard = errors.New("not a /scale card")

// customID is the custom_id of one of the card's buttons.
func (r Proposal) customID(prefix string) string {
	return prefix + r.RequesterID + ":" + strconv.FormatInt(r.At.Unix(), 10)
}

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
			},
		}},
		Components: []discord.Component{discord.ActionRow(
			discord.Button(discord.ButtonSuccess, p.T("scale.button.approve"), r.customID(ApprovePrefix)),
			discord.Button(discord.ButtonSecondary, p.T("scale.button.cancel"), r.customID(CancelPrefix)),
		)},
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
	id := in.Component.CustomID
	rest, ok := strings.CutPrefix(id, ApprovePrefix)
	if !ok {
		rest, ok = strings.CutPrefix(id, CancelPrefix)
	}
	requester, unix, ok2 := strings.Cut(rest, ":")
	secs, err := strconv.ParseInt(unix, 10, 64)
	if !ok || !ok2 || requester == "" || err != nil {
		return Proposal{}, errBadCard
	}
	e, tx := in.Message.Embeds[0], approval.Texts{Catalog: c}
	value := func(id string) string { return tx.Field(e, id) }
	t, err := ParseTarget(c.Printer(i18n.English), value(fieldService), value(fieldTarget))
	if err != nil {
		return Proposal{}, fmt.Errorf("%w: %w", errBadCard, err)
	}
	desired, err := strconv.ParseInt(value(fieldDesired), 10, 32)
	if err != nil || desired < 0 {
		return Proposal{}, errBadCard
	}
	return Proposal{Target: t, Desired: int32(desired), RequesterID: requester, At: time.Unix(secs, 0).UTC()}, nil
}

// closed is the status of a card whose buttons no longer work, "" while it is open: a card
// is open while its Approve button is there and enabled. p says "closed" for a card without
// a status.
func closed(t approval.Texts, p *i18n.Printer, m *discord.Message) string {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.HasPrefix(c.CustomID, ApprovePrefix) && !c.Disabled {
				return ""
			}
		}
	}
	if status := t.Field(m.Embeds[0], fieldStatus); status != "" {
		return status
	}
	return p.T("scale.closed.unknown")
}

// cardState is what becomes of a card's buttons.
type cardState int

const (
	open   cardState = iota // kept: the card still takes clicks
	locked                  // disabled: the change is being applied
	done                    // removed
)

// update is the card m with a new status and colour, and its buttons as state says. note, when
// not "", replaces the card's note (a refused click).
func update(t approval.Texts, m *discord.Message, status string, color int, note string, state cardState) discord.Message {
	e := m.Embeds[0]
	e.Fields = slices.Clone(e.Fields)
	e.Color = color
	setField(t, &e, fieldStatus, status)
	if note != "" {
		setField(t, &e, fieldNote, note)
	}
	out := discord.Message{Embeds: []discord.Embed{e}, AllowedMentions: discord.NoMentions()}
	switch state {
	case open:
		out.Components = m.Components
	case locked:
		for _, row := range m.Components {
			row.Components = slices.Clone(row.Components)
			for i := range row.Components {
				row.Components[i].Disabled = true
			}
			out.Components = append(out.Components, row)
		}
	case done:
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
