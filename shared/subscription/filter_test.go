package subscription

import (
	"errors"
	"path"
	"testing"
)

func TestSkip(t *testing.T) {
	t.Parallel()
	pr := Event{Kind: PullOpened, Base: "main", Author: "minji", Sender: "minji", Labels: []string{"backend"}}
	with := func(edit func(*Event)) Event {
		e := pr
		e.Labels = append([]string(nil), pr.Labels...)
		edit(&e)
		return e
	}
	tests := []struct {
		name   string
		filter Filter
		event  Event
		want   string
	}{
		{name: "zero filter, a pull request", event: pr},
		{name: "zero filter, an issue", event: Event{Kind: IssueOpened, Author: "minji"}},
		{name: "zero filter, ready for review", event: with(func(e *Event) { e.Kind = PullReady })},
		{name: "zero filter, merged", event: with(func(e *Event) { e.Kind = PullMerged })},
		{name: "zero filter, no reviews", event: with(func(e *Event) { e.Kind = ReviewSubmit }), want: SkipKind},
		{name: "merges only drop an opening", filter: Filter{Events: EventsMerges}, event: pr, want: SkipKind},
		{name: "merges only keep a merge", filter: Filter{Events: EventsMerges}, event: with(func(e *Event) { e.Kind = PullMerged })},
		{name: "issues only drop a pull request", filter: Filter{Events: EventsIssues}, event: pr, want: SkipKind},
		{name: "pulls drop an issue", filter: Filter{Events: EventsPulls}, event: Event{Kind: IssueOpened}, want: SkipKind},
		{name: "reviews only", filter: Filter{Events: EventsReviews}, event: with(func(e *Event) { e.Kind = ReviewSubmit })},
		{name: "all has reviews", filter: Filter{Events: EventsAll}, event: with(func(e *Event) { e.Kind = ReviewSubmit })},
		{name: "unknown set holds nothing", filter: Filter{Events: "everything"}, event: pr, want: SkipKind},
		{name: "branch matches exactly", filter: Filter{Branches: []string{"main"}}, event: pr},
		{name: "branch matches a glob", filter: Filter{Branches: []string{"main", "release/*"}},
			event: with(func(e *Event) { e.Base = "release/1.4" })},
		{name: "glob does not cross a slash", filter: Filter{Branches: []string{"release/*"}},
			event: with(func(e *Event) { e.Base = "release/1.4/hotfix" }), want: SkipBranch},
		{name: "branch outside the patterns", filter: Filter{Branches: []string{"main"}},
			event: with(func(e *Event) { e.Base = "develop" }), want: SkipBranch},
		{name: "an issue has no branch", filter: Filter{Branches: []string{"main"}}, event: Event{Kind: IssueOpened}},
		{name: "draft waits for ready", event: with(func(e *Event) { e.Draft = true }), want: SkipDraft},
		{name: "draft announced when asked", filter: Filter{Drafts: true}, event: with(func(e *Event) { e.Draft = true })},
		{name: "draft ready for review", event: with(func(e *Event) { e.Draft = true; e.Kind = PullReady })},
		{name: "bot left out", event: with(func(e *Event) { e.Sender, e.SenderBot = "dependabot[bot]", true }), want: SkipBot},
		{name: "bot let through", filter: Filter{Bots: true}, event: with(func(e *Event) { e.Sender, e.SenderBot = "dependabot[bot]", true })},
		{name: "author ignored, any case", filter: Filter{IgnoreAuthors: []string{"MinJi"}}, event: pr, want: SkipAuthor},
		{name: "sender ignored", filter: Filter{IgnoreAuthors: []string{"release-robot"}},
			event: with(func(e *Event) { e.Sender = "release-robot" }), want: SkipAuthor},
		{name: "label excluded, any case", filter: Filter{ExcludeLabels: []string{"WIP"}},
			event: with(func(e *Event) { e.Labels = append(e.Labels, "wip") }), want: SkipExcluded},
		{name: "label wanted", filter: Filter{Labels: []string{"frontend", "Backend"}}, event: pr},
		{name: "label wanted, none carried", filter: Filter{Labels: []string{"frontend"}}, event: pr, want: SkipLabel},
		{name: "excluded wins over wanted", filter: Filter{Labels: []string{"backend"}, ExcludeLabels: []string{"backend"}},
			event: pr, want: SkipExcluded},
		{name: "kind checked before branch", filter: Filter{Events: EventsIssues, Branches: []string{"main"}},
			event: with(func(e *Event) { e.Base = "develop" }), want: SkipKind},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.filter.Skip(tt.event); got != tt.want {
				t.Errorf("Skip = %q, want %q", got, tt.want)
			}
			if got := tt.filter.Wants(tt.event); got != (tt.want == "") {
				t.Errorf("Wants = %v, want %v", got, tt.want == "")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		filter  Filter
		pattern bool // want a *PatternError
		wantErr bool
	}{
		{name: "zero"},
		{name: "every set", filter: Filter{Events: EventsAll, Branches: []string{"main", "release/*", "v[0-9]*"}}},
		{name: "unknown set", filter: Filter{Events: "everything"}, wantErr: true},
		{name: "bad pattern", filter: Filter{Branches: []string{"main", "release/["}}, wantErr: true, pattern: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.filter.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate = %v, want error %v", err, tt.wantErr)
			}
			var pe *PatternError
			if errors.As(err, &pe) != tt.pattern || (tt.pattern && !errors.Is(err, path.ErrBadPattern)) {
				t.Errorf("Validate = %v, want a pattern error %v", err, tt.pattern)
			}
		})
	}
}

func TestEventsKinds(t *testing.T) {
	t.Parallel()
	for _, e := range AllEvents {
		if len(e.Kinds()) == 0 {
			t.Errorf("%s holds no kind", e)
		}
	}
	if got := Events("").Kinds(); len(got) != len(EventsDefault.Kinds()) {
		t.Errorf("zero Events holds %v, want the default set", got)
	}
}
