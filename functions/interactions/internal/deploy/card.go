package deploy

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Kind is what a card asks for.
type Kind string

// The kinds of cards; each is the custom_id prefix of its buttons.
const (
	KindDeploy   Kind = "deploy"
	KindRollback Kind = "rollback"
)

// action is the kind as a verb, for authz and messages.
func (k Kind) action() string {
	if k == KindRollback {
		return "roll back"
	}
	return "deploy"
}

func (k Kind) approvePrefix() string { return string(k) + ":approve:" }
func (k Kind) cancelPrefix() string  { return string(k) + ":cancel:" }

// Proposal is what a card asks for. The card is the only state: the request is read back from
// its embed and its buttons' custom_ids when a button is clicked.
type Proposal struct {
	Kind        Kind
	Environment string
	Ref         string
	// SHA is the commit a rollback deploys; for a deploy, the ref's head when the card was made
	// (shown only: the workflow deploys the ref as it is when it runs).
	SHA         string
	RequesterID string
	Requester   string // the requester's Discord username
	RequestedAt time.Time
}

// target names the request in the audit log: "prod@main", "prod@3f2c1a9".
func (r Proposal) target() string {
	if r.Kind == KindRollback {
		return r.Environment + "@" + short(r.SHA)
	}
	return r.Environment + "@" + r.Ref
}

// customID is a button's custom_id: "deploy:approve:<requester id>:<unix seconds>", at most
// 15 + 20 + 1 + 11 characters, within Discord's 100.
func (r Proposal) customID(prefix string) string {
	return prefix + r.RequesterID + ":" + strconv.FormatInt(r.RequestedAt.Unix(), 10)
}

// The names of the card's embed fields, which Read finds them by.
const (
	fieldEnvironment = "Environment"
	fieldRef         = "Ref"
	fieldCommit      = "Commit"
	fieldRequester   = "Requested by"
	fieldRun         = "Run"
	fieldChanges     = "Changes"
	fieldHistory     = "History"
)

// maxHistory is how many history lines a card keeps, newest last.
const maxHistory = 12

// NewCard is the card asking to approve r; changes describes what would go out.
func NewCard(r Proposal, changes string) discord.Message {
	title := fmt.Sprintf("Deploy %s to %s", r.Ref, r.Environment)
	if r.Kind == KindRollback {
		title = fmt.Sprintf("Roll back %s to %s", r.Environment, short(r.SHA))
	}
	fields := []discord.EmbedField{
		{Name: fieldEnvironment, Value: discord.Quote(r.Environment), Inline: true},
		{Name: fieldRef, Value: discord.Quote(r.Ref), Inline: true},
		{Name: fieldCommit, Value: discord.Quote(r.SHA), Inline: true},
		{Name: fieldRequester, Value: discord.Mention(r.RequesterID) + " (" + discord.Quote(r.Requester) + ")", Inline: true},
	}
	if changes != "" {
		fields = append(fields, discord.EmbedField{Name: fieldChanges, Value: discord.Truncate(changes, 1024)})
	}
	fields = append(fields, discord.EmbedField{Name: fieldHistory, Value: historyLine(r.RequestedAt, "requested by <@"+r.RequesterID+">")})
	return discord.Message{
		Embeds: []discord.Embed{{
			Title:       discord.Truncate(title, 256),
			Description: "Waiting for approval by a member with an allowed role.",
			Color:       discord.ColorYellow,
			Fields:      fields,
		}},
		Components:      buttons(r, true, ""),
		AllowedMentions: discord.NoMentions(),
	}
}

// buttons are the card's Approve and Cancel, disabled once the card is closed, and a link to
// the run when one is known.
func buttons(r Proposal, open bool, runURL string) []discord.Component {
	approve := discord.Button(discord.ButtonSuccess, "Approve", r.customID(r.Kind.approvePrefix()))
	cancel := discord.Button(discord.ButtonSecondary, "Cancel", r.customID(r.Kind.cancelPrefix()))
	approve.Disabled, cancel.Disabled = !open, !open
	row := []discord.Component{approve, cancel}
	if runURL != "" {
		row = append(row, discord.LinkButton("View run", runURL))
	}
	return []discord.Component{discord.ActionRow(row...)}
}

// errUnreadable is returned by Read for a message that is not a card of this kind.
var errUnreadable = errors.New("not a card of the suite")

var (
	idPattern        = regexp.MustCompile(`^[a-z]+:[a-z]+:([0-9]+):([0-9]+)$`) // ids of up to 20 digits, times of up to 11
	requesterPattern = regexp.MustCompile("^<@[0-9]+> \\(`([^`]+)`\\)$")
)

// Read reads back the request of the card m, whose button customID was clicked.
func Read(kind Kind, m *discord.Message, customID string) (Proposal, error) {
	id := idPattern.FindStringSubmatch(customID)
	if m == nil || len(m.Embeds) == 0 || id == nil || len(id[1]) > 20 || len(id[2]) > 11 {
		return Proposal{}, errUnreadable
	}
	unix, _ := strconv.ParseInt(id[2], 10, 64)
	r := Proposal{Kind: kind, RequesterID: id[1], RequestedAt: time.Unix(unix, 0).UTC()}
	e := m.Embeds[0]
	r.Environment = unquote(field(e, fieldEnvironment))
	r.Ref = unquote(field(e, fieldRef))
	r.SHA = unquote(field(e, fieldCommit))
	if mm := requesterPattern.FindStringSubmatch(field(e, fieldRequester)); mm != nil {
		r.Requester = mm[1]
	}
	if r.Environment == "" || r.Ref == "" || (kind == KindRollback && r.SHA == "") {
		return Proposal{}, errUnreadable
	}
	return r, nil
}

// Open says whether the card m still waits for a decision: its Approve button is enabled.
func Open(kind Kind, m *discord.Message) bool {
	if m == nil {
		return false
	}
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.HasPrefix(c.CustomID, kind.approvePrefix()) && !c.Disabled {
				return true
			}
		}
	}
	return false
}

// state is a change of a card: its description and colour, and a line for its history.
type state struct {
	description string
	color       int
	at          time.Time
	history     string
}

// withState is the card's first embed e changed to s. The other fields are kept. s's history
// line is added unless the history holds it already: rendering one outcome twice, for a
// repeated delivery, shows it once.
func withState(e discord.Embed, s state) discord.Embed {
	e.Fields = append([]discord.EmbedField(nil), e.Fields...)
	e.Description = discord.Truncate(s.description, 4096)
	e.Color = s.color
	if line := historyLine(s.at, s.history); s.history != "" && !slices.Contains(strings.Split(field(e, fieldHistory), "\n"), line) {
		lines := append(strings.Split(field(e, fieldHistory), "\n"), line)
		if lines[0] == "" {
			lines = lines[1:]
		}
		for len(lines) > maxHistory || (len(lines) > 1 && len(strings.Join(lines, "\n")) > 1024) {
			lines = lines[1:]
		}
		e = setField(e, fieldHistory, strings.Join(lines, "\n"), false)
	}
	return e
}

// setField sets the value of the field name, adding it before the history when missing.
func setField(e discord.Embed, name, value string, inline bool) discord.Embed {
	value = discord.Truncate(value, 1024)
	for i, f := range e.Fields {
		if f.Name == name {
			e.Fields[i].Value = value
			return e
		}
	}
	at := len(e.Fields)
	for i, f := range e.Fields {
		if f.Name == fieldHistory {
			at = i
		}
	}
	e.Fields = append(e.Fields[:at:at], append([]discord.EmbedField{{Name: name, Value: value, Inline: inline}}, e.Fields[at:]...)...)
	return e
}

func field(e discord.Embed, name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// historyLine is one line of a card's history, its time shown in each reader's zone.
//
// See https://discord.com/developers/docs/reference#message-formatting-timestamp-styles
func historyLine(at time.Time, text string) string {
	return fmt.Sprintf("<t:%d:T> %s", at.Unix(), text)
}

func unquote(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(s, "`"), "`")
}

// changesText lists the commits a deploy sends out, newest first, for the card.
func changesText(environment, base string, c Comparison) string {
	var b strings.Builder
	switch c.Status {
	case "identical":
		return fmt.Sprintf("Nothing new: %s already runs %s.", environment, discord.Quote(short(base)))
	case "behind":
		return fmt.Sprintf("⚠️ Goes back %d commit(s): %s runs %s, which is ahead of this ref.", c.BehindBy, environment, discord.Quote(short(base)))
	case "diverged":
		fmt.Fprintf(&b, "⚠️ Diverged: %d commit(s) running on %s are not in this ref.\n", c.BehindBy, environment)
	}
	shown := 0
	for _, cm := range c.Commits {
		line := fmt.Sprintf("%s %s", discord.Quote(short(cm.SHA)), discord.Escape(discord.Truncate(cm.Subject, 72)))
		if cm.Author != "" {
			line += " · " + discord.Escape(discord.Truncate(cm.Author, 39))
		}
		if b.Len()+len(line)+20 > 1000 {
			break
		}
		b.WriteString(line + "\n")
		shown++
	}
	if more := c.AheadBy - shown; more > 0 {
		fmt.Fprintf(&b, "+%d more since %s", more, discord.Quote(short(base)))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
