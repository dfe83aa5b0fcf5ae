package feed

import (
	"fmt"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/announce"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// summaryRunes is how much of the body the message shows, as the first announcement did.
const summaryRunes = 300

// noteRunes is how much of a review's body a thread note shows; the link leads to the rest.
const noteRunes = 1500

// maxThreadName is the longest thread name Discord accepts.
const maxThreadName = 100

// Colours of the statuses; issues keep the announcement's orange while open.
const (
	colorTeal   = 0x1ABC9C
	colorOrange = 0xE67E22
)

var colors = map[Status]int{
	StatusOpen:             discord.ColorGreen,
	StatusReady:            discord.ColorGreen,
	StatusReopened:         discord.ColorYellow,
	StatusDraft:            discord.ColorGrey,
	StatusReviewRequested:  discord.ColorBlue,
	StatusApproved:         colorTeal,
	StatusChangesRequested: colorOrange,
	StatusMerged:           discord.ColorPurple,
	StatusClosed:           discord.ColorRed,
}

// Color is the embed colour of the record's status.
func (rec Record) Color() int {
	st := rec.Status()
	if rec.Item == Issue && (st == StatusOpen || st == StatusReopened) {
		return colorOrange
	}
	return colors[st]
}

// Message is the record's message in p's language: the announcement's card with a status
// line, a colour for the status, each reviewer's state and the latest history. It pings
// nobody. Titles, bodies, branch, label and user names stay as written on GitHub.
func Message(rec Record, p *i18n.Printer) discord.Message {
	s := rec.Snapshot
	e := discord.Embed{
		Title:  discord.Truncate(fmt.Sprintf("#%d %s", rec.Number, discord.Escape(s.Title)), discord.MaxEmbedTitle),
		URL:    s.URL,
		Color:  rec.Color(),
		Footer: &discord.EmbedFooter{Text: p.T("announce.footer", i18n.Args{"Repo": rec.Repo, "Kind": p.T("feed.item." + string(rec.Item))})},
	}
	e.Description = "**" + p.T("feed.status."+string(rec.Status())) + "**"
	if sum := announce.Summary(s.Body, summaryRunes); sum != "" {
		e.Description += "\n\n" + sum
	}
	if s.Author != nil {
		e.Author = &discord.EmbedAuthor{Name: s.Author.Login, URL: s.Author.URL, IconURL: s.Author.AvatarURL}
	}
	e.Timestamp = s.CreatedAt
	field := func(id, value string) {
		if value != "" {
			e.Fields = append(e.Fields, discord.EmbedField{Name: p.T(id), Value: discord.Truncate(value, discord.MaxFieldValue), Inline: true})
		}
	}
	if rec.Item == PullRequest {
		field("announce.field.branches", announce.Branch(s.Base)+" ← "+announce.Branch(s.Head))
	}
	field("announce.field.labels", escapeAll(s.Labels))
	if s.Size != nil {
		field("announce.field.size", announce.Size(p, s.Size.Additions, s.Size.Deletions, s.Size.Files))
	}
	if s.Merged && s.MergedBy != nil {
		field("announce.field.merged_by", userLink(*s.MergedBy))
	}
	var reviewers []string
	for _, r := range rec.Reviewers() {
		reviewers = append(reviewers, p.T("feed.reviewer", i18n.Args{"Login": discord.Escape(r.Login), "State": p.T("feed.review." + r.State)}))
	}
	field("feed.field.reviewers", strings.Join(reviewers, "\n"))
	var history []string
	for _, st := range rec.History {
		history = append(history, stepLine(p, st))
	}
	if len(history) > 0 {
		e.Fields = append(e.Fields, discord.EmbedField{Name: p.T("feed.field.history"), Value: discord.Truncate(strings.Join(history, "\n"), discord.MaxFieldValue)})
	}
	return discord.Message{Embeds: []discord.Embed{e}, AllowedMentions: discord.NoMentions()}.Fit()
}

// stepLine is one history line: "Approved by octocat <t:…:R>".
func stepLine(p *i18n.Printer, st Step) string {
	line := p.T("feed.step."+st.What, i18n.Args{"By": discord.Escape(st.By), "Whom": discord.Escape(st.Whom)})
	if t, err := time.Parse(time.RFC3339, st.At); err == nil {
		line += fmt.Sprintf(" <t:%d:R>", t.Unix())
	}
	return line
}

// ThreadName is the name of the record's thread: "#2 Update the README", cut to Discord's limit.
func ThreadName(rec Record) string {
	name := fmt.Sprintf("#%d %s", rec.Number, rec.Snapshot.Title)
	if r := []rune(name); len(r) > maxThreadName {
		name = string(r[:maxThreadName-1]) + "…"
	}
	return name
}

// NoteMessage is a thread note in p's language: who reviewed and how, with the review's body,
// or which check suite failed on which commit. It pings nobody; nonce makes a retried post
// appear once.
func NoteMessage(n Note, p *i18n.Printer, nonce string) discord.Message {
	content := p.T("feed.note."+n.What, i18n.Args{"By": discord.Escape(n.By), "URL": n.URL, "SHA": n.SHA})
	if n.What != StepCheckFailed {
		content += "\n\n" + announce.Summary(n.Body, noteRunes)
	}
	return discord.Message{Content: content, AllowedMentions: discord.NoMentions(), Nonce: nonce, EnforceNonce: nonce != ""}.Fit()
}

// PingMessage is the thread message that mentions memberID, who linked the login pg names,
// in p's language: only that member is pinged. nonce makes a retried post appear once.
func PingMessage(pg Ping, memberID string, p *i18n.Printer, nonce string) discord.Message {
	return discord.Message{
		Content:         p.T("feed.ping."+pg.What, i18n.Args{"Who": discord.Mention(memberID), "Login": discord.Escape(pg.Login)}),
		AllowedMentions: &discord.AllowedMentions{Parse: []string{}, Users: []string{memberID}},
		Nonce:           nonce, EnforceNonce: nonce != "",
	}.Fit()
}

func escapeAll(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = discord.Escape(n)
	}
	return strings.Join(out, ", ")
}

func userLink(u User) string {
	if u.URL == "" {
		return discord.Escape(u.Login)
	}
	return "[" + discord.Escape(u.Login) + "](" + u.URL + ")"
}
