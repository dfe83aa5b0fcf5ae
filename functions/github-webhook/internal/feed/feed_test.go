package feed

import (
	"reflect"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"
)

func printer(l i18n.Language) *i18n.Printer {
	return i18n.NewCatalog(Messages(), announceMessages()).Printer(l)
}

func snap(updated, state string, draft bool, requested ...string) *Snapshot {
	return &Snapshot{UpdatedAt: updated, State: state, Draft: draft, Title: "t", URL: "u", Requested: requested}
}

func TestApplyTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	changes := []Change{
		{Snapshot: snap("2024-01-01T10:00:00Z", "open", false, "octocat"), SetsFlags: true, Step: &Step{Delivery: "d1", What: StepOpened}},
		{Snapshot: snap("2024-01-01T10:05:00Z", "open", false), Review: &Review{Login: "octocat", State: Approved, At: "2024-01-01T10:05:00Z"},
			Step: &Step{Delivery: "d2", What: StepApproved, By: "octocat"}},
	}
	rec := Record{Item: PullRequest}
	for _, c := range changes {
		if !Apply(&rec, c) {
			t.Errorf("first Apply of %s changed nothing", c.Step.Delivery)
		}
		if Apply(&rec, c) {
			t.Errorf("second Apply of %s changed the record", c.Step.Delivery)
		}
	}
	if got := rec.Status(); got != StatusApproved {
		t.Errorf("status %s, want approved", got)
	}
	if len(rec.History) != 2 {
		t.Errorf("history %v, want 2 steps", rec.History)
	}
}

// TestApplyOutOfOrder: a delivery that arrives late does not undo what a later one showed.
func TestApplyOutOfOrder(t *testing.T) {
	t.Parallel()
	rec := Record{Item: PullRequest}
	Apply(&rec, Change{Snapshot: &Snapshot{UpdatedAt: "2024-01-01T10:10:00Z", State: "closed", Merged: true}, SetsFlags: true})
	Apply(&rec, Change{Snapshot: snap("2024-01-01T10:00:00Z", "open", true), SetsFlags: true})
	if got := rec.Status(); got != StatusMerged {
		t.Errorf("status %s after a late draft event, want merged", got)
	}
	Apply(&rec, Change{Review: &Review{Login: "a", State: ChangesRequested, At: "2024-01-01T10:08:00Z"}})
	Apply(&rec, Change{Review: &Review{Login: "a", State: Approved, At: "2024-01-01T10:02:00Z"}})
	if diff := cmp.Diff([]Review{{Login: "a", State: ChangesRequested, At: "2024-01-01T10:08:00Z"}}, rec.Reviews); diff != "" {
		t.Errorf("reviews after a late approval (-want +got):\n%s", diff)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rec     Record
		want    Status
		wantHue int
	}{
		{name: "open", rec: Record{Item: PullRequest, Snapshot: *snap("", "open", false)}, want: StatusOpen},
		{name: "draft with a request", rec: Record{Item: PullRequest, Snapshot: *snap("", "open", true, "a")}, want: StatusDraft},
		{name: "ready", rec: Record{Item: PullRequest, Snapshot: Snapshot{State: "open", Ready: true}}, want: StatusReady},
		{name: "reopened", rec: Record{Item: PullRequest, Snapshot: Snapshot{State: "open", Reopened: true}}, want: StatusReopened},
		{name: "requested", rec: Record{Item: PullRequest, Snapshot: *snap("", "open", false, "a")}, want: StatusReviewRequested},
		{
			name: "a change request outweighs an approval",
			rec: Record{Item: PullRequest, Snapshot: *snap("", "open", false),
				Reviews: []Review{{Login: "a", State: Approved}, {Login: "b", State: ChangesRequested}}},
			want: StatusChangesRequested,
		},
		{
			name: "a reviewer asked again is requested",
			rec: Record{Item: PullRequest, Snapshot: *snap("", "open", false, "b"),
				Reviews: []Review{{Login: "a", State: Approved}, {Login: "b", State: ChangesRequested}}},
			want: StatusApproved,
		},
		{name: "merged", rec: Record{Item: PullRequest, Snapshot: Snapshot{State: "closed", Merged: true}}, want: StatusMerged},
		{name: "closed", rec: Record{Item: PullRequest, Snapshot: Snapshot{State: "closed"}}, want: StatusClosed},
		{name: "issue open", rec: Record{Item: Issue, Snapshot: Snapshot{State: "open"}}, want: StatusOpen, wantHue: colorOrange},
		{name: "issue closed", rec: Record{Item: Issue, Snapshot: Snapshot{State: "closed"}}, want: StatusClosed},
	}
	for _, tt := range tests {
		if got := tt.rec.Status(); got != tt.want {
			t.Errorf("%s: status %s, want %s", tt.name, got, tt.want)
		}
		if hue := tt.rec.Color(); hue == 0 || (tt.wantHue != 0 && hue != tt.wantHue) {
			t.Errorf("%s: colour %#x", tt.name, hue)
		}
	}
}

func TestCommentKeepsVerdict(t *testing.T) {
	t.Parallel()
	rec := Record{Item: PullRequest}
	Apply(&rec, Change{Review: &Review{Login: "a", State: Approved, At: "2024-01-01T10:00:00Z"}})
	Apply(&rec, Change{Review: &Review{Login: "A", State: Commented, At: "2024-01-01T10:01:00Z"}})
	if got := rec.Reviewers(); len(got) != 1 || got[0].State != Approved {
		t.Errorf("reviewers %+v, want a still approved", got)
	}
	Apply(&rec, Change{Review: &Review{Login: "a", State: Dismissed, At: "2024-01-01T10:02:00Z"}})
	if got := rec.Reviewers(); got[0].State != Dismissed {
		t.Errorf("reviewers %+v, want the approval dismissed", got)
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	a, b := Key(PullRequest, "Codertocat/Hello-World", 2, "c1"), Key(PullRequest, "codertocat/hello-world", 2, "c1")
	if a != b || a.PK != "pr#codertocat/hello-world#2" || a.SK != "pr#c1" {
		t.Errorf("keys %v and %v", a, b)
	}
	if Key(Issue, "o/r", 2, "c1") == a || Nonce(Key(Issue, "o/r", 2, "c1")) == Nonce(a) || len(Nonce(a)) != nonceLen {
		t.Error("a pull request and an issue share a key or a nonce")
	}
	if Nonce(Key(PullRequest, "o/hello-world", 1, "c1")) == Nonce(Key(PullRequest, "o/helloworld", 1, "c1")) {
		t.Error("two repositories share a nonce")
	}
	if c2 := Key(PullRequest, "o/r", 1, "c2"); c2.PK != Key(PullRequest, "o/r", 1, "c1").PK || Nonce(c2) == Nonce(Key(PullRequest, "o/r", 1, "c1")) {
		t.Error("two channels' records of one pull request are not one partition with their own nonces")
	}
}

// TestTexts: every status, review state, step and note has its own text in each language (of
// its group),
// none an id in brackets (the ids are built at run time, which i18ntest cannot see).
func TestTexts(t *testing.T) {
	t.Parallel()
	for _, l := range i18n.Languages() {
		p := printer(l)
		seen := map[string]string{}
		check := func(id string, args i18n.Args) {
			text := p.T(id, args)
			if text == "" || strings.Contains(text, "["+id+"]") || strings.HasPrefix(text, "[") {
				t.Errorf("%s: %s shows %q", l, id, text)
			}
			group := id[:strings.LastIndex(id, ".")]
			if other, ok := seen[group+"\x00"+text]; ok {
				t.Errorf("%s: %s and %s both show %q", l, id, other, text)
			}
			seen[group+"\x00"+text] = id
		}
		args := i18n.Args{"By": "b", "Whom": "w", "URL": "u", "SHA": "s"}
		for _, s := range []Status{StatusOpen, StatusDraft, StatusReady, StatusReviewRequested, StatusApproved,
			StatusChangesRequested, StatusMerged, StatusClosed, StatusReopened} {
			check("feed.status."+string(s), nil)
		}
		for _, r := range []string{Requested, Approved, ChangesRequested, Commented, Dismissed} {
			check("feed.review."+r, nil)
		}
		for _, s := range []string{StepOpened, StepOpenedDraft, StepDraft, StepReady, StepReviewRequested, StepApproved,
			StepChanges, StepCommented, StepDismissed, StepCheckFailed, StepMerged, StepClosed, StepReopened} {
			check("feed.step."+s, args)
		}
		for _, n := range []string{StepApproved, StepChanges, StepCommented, StepCheckFailed} {
			check("feed.note."+n, args)
		}
		check("feed.item.pr", nil)
		check("feed.item.issue", nil)
	}
}

func TestThreadName(t *testing.T) {
	t.Parallel()
	rec := Record{Number: 12, Snapshot: Snapshot{Title: strings.Repeat("é", 200)}}
	if got := ThreadName(rec); len([]rune(got)) != maxThreadName || !strings.HasPrefix(got, "#12 é") {
		t.Errorf("ThreadName = %q (%d runes)", got, len([]rune(got)))
	}
}

// TestPings: a review requested from a person and an assignment name who they are for; a
// team's review request and other actions name nobody.
func TestPings(t *testing.T) {
	t.Parallel()
	repo := &github.Repository{FullName: github.String("o/r")}
	pr := &github.PullRequest{Number: github.Int(1)}
	tests := []struct {
		name  string
		event any
		want  *Ping
	}{
		{"review requested", &github.PullRequestEvent{Action: github.String("review_requested"), Repo: repo, PullRequest: pr,
			RequestedReviewer: &github.User{Login: github.String("octocat")}}, &Ping{What: PingReview, Login: "octocat"}},
		{"a team's review requested", &github.PullRequestEvent{Action: github.String("review_requested"), Repo: repo, PullRequest: pr,
			RequestedTeam: &github.Team{Name: github.String("platform")}}, nil},
		{"pull request assigned", &github.PullRequestEvent{Action: github.String("assigned"), Repo: repo, PullRequest: pr,
			Assignee: &github.User{Login: github.String("hubot")}}, &Ping{What: PingAssigned, Login: "hubot"}},
		{"issue assigned", &github.IssuesEvent{Action: github.String("assigned"), Repo: repo, Issue: &github.Issue{Number: github.Int(2)},
			Assignee: &github.User{Login: github.String("hubot")}}, &Ping{What: PingAssigned, Login: "hubot"}},
		{"labeled", &github.PullRequestEvent{Action: github.String("labeled"), Repo: repo, PullRequest: pr}, nil},
	}
	for _, tt := range tests {
		c, skip := Read(tt.event, "d-1")
		if skip != "" {
			t.Errorf("%s: skipped: %s", tt.name, skip)
			continue
		}
		if !reflect.DeepEqual(c.Ping, tt.want) {
			t.Errorf("%s: ping %+v, want %+v", tt.name, c.Ping, tt.want)
		}
	}
}
