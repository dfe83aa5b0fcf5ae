package deploy

import (
	"errors"
	"fmt"
	"regexp"
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

// Proposal is what a card asks for. The card is the only state: the request is read back from
// its embed and its buttons' custom_ids when a button is clicked.
type Proposal struct {
	Kind        Kind
	Environment string
	Ref         string
	// SHA is the commit a rollback deploys; for a deploy, the ref's head when the card was made
	// (shown only: the workflow deploys the ref as it is when it runs).
	SHA string
	// CommitURL is SHA's page on GitHub, when known: the card shows the commit as a short SHA
	// linking there.
	CommitURL   string
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

// The message ids of the names of the card's embed fields, which Read finds them by (in any
// language: approval.Texts.IsField).
const (
	fieldEnvironment = "deploy.field.environment"
	fieldRef         = "deploy.field.ref"
	fieldCommit      = "deploy.field.commit"
	fieldRequester   = "deploy.field.requester"
	fieldChanges     = "deploy.field.changes"
	fieldHistory     = "deploy.field.history"
)

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
		{Name: p.T(fieldCommit), Value: commitValue(r), Inline: true},
		{Name: p.T(fieldRequester), Value: discord.Mention(r.RequesterID) + " (" + discord.Quote(r.Requester) + ")", Inline: true},
	}
	if changes != "" {
		fields = append(fields, discord.EmbedField{Name: p.T(fieldChanges), Value: discord.Truncate(changes, 1024)})
	}
	fields = append(fields, discord.EmbedField{Name: p.T(fieldHistory),
		Value: strings.Join(approval.History(p, r.RequesterID, r.RequestedAt, approval.Record[Proposal]{}, false), "\n")})
	return discord.Message{
		Embeds: []discord.Embed{{
			Title:       discord.Truncate(title, 256),
			Description: p.T("deploy.card.waiting"),
			Color:       discord.ColorYellow,
			Fields:      fields,
		}},
		Components:      approval.OpenButtons(p, string(r.Kind), r.RequesterID, r.RequestedAt),
		AllowedMentions: discord.NoMentions(),
	}
}

// errUnreadable is returned by Read for a message that is not a card of this kind.
var errUnreadable = errors.New("not a card of the suite")

var requesterPattern = regexp.MustCompile("^<@[0-9]+> \\(`([^`]+)`\\)$")

// Read reads back the request of the card m, whose button customID was clicked; c gives the
// names of its fields, in any language.
func Read(c *i18n.Catalog, kind Kind, m *discord.Message, customID string) (Proposal, error) {
	_, requesterID, at, ok := approval.ParseCustomID(string(kind), customID)
	if m == nil || len(m.Embeds) == 0 || !ok {
		return Proposal{}, errUnreadable
	}
	return readEmbed(c, kind, m.Embeds[0], requesterID, at)
}

// readEmbed reads back the request of a card from its first embed e; its buttons gave
// requesterID and at.
func readEmbed(c *i18n.Catalog, kind Kind, e discord.Embed, requesterID string, at time.Time) (Proposal, error) {
	r := Proposal{Kind: kind, RequesterID: requesterID, RequestedAt: at}
	t := approval.Texts{Catalog: c}
	r.Environment = unquote(t.Field(e, fieldEnvironment))
	r.Ref = unquote(t.Field(e, fieldRef))
	r.SHA, r.CommitURL = readCommit(t.Field(e, fieldCommit))
	if mm := requesterPattern.FindStringSubmatch(t.Field(e, fieldRequester)); mm != nil {
		r.Requester = mm[1]
	}
	if r.Environment == "" || r.Ref == "" || (kind == KindRollback && r.SHA == "") {
		return Proposal{}, errUnreadable
	}
	return r, nil
}

// withHistory is the card's first embed e with its history field set to lines.
func withHistory(t approval.Texts, e discord.Embed, lines []string) discord.Embed {
	e.Fields = append([]discord.EmbedField(nil), e.Fields...)
	value := discord.Truncate(strings.Join(lines, "\n"), discord.MaxFieldValue)
	for i, f := range e.Fields {
		if t.IsField(f.Name, fieldHistory) {
			e.Fields[i].Value = value
			return e
		}
	}
	e.Fields = append(e.Fields, discord.EmbedField{Name: t.Printer.T(fieldHistory), Value: value})
	return e
}

// commitValue is the card's Commit field: the short SHA linking to the commit's page, or the
// whole SHA when the page is not known.
func commitValue(r Proposal) string {
	if r.CommitURL == "" || !strings.HasSuffix(r.CommitURL, "/commit/"+r.SHA) {
		return discord.Quote(r.SHA)
	}
	return "[" + discord.Quote(short(r.SHA)) + "](" + r.CommitURL + ")"
}

var linkedCommit = regexp.MustCompile("^\\[`[0-9a-f]+`\\]\\((https://[^ )]+/commit/([0-9a-f]{40}))\\)$")

// readCommit reads back a Commit field commitValue wrote: the whole SHA from the link, or the
// quoted SHA of a card without one.
func readCommit(v string) (sha, url string) {
	if m := linkedCommit.FindStringSubmatch(v); m != nil {
		return m[2], m[1]
	}
	return unquote(v), ""
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
