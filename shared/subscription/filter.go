package subscription

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Kind is the kind of event a delivery is, as a subscription chooses among them.
type Kind string

// The kinds of event a subscription can ask for.
const (
	PullOpened   Kind = "pull_opened"   // opened or reopened, not a draft
	PullReady    Kind = "pull_ready"    // a draft marked ready for review
	PullMerged   Kind = "pull_merged"   // closed by a merge
	IssueOpened  Kind = "issue_opened"  // an issue opened
	ReviewSubmit Kind = "review_submit" // a review submitted on a pull request
)

// Events is a named set of kinds: the choices of /subscribe's events option.
type Events string

// The sets of kinds a subscription can choose; the zero value is EventsDefault.
const (
	// EventsDefault is what the suite announces without a subscription: pull requests
	// (opened, ready, merged) and issues.
	EventsDefault Events = "default"
	EventsPulls   Events = "pulls"   // pull requests: opened, ready for review, merged
	EventsMerges  Events = "merges"  // merged pull requests only
	EventsIssues  Events = "issues"  // issues only
	EventsReviews Events = "reviews" // reviews only
	EventsAll     Events = "all"     // pull requests, issues and reviews
)

// AllEvents lists the sets in the order /subscribe offers them.
var AllEvents = []Events{EventsDefault, EventsPulls, EventsMerges, EventsIssues, EventsReviews, EventsAll}

// Kinds are the kinds of event the set holds; an unknown set holds none.
func (e Events) Kinds() []Kind {
	switch e {
	case EventsDefault, "":
		return []Kind{PullOpened, PullReady, PullMerged, IssueOpened}
	case EventsPulls:
		return []Kind{PullOpened, PullReady, PullMerged}
	case EventsMerges:
		return []Kind{PullMerged}
	case EventsIssues:
		return []Kind{IssueOpened}
	case EventsReviews:
		return []Kind{ReviewSubmit}
	case EventsAll:
		return []Kind{PullOpened, PullReady, PullMerged, IssueOpened, ReviewSubmit}
	}
	return nil
}

// Event is one delivery as a filter sees it. Names are as GitHub writes them.
type Event struct {
	Kind Kind
	// Base is the pull request's base branch ("" for an issue).
	Base string
	// Draft says the pull request is a draft.
	Draft bool
	// Labels are the pull request's or issue's labels.
	Labels []string
	// Author is the login of the pull request's or issue's author, Sender the login of who
	// caused the event; SenderBot says the sender is a bot (announce.IsBot).
	Author, Sender string
	SenderBot      bool
}

// Filter is what a subscription lets through. The zero Filter announces the default kinds
// on every branch, waits for drafts to be ready for review, and leaves out bots.
type Filter struct {
	Events Events `dynamodbav:"events,omitempty"`
	// Branches are path.Match globs on the base branch; none means every branch.
	Branches []string `dynamodbav:"branches,omitempty"`
	// Drafts announces draft pull requests as they open too, not only once ready for review.
	Drafts bool `dynamodbav:"drafts,omitempty"`
	// Labels, when given, keep only events carrying at least one of them; ExcludeLabels drop
	// events carrying any of them. Matched without regard to case.
	Labels        []string `dynamodbav:"labels,omitempty"`
	ExcludeLabels []string `dynamodbav:"exclude_labels,omitempty"`
	// IgnoreAuthors are logins whose pull requests, issues and events are left out, matched
	// without regard to case, as author or as sender.
	IgnoreAuthors []string `dynamodbav:"ignore_authors,omitempty"`
	// Bots lets events sent by bots through.
	Bots bool `dynamodbav:"bots,omitempty"`
}

// Reasons Skip gives for leaving an event out; they go to the logs.
const (
	SkipKind     = "kind not subscribed"
	SkipBranch   = "base branch not subscribed"
	SkipDraft    = "draft pull request"
	SkipLabel    = "label not subscribed"
	SkipExcluded = "label excluded"
	SkipAuthor   = "author ignored"
	SkipBot      = "sent by a bot"
)

// Skip says why f leaves e out, one of the Skip constants, or "" when f announces it. The
// checks run in this order: kind, branch, draft, bot, author, excluded labels, wanted labels.
func (f Filter) Skip(e Event) string {
	if !slices.Contains(f.Events.Kinds(), e.Kind) {
		return SkipKind
	}
	if e.Base != "" && len(f.Branches) > 0 && !slices.ContainsFunc(f.Branches, func(p string) bool {
		ok, _ := path.Match(p, e.Base) // patterns are checked by Validate when stored
		return ok
	}) {
		return SkipBranch
	}
	if e.Draft && e.Kind == PullOpened && !f.Drafts {
		return SkipDraft
	}
	if e.SenderBot && !f.Bots {
		return SkipBot
	}
	if containsFold(f.IgnoreAuthors, e.Author) || containsFold(f.IgnoreAuthors, e.Sender) {
		return SkipAuthor
	}
	if slices.ContainsFunc(e.Labels, func(l string) bool { return containsFold(f.ExcludeLabels, l) }) {
		return SkipExcluded
	}
	if len(f.Labels) > 0 && !slices.ContainsFunc(e.Labels, func(l string) bool { return containsFold(f.Labels, l) }) {
		return SkipLabel
	}
	return ""
}

// Wants says whether f announces e.
func (f Filter) Wants(e Event) bool { return f.Skip(e) == "" }

// Validate reports the first problem with f: an unknown set of events or a malformed branch
// pattern.
func (f Filter) Validate() error {
	if f.Events != "" && f.Events.Kinds() == nil {
		return fmt.Errorf("events %q: want one of %v", f.Events, AllEvents)
	}
	for _, p := range f.Branches {
		if _, err := path.Match(p, ""); err != nil {
			return &PatternError{Pattern: p}
		}
	}
	return nil
}

// PatternError is a branch pattern path.Match cannot read ("release/[").
type PatternError struct{ Pattern string }

func (e *PatternError) Error() string {
	return fmt.Sprintf("branch pattern %q: %v", e.Pattern, path.ErrBadPattern)
}

// Unwrap makes errors.Is(err, path.ErrBadPattern) true.
func (e *PatternError) Unwrap() error { return path.ErrBadPattern }

func containsFold(list []string, s string) bool {
	return s != "" && slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}
