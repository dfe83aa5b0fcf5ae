package feed

import (
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/announce"
	"github.com/google/go-github/v66/github"
)

// Change is what one webhook event changes in a record, and what it posts in the thread.
type Change struct {
	Item   Item
	Repo   string // owner/name as GitHub spells it
	Number int
	// Snapshot is the pull request or issue as the event shows it; nil for a check suite.
	Snapshot *Snapshot
	// SetsFlags is true for the pull_request actions that say how it became open (opened,
	// ready_for_review, converted_to_draft, reopened, closed): only they set Ready and Reopened.
	SetsFlags bool
	Review    *Review
	Step      *Step
	// Note, when set, goes to the message's thread, which is started for it if need be.
	Note *Note
	// Ping, when set, names a person the change is for: a requested reviewer, an assignee. A
	// member who linked that login (/link) is mentioned in the thread; nobody else is.
	Ping *Ping
	// HeadSHA, for a check suite, is the commit it ran on: only a failure on the pull
	// request's head commit is posted.
	HeadSHA string
}

// Note is a thread message: a review with a body, or a failed check suite.
type Note struct {
	What string // StepApproved, StepChanges, StepCommented or StepCheckFailed
	By   string // the reviewer, or the check suite's app
	Body string // the review's body, as written
	SHA  string // the commit a check suite failed on, shortened
	URL  string
}

// Ping is who a change asks for, by GitHub login, and why: PingReview or PingAssigned.
type Ping struct {
	What  string
	Login string
}

// Why a Ping names someone.
const (
	PingReview   = "review"
	PingAssigned = "assigned"
)

// Reasons Read gives for an event that changes no record; they go to the logs.
const (
	SkipAction     = "action not followed"
	SkipIncomplete = "payload lacks the pull request or issue"
	SkipCheck      = "check suite did not fail"
	SkipNoPR       = "check suite on no pull request"
	SkipReview     = "review without a state"
	SkipEvent      = "event not followed"
)

// Read returns the change event makes, for a *github.PullRequestEvent, *github.IssuesEvent,
// *github.PullRequestReviewEvent or *github.CheckSuiteEvent as github.ParseWebHook returns
// them, or a non-empty reason (a Skip constant) why it changes nothing. delivery is the
// X-GitHub-Delivery id, which makes the history step once-only.
func Read(event any, delivery string) (Change, string) {
	switch e := event.(type) {
	case *github.PullRequestEvent:
		return pullRequest(e, delivery)
	case *github.PullRequestReviewEvent:
		return review(e, delivery)
	case *github.CheckSuiteEvent:
		return checkSuite(e, delivery)
	case *github.IssuesEvent:
		return issue(e, delivery)
	}
	return Change{}, SkipEvent
}

func pullRequest(e *github.PullRequestEvent, delivery string) (Change, string) {
	pr := e.GetPullRequest()
	if e.PullRequest == nil || e.Repo == nil {
		return Change{}, SkipIncomplete
	}
	c := Change{Item: PullRequest, Repo: e.GetRepo().GetFullName(), Number: pr.GetNumber(), Snapshot: prSnapshot(pr)}
	step := func(what string, at github.Timestamp) *Step {
		return &Step{Delivery: delivery, What: what, By: e.GetSender().GetLogin(), At: stamp(at)}
	}
	switch e.GetAction() {
	case "opened":
		c.SetsFlags, c.Step = true, step(StepOpened, pr.GetCreatedAt())
		if pr.GetDraft() {
			c.Step.What = StepOpenedDraft
		}
	case "ready_for_review":
		c.SetsFlags, c.Snapshot.Ready, c.Step = true, true, step(StepReady, pr.GetUpdatedAt())
	case "converted_to_draft":
		c.SetsFlags, c.Step = true, step(StepDraft, pr.GetUpdatedAt())
	case "reopened":
		c.SetsFlags, c.Snapshot.Reopened, c.Step = true, true, step(StepReopened, pr.GetUpdatedAt())
	case "closed":
		c.SetsFlags, c.Step = true, step(StepClosed, pr.GetClosedAt())
		if pr.GetMerged() || pr.MergedAt != nil {
			c.Step = step(StepMerged, pr.GetMergedAt())
			if pr.MergedBy != nil {
				c.Step.By = pr.GetMergedBy().GetLogin()
			}
		}
	case "review_requested":
		c.Step = step(StepReviewRequested, pr.GetUpdatedAt())
		c.Step.Whom = e.GetRequestedReviewer().GetLogin()
		if c.Step.Whom == "" {
			c.Step.Whom = e.GetRequestedTeam().GetName()
		} else {
			c.Ping = &Ping{What: PingReview, Login: c.Step.Whom}
		}
	case "assigned":
		if login := e.GetAssignee().GetLogin(); login != "" {
			c.Ping = &Ping{What: PingAssigned, Login: login}
		}
	case "review_request_removed", "synchronize", "edited", "labeled", "unlabeled", "unassigned":
		// The snapshot alone changes: reviewers, head commit, title, labels.
	default:
		return Change{}, SkipAction
	}
	return c, ""
}

func prSnapshot(pr *github.PullRequest) *Snapshot {
	s := &Snapshot{
		UpdatedAt: stamp(pr.GetUpdatedAt()),
		CreatedAt: stamp(pr.GetCreatedAt()),
		State:     pr.GetState(),
		Draft:     pr.GetDraft(),
		Merged:    pr.GetMerged() || pr.MergedAt != nil,
		Title:     pr.GetTitle(),
		URL:       pr.GetHTMLURL(),
		Body:      announce.Summary(pr.GetBody(), summaryRunes),
		Author:    user(pr.User),
		Base:      pr.GetBase().GetRef(),
		Head:      announce.HeadName(pr),
		HeadSHA:   pr.GetHead().GetSHA(),
		Labels:    labels(pr.Labels),
	}
	if s.Merged {
		s.MergedBy = user(pr.MergedBy)
	}
	if pr.Additions != nil && pr.Deletions != nil && pr.ChangedFiles != nil {
		s.Size = &Size{Additions: pr.GetAdditions(), Deletions: pr.GetDeletions(), Files: pr.GetChangedFiles()}
	}
	for _, u := range pr.RequestedReviewers {
		s.Requested = append(s.Requested, u.GetLogin())
	}
	for _, t := range pr.RequestedTeams {
		s.Requested = append(s.Requested, t.GetName())
	}
	return s
}

func review(e *github.PullRequestReviewEvent, delivery string) (Change, string) {
	pr, r := e.GetPullRequest(), e.GetReview()
	if e.PullRequest == nil || e.Review == nil || e.Repo == nil {
		return Change{}, SkipIncomplete
	}
	c := Change{Item: PullRequest, Repo: e.GetRepo().GetFullName(), Number: pr.GetNumber(), Snapshot: prSnapshot(pr)}
	state := strings.ToLower(r.GetState())
	switch e.GetAction() {
	case "submitted":
	case "dismissed":
		state = Dismissed
	default:
		return Change{}, SkipAction
	}
	switch state {
	case Approved, ChangesRequested, Commented, Dismissed:
	default:
		return Change{}, SkipReview
	}
	login := r.GetUser().GetLogin()
	c.Review = &Review{Login: login, State: state, At: stamp(r.GetSubmittedAt())}
	c.Step = &Step{Delivery: delivery, What: state, By: login, At: c.Review.At}
	if body := strings.TrimSpace(r.GetBody()); body != "" && state != Dismissed {
		c.Note = &Note{What: state, By: login, Body: body, URL: r.GetHTMLURL()}
	}
	return c, ""
}

// failed are the check suite conclusions that count as a failed check.
var failed = map[string]bool{"failure": true, "timed_out": true}

func checkSuite(e *github.CheckSuiteEvent, delivery string) (Change, string) {
	cs := e.GetCheckSuite()
	if e.GetAction() != "completed" || !failed[cs.GetConclusion()] {
		return Change{}, SkipCheck
	}
	if e.Repo == nil || len(cs.PullRequests) == 0 {
		return Change{}, SkipNoPR
	}
	// A suite names every open pull request whose head is its commit; the first is followed.
	pr := cs.PullRequests[0]
	sha := cs.GetHeadSHA()
	app := cs.GetApp().GetName()
	url := e.GetRepo().GetHTMLURL() + "/commit/" + sha + "/checks"
	return Change{
		Item: PullRequest, Repo: e.GetRepo().GetFullName(), Number: pr.GetNumber(), HeadSHA: sha,
		Step: &Step{Delivery: delivery, What: StepCheckFailed, By: app, At: stamp(cs.GetUpdatedAt())},
		Note: &Note{What: StepCheckFailed, By: app, SHA: shortSHA(sha), URL: url},
	}, ""
}

func issue(e *github.IssuesEvent, delivery string) (Change, string) {
	is := e.GetIssue()
	if e.Issue == nil || e.Repo == nil {
		return Change{}, SkipIncomplete
	}
	c := Change{Item: Issue, Repo: e.GetRepo().GetFullName(), Number: is.GetNumber(), SetsFlags: true, Snapshot: &Snapshot{
		UpdatedAt: stamp(is.GetUpdatedAt()),
		CreatedAt: stamp(is.GetCreatedAt()),
		State:     is.GetState(),
		Title:     is.GetTitle(),
		URL:       is.GetHTMLURL(),
		Body:      announce.Summary(is.GetBody(), summaryRunes),
		Author:    user(is.User),
		Labels:    labels(is.Labels),
	}}
	step := func(what string, at github.Timestamp) *Step {
		return &Step{Delivery: delivery, What: what, By: e.GetSender().GetLogin(), At: stamp(at)}
	}
	switch e.GetAction() {
	case "opened":
		c.Step = step(StepOpened, is.GetCreatedAt())
	case "closed":
		c.Step = step(StepClosed, is.GetClosedAt())
	case "reopened":
		c.Snapshot.Reopened, c.Step = true, step(StepReopened, is.GetUpdatedAt())
	case "assigned":
		c.SetsFlags = false
		if login := e.GetAssignee().GetLogin(); login != "" {
			c.Ping = &Ping{What: PingAssigned, Login: login}
		}
	case "edited", "labeled", "unlabeled", "unassigned":
		c.SetsFlags = false
	default:
		return Change{}, SkipAction
	}
	return c, ""
}

func stamp(t github.Timestamp) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func user(u *github.User) *User {
	if u == nil {
		return nil
	}
	return &User{Login: u.GetLogin(), URL: u.GetHTMLURL(), AvatarURL: u.GetAvatarURL()}
}

func labels(ls []*github.Label) []string {
	var out []string
	for _, l := range ls {
		if l.GetName() != "" {
			out = append(out, l.GetName())
		}
	}
	return out
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
