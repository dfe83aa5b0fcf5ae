package deploy

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Kind is what a card asks for.
type Kind string

// The kinds of cards; each is the custom_id prefix of its buttons.
const (
	KindDeploy   Kind = "deploy"
	KindRollback Kind = "rollback"
)

// action is the kind as authz names it.
func (k Kind) action() string {
	if k == KindRollback {
		return authz.ActionRollback
	}
	return authz.ActionDeploy
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

// The message ids of the names of the card's embed fields, which Read finds them by (in any
// language: approval.Texts.IsField).
const (
	fieldEnvironment = "deploy.field.environment"
	fieldRef         = "deploy.field.ref"
	fieldCommit      = "deploy.field.commit"
	fieldRequester   = "deploy.field.requester"
	fieldRun         = "deploy.field.run"
	fieldChanges     = "deploy.field.changes"
	fieldHistory     = "deploy.field.history"
)

// maxHistory is how many history lines a card keeps, newest last.
const maxHistory = 12

// NewCard is the card asking to approve r, in p's language (the channel's); changes
// describes what would go out.
func NewCard(p *i18n.Printer, r Proposal, changes string) discord.Message {
	title := p.T("deploy.card.title.deploy", i18n.Args{"Ref": r.Ref, "Environment": r.Environment})
	if r.Kind == KindRollback {
		title = p.T("deploy.card.title.rollback", i18n.Args{"Environment": r.Environment, "SHA": short(r.SHA)})
	}
	fields := []discord.EmbedField{
		{Name: p.T(fieldEnvironment), Value: discord.Quote(r.Environment), Inline: true},
		{Name: p.T(fieldRef), Value: discord.Quote(r.Ref), Inline: true},
		{Name: p.T(fieldCommit), Value: discord.Quote(r.SHA), Inline: true},
		{Name: p.T(fieldRequester), Value: discord.Mention(r.RequesterID) + " (" + discord.Quote(r.Requester) + ")", Inline: true},
	}
	if changes != "" {
		fields = append(fields, discord.EmbedField{Name: p.T(fieldChanges), Value: discord.Truncate(changes, 1024)})
	}
	fields = append(fields, discord.EmbedField{Name: p.T(fieldHistory),
		Value: historyLine(r.RequestedAt, p.T("deploy.history.requested", i18n.Args{"Who": discord.Mention(r.RequesterID)}))})
	return discord.Message{
		Embeds: []discord.Embed{{
			Title:       discord.Truncate(title, 256),
			Description: p.T("deploy.card.waiting"),
			Color:       discord.ColorYellow,
			Fields:      fields,
		}},
		Components:      buttons(p, r, true, ""),
		AllowedMentions: discord.NoMentions(),
	}
}

// buttons are the card's Approve and Cancel, disabled once the card is closed, and a link to
// the run when one is known, labelled in p's language.
func buttons(p *i18n.Printer, r Proposal, open bool, runURL string) []discord.Component {
	approve := discord.Button(discord.ButtonSuccess, p.T("deploy.button.approve"), r.customID(r.Kind.approvePrefix()))
	cancel := discord.Button(discord.ButtonSecondary, p.T("deploy.button.cancel"), r.customID(r.Kind.cancelPrefix()))
	approve.Disabled, cancel.Disabled = !open, !open
	row := []discord.Component{approve, cancel}
	if runURL != "" {
		row = append(row, discord.LinkButton(p.T("deploy.button.run"), runURL))
	}
	return []discord.Component{discord.ActionRow(row...)}
}

// errUnreadable is returned by Read for a message that is not a card of this kind.
var errUnreadable = errors.New("not a card of the suite")

var (
	idPattern        = regexp.MustCompile(`^[a-z]+:[a-z]+:([0-9]+):([0-9]+)$`) // ids of up to 20 digits, times of up to 11
	requesterPattern = regexp.MustCompile("^<@[0-9]+> \\(`([^`]+)`\\)$")
)

// Read reads back the request of the card m, whose button customID was clicked; c gives the
// names of its fields, in any language.
func Read(c *i18n.Catalog, kind Kind, m *discord.Message, customID string) (Proposal, error) {
	id := idPattern.FindStringSubmatch(customID)
	if m == nil || len(m.Embeds) == 0 || id == nil || len(id[1]) > 20 || len(id[2]) > 11 {
		return Proposal{}, errUnreadable
	}
	unix, _ := strconv.ParseInt(id[2], 10, 64)
	r := Proposal{Kind: kind, RequesterID: id[1], RequestedAt: time.Unix(unix, 0).UTC()}
	e, t := m.Embeds[0], approval.Texts{Catalog: c}
	r.Environment = unquote(t.Field(e, fieldEnvironment))
	r.Ref = unquote(t.Field(e, fieldRef))
	r.SHA = unquote(t.Field(e, fieldCommit))
	if mm := requesterPattern.FindStringSubmatch(t.Field(e, fieldRequester)); mm != nil {
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
func withState(t approval.Texts, e discord.Embed, s state) discord.Embed {
	e.Fields = append([]discord.EmbedField(nil), e.Fields...)
	e.Description = discord.Truncate(s.description, 4096)
	e.Color = s.color
	if line := historyLine(s.at, s.history); s.history != "" && !slices.Contains(strings.Split(t.Field(e, fieldHistory), "\n"), line) {
		lines := append(strings.Split(t.Field(e, fieldHistory), "\n"), line)
		if lines[0] == "" {
			lines = lines[1:]
		}
		for len(lines) > maxHistory || (len(lines) > 1 && len(strings.Join(lines, "\n")) > 1024) {
			lines = lines[1:]
		}
		e = setField(t, e, fieldHistory, strings.Join(lines, "\n"), false)
	}
	return e
}

// setField sets the value of the field id, adding it, named in t's language, before the
// history when missing.
func setField(t approval.Texts, e discord.Embed, id, value string, inline bool) discord.Embed {
	value = discord.Truncate(value, 1024)
	for i, f := range e.Fields {
		if t.IsField(f.Name, id) {
			e.Fields[i].Value = value
			return e
		}
	}
	at := len(e.Fields)
	for i, f := range e.Fields {
		if t.IsField(f.Name, fieldHistory) {
			at = i
		}
	}
	e.Fields = append(e.Fields[:at:at], append([]discord.EmbedField{{Name: t.Printer.T(id), Value: value, Inline: inline}}, e.Fields[at:]...)...)
	return e
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

// changesText lists the commits a deploy sends out, newest first, for the card, in p's
// language; subjects and authors stay as written.
func changesText(p *i18n.Printer, environment, base string, c Comparison) string {
	var b strings.Builder
	args := i18n.Args{"Environment": environment, "SHA": discord.Quote(short(base)), "Count": p.Count(c.BehindBy)}
	switch c.Status {
	case "identical":
		return p.T("deploy.changes.identical", args)
	case "behind":
		return p.T("deploy.changes.behind", args)
	case "diverged":
		b.WriteString(p.T("deploy.changes.diverged", args) + "\n")
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
		b.WriteString(p.T("deploy.changes.more", i18n.Args{"Count": p.Count(more), "SHA": discord.Quote(short(base))}))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
