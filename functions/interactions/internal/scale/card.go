package scale

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
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

// The names of the card's embed fields. service, target and desired are the command's
// options, read back from the card when a button is clicked.
const (
	fieldService   = "service"
	fieldTarget    = "target"
	fieldDesired   = "desired"
	fieldNow       = "now"
	fieldRequester = "requested by"
	fieldStatus    = "status"
	fieldNote      = "note"
)

// errBadCard is a click whose card cannot be read: not one this package made.
var errBadCard = errors.New("not a /scale card")

// customID is the custom_id of one of the card's buttons.
func (r Proposal) customID(prefix string) string {
	return prefix + r.RequesterID + ":" + strconv.FormatInt(r.At.Unix(), 10)
}

// target is what the card's lines call the resource: "ECS service `prod/web`".
func (r Proposal) target() string { return r.Target.Noun() + " " + discord.Quote(r.Target.Name) }

// Preview is the card of a request for a resource in state st: what it is now and will be,
// and Approve and Cancel buttons.
func Preview(r Proposal, st State) discord.Message {
	now := fmt.Sprintf("desired **%d** · min %d · max %d", st.Desired, st.Min, st.Max)
	if r.Target.Kind == ECS {
		now = fmt.Sprintf("desired **%d** · max %d (the bot's ceiling)\n%d running, %d pending", st.Desired, st.Max, st.Running, st.Pending)
	} else {
		now += fmt.Sprintf("\n%d in service", st.Running)
	}
	return discord.Message{
		Embeds: []discord.Embed{{
			Title:       discord.Truncate(fmt.Sprintf("Scale %s %s: %d → %d", r.Target.Noun(), r.Target.Name, st.Desired, r.Desired), discord.MaxEmbedTitle),
			Description: fmt.Sprintf("Set the desired count of %s from %d to **%d** %s.", r.target(), st.Desired, r.Desired, r.Target.Unit(r.Desired)),
			Color:       discord.ColorYellow,
			Timestamp:   r.At.UTC().Format(time.RFC3339),
			Fields: []discord.EmbedField{
				{Name: fieldService, Value: string(r.Target.Kind), Inline: true},
				{Name: fieldTarget, Value: r.Target.Name, Inline: true},
				{Name: fieldDesired, Value: strconv.Itoa(int(r.Desired)), Inline: true},
				{Name: fieldNow, Value: now},
				{Name: fieldRequester, Value: discord.Mention(r.RequesterID)},
				{Name: fieldStatus, Value: fmt.Sprintf("Waiting for a member with an allowed role to approve, until %s.", stamp(r.At.Add(MaxAge), "t"))},
			},
		}},
		Components: []discord.Component{discord.ActionRow(
			discord.Button(discord.ButtonSuccess, "Approve", r.customID(ApprovePrefix)),
			discord.Button(discord.ButtonSecondary, "Cancel", r.customID(CancelPrefix)),
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

// parseClick reads the request back from a click on one of the card's buttons.
func parseClick(in discord.Interaction) (Proposal, error) {
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
	fields := in.Message.Embeds[0].Fields
	value := func(name string) string {
		for _, f := range fields {
			if f.Name == name {
				return f.Value
			}
		}
		return ""
	}
	t, err := ParseTarget(value(fieldService), value(fieldTarget))
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
// is open while its Approve button is there and enabled.
func closed(m *discord.Message) string {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.HasPrefix(c.CustomID, ApprovePrefix) && !c.Disabled {
				return ""
			}
		}
	}
	for _, f := range m.Embeds[0].Fields {
		if f.Name == fieldStatus {
			return f.Value
		}
	}
	return "closed"
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
func update(m *discord.Message, status string, color int, note string, state cardState) discord.Message {
	e := m.Embeds[0]
	e.Fields = slices.Clone(e.Fields)
	e.Color = color
	setField(&e, fieldStatus, status)
	if note != "" {
		setField(&e, fieldNote, note)
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

func setField(e *discord.Embed, name, value string) {
	value = discord.Truncate(value, discord.MaxFieldValue)
	for i := range e.Fields {
		if e.Fields[i].Name == name {
			e.Fields[i].Value = value
			return
		}
	}
	e.Fields = append(e.Fields, discord.EmbedField{Name: name, Value: value})
}
