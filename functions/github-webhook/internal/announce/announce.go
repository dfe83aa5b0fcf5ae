package announce

import (
	"fmt"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/google/go-github/v66/github"
)

// Kind is what happened to a pull request or an issue. Its value is what the logs say; the
// message footer says it in the channel's language (Kind.Text).
type Kind string

// The kinds of event that are announced.
const (
	PullRequestOpened   Kind = "pull request opened"
	PullRequestReopened Kind = "pull request reopened"
	PullRequestReady    Kind = "pull request ready for review"
	PullRequestMerged   Kind = "pull request merged"
	IssueOpened         Kind = "issue opened"
)

// Text is the kind as the message footer says it: "pull request opened" / "새 풀 리퀘스트".
func (k Kind) Text(p *i18n.Printer) string {
	switch k {
	case PullRequestOpened:
		return p.T("announce.kind.pr_opened")
	case PullRequestReopened:
		return p.T("announce.kind.pr_reopened")
	case PullRequestReady:
		return p.T("announce.kind.pr_ready")
	case PullRequestMerged:
		return p.T("announce.kind.pr_merged")
	case IssueOpened:
		return p.T("announce.kind.issue_opened")
	}
	return string(k)
}

// colorOrange marks issues, apart from the pull request colours.
const colorOrange = 0xE67E22

// colors gives each kind its embed colour: green for new work, purple for merged as on GitHub.
var colors = map[Kind]int{
	PullRequestOpened:   discord.ColorGreen,
	PullRequestReopened: discord.ColorYellow,
	PullRequestReady:    discord.ColorBlue,
	PullRequestMerged:   discord.ColorPurple,
	IssueOpened:         colorOrange,
}

// Rules are the noise filters a team sets from the stack.
type Rules struct {
	// AnnounceBots lets events sent by bots through; see IsBot.
	AnnounceBots bool
	// IgnoreAuthors are GitHub logins whose pull requests and issues are never announced,
	// matched without regard to case.
	IgnoreAuthors []string
	// IgnoreLabels are label names: a pull request or issue carrying any of them is not
	// announced. Matched without regard to case.
	IgnoreLabels []string
}

// Announcement is the message one event becomes.
type Announcement struct {
	Kind Kind
	// Repo is the repository's full name, owner/name, as GitHub spells it.
	Repo  string
	Embed discord.Embed
}

// Reasons Decide gives for not announcing an event; they go to the logs.
const (
	SkipAction      = "action not announced"
	SkipDraft       = "draft pull request"
	SkipClosed      = "closed without merging"
	SkipBot         = "sent by a bot"
	SkipAuthor      = "author ignored"
	SkipLabel       = "label ignored"
	SkipIncomplete  = "payload lacks the pull request or issue"
	SkipUnsupported = "event not announced"
)

// Decide returns the announcement for event, a *github.PullRequestEvent or *github.IssuesEvent
// as github.ParseWebHook returns them, its labels in p's language, or a non-empty reason (one
// of the Skip constants) why it is not announced. Titles, bodies, branch and label names stay
// as written on GitHub.
//
// Announced: pull requests opened (not drafts: they are announced when marked ready for review),
// reopened (not drafts), ready_for_review, and closed with merged; issues opened. Then the rules
// apply, in this order: bot senders, ignored authors, ignored labels.
func Decide(event any, r Rules, p *i18n.Printer) (Announcement, string) {
	switch e := event.(type) {
	case *github.PullRequestEvent:
		return pullRequest(e, r, p)
	case *github.IssuesEvent:
		return issue(e, r, p)
	default:
		return Announcement{}, SkipUnsupported
	}
}

func pullRequest(e *github.PullRequestEvent, r Rules, p *i18n.Printer) (Announcement, string) {
	pr := e.GetPullRequest()
	if e.PullRequest == nil || e.Repo == nil {
		return Announcement{}, SkipIncomplete
	}
	var kind Kind
	var when github.Timestamp
	switch e.GetAction() {
	case "opened":
		kind, when = PullRequestOpened, pr.GetCreatedAt()
	case "reopened":
		kind, when = PullRequestReopened, pr.GetUpdatedAt()
	case "ready_for_review":
		kind, when = PullRequestReady, pr.GetUpdatedAt()
	case "closed":
		if !pr.GetMerged() {
			return Announcement{}, SkipClosed
		}
		kind, when = PullRequestMerged, pr.GetMergedAt()
	default:
		return Announcement{}, SkipAction
	}
	if pr.GetDraft() && kind != PullRequestMerged {
		return Announcement{}, SkipDraft
	}
	if skip := r.filter(e.GetSender(), pr.GetUser(), pr.Labels); skip != "" {
		return Announcement{}, skip
	}

	embed := card(p, kind, e.GetRepo().GetFullName(), pr.GetNumber(), pr.GetTitle(), pr.GetHTMLURL(), pr.GetBody(), pr.GetUser(), when)
	embed.Fields = append(embed.Fields, discord.EmbedField{
		Name: p.T("announce.field.branches"), Value: Branch(pr.GetBase().GetRef()) + " ← " + Branch(HeadName(pr)), Inline: true,
	})
	if labels := labelList(pr.Labels); labels != "" {
		embed.Fields = append(embed.Fields, discord.EmbedField{Name: p.T("announce.field.labels"), Value: labels, Inline: true})
	}
	// The webhook payload carries the size; pull requests listed by the REST API do not.
	if pr.Additions != nil && pr.Deletions != nil && pr.ChangedFiles != nil {
		embed.Fields = append(embed.Fields, discord.EmbedField{
			Name: p.T("announce.field.size"), Value: Size(p, pr.GetAdditions(), pr.GetDeletions(), pr.GetChangedFiles()), Inline: true,
		})
	}
	if kind == PullRequestMerged && pr.MergedBy != nil {
		embed.Fields = append(embed.Fields, discord.EmbedField{Name: p.T("announce.field.merged_by"), Value: userLink(pr.MergedBy), Inline: true})
	}
	return Announcement{Kind: kind, Repo: e.GetRepo().GetFullName(), Embed: embed}, ""
}

func issue(e *github.IssuesEvent, r Rules, p *i18n.Printer) (Announcement, string) {
	if e.GetAction() != "opened" {
		return Announcement{}, SkipAction
	}
	is := e.GetIssue()
	if e.Issue == nil || e.Repo == nil {
		return Announcement{}, SkipIncomplete
	}
	if skip := r.filter(e.GetSender(), is.GetUser(), is.Labels); skip != "" {
		return Announcement{}, skip
	}
	embed := card(p, IssueOpened, e.GetRepo().GetFullName(), is.GetNumber(), is.GetTitle(), is.GetHTMLURL(), is.GetBody(), is.GetUser(), is.GetCreatedAt())
	if labels := labelList(is.Labels); labels != "" {
		embed.Fields = append(embed.Fields, discord.EmbedField{Name: p.T("announce.field.labels"), Value: labels, Inline: true})
	}
	return Announcement{Kind: IssueOpened, Repo: e.GetRepo().GetFullName(), Embed: embed}, ""
}

// filter applies the rules to an event's sender, the pull request's or issue's author and its
// labels, and returns why the event is dropped, or "".
func (r Rules) filter(sender, author *github.User, labels []*github.Label) string {
	if !r.AnnounceBots && IsBot(sender) {
		return SkipBot
	}
	for _, login := range r.IgnoreAuthors {
		if strings.EqualFold(login, author.GetLogin()) {
			return SkipAuthor
		}
	}
	for _, l := range labels {
		for _, name := range r.IgnoreLabels {
			if strings.EqualFold(name, l.GetName()) {
				return SkipLabel
			}
		}
	}
	return ""
}

// knownBots are dependency bots that may run under plain user accounts (self-hosted Renovate,
// Dependabot Preview) rather than as GitHub Apps.
var knownBots = []string{"dependabot", "dependabot-preview", "renovate", "renovate-bot"}

// IsBot reports whether u is a bot: a GitHub App acting for itself (type "Bot", login ending in
// "[bot]"), or one of the known dependency bots.
func IsBot(u *github.User) bool {
	login := strings.ToLower(u.GetLogin())
	if u.GetType() == "Bot" || strings.HasSuffix(login, "[bot]") {
		return true
	}
	for _, b := range knownBots {
		if login == b {
			return true
		}
	}
	return false
}

// card builds what pull request and issue embeds share: the linked "#n title", the author with
// avatar, a short description, the repository and kind in the footer, and the event's time.
func card(p *i18n.Printer, kind Kind, repo string, number int, title, url, body string, author *github.User, when github.Timestamp) discord.Embed {
	e := discord.Embed{
		Title:       discord.Truncate(fmt.Sprintf("#%d %s", number, discord.Escape(title)), discord.MaxEmbedTitle),
		URL:         url,
		Description: Summary(body, summaryRunes),
		Color:       colors[kind],
		Footer:      &discord.EmbedFooter{Text: p.T("announce.footer", i18n.Args{"Repo": repo, "Kind": kind.Text(p)})},
	}
	if author != nil {
		e.Author = &discord.EmbedAuthor{Name: author.GetLogin(), URL: author.GetHTMLURL(), IconURL: author.GetAvatarURL()}
	}
	if !when.IsZero() {
		e.Timestamp = when.UTC().Format(time.RFC3339)
	}
	return e
}

// HeadName is the head branch as a reader needs it: "owner:branch" when it comes from a fork.
func HeadName(pr *github.PullRequest) string {
	head := pr.GetHead()
	if head.GetRepo().GetFullName() != pr.GetBase().GetRepo().GetFullName() && head.GetLabel() != "" {
		return head.GetLabel()
	}
	return head.GetRef()
}

// Branch shows a branch name as inline code, and "?" for a name the payload left out.
func Branch(name string) string {
	if name == "" {
		return "?"
	}
	return discord.Code(name)
}

func labelList(labels []*github.Label) string {
	names := make([]string, 0, len(labels))
	for _, l := range labels {
		if l.GetName() != "" {
			names = append(names, discord.Escape(l.GetName()))
		}
	}
	return discord.Truncate(strings.Join(names, ", "), discord.MaxFieldValue)
}

// Size is "+12 −3 · 2 files" / "+12 −3 · 파일 2개".
func Size(p *i18n.Printer, additions, deletions, files int) string {
	return p.N("announce.size", files, i18n.Args{"Additions": p.Count(additions), "Deletions": p.Count(deletions)})
}

func userLink(u *github.User) string {
	if u.GetHTMLURL() == "" {
		return discord.Escape(u.GetLogin())
	}
	return "[" + discord.Escape(u.GetLogin()) + "](" + u.GetHTMLURL() + ")"
}
