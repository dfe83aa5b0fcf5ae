package remind_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/remind"
	"github.com/discord-chatops/chatops/shared/i18n"
)

var now = time.Date(2024, 5, 6, 1, 0, 0, 0, time.UTC)

func pr(number int, state string, draft bool, age time.Duration, reviewers []string, teams []string) *github.PullRequest {
	p := &github.PullRequest{Number: github.Int(number), State: github.String(state), Draft: github.Bool(draft),
		Title: github.String(fmt.Sprint("PR ", number)), User: &github.User{Login: github.String("dana")},
		HTMLURL:   github.String(fmt.Sprint("https://github.com/octo/app/pull/", number)),
		CreatedAt: &github.Timestamp{Time: now.Add(-age)}}
	for _, r := range reviewers {
		p.RequestedReviewers = append(p.RequestedReviewers, &github.User{Login: github.String(r)})
	}
	for _, t := range teams {
		p.RequestedTeams = append(p.RequestedTeams, &github.Team{Slug: github.String(t)})
	}
	return p
}

func TestWaiting(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	tests := []struct {
		name string
		pr   *github.PullRequest
		want bool
	}{
		{"open, requested, old", pr(1, "open", false, 2*day, []string{"bob"}, nil), true},
		{"a team requested", pr(2, "open", false, 2*day, nil, []string{"platform"}), true},
		{"a draft", pr(3, "open", true, 2*day, []string{"bob"}, nil), false},
		{"under the threshold", pr(4, "open", false, day-time.Minute, []string{"bob"}, nil), false},
		{"exactly the threshold", pr(5, "open", false, day, []string{"bob"}, nil), false},
		{"nobody requested (reviewed)", pr(6, "open", false, 2*day, nil, nil), false},
		{"closed", pr(7, "closed", false, 2*day, []string{"bob"}, nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := remind.Waiting("octo/app", []*github.PullRequest{tt.pr}, now, day)
			if (len(got) == 1) != tt.want {
				t.Errorf("waiting %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWaitingOrder(t *testing.T) {
	t.Parallel()
	got := remind.Waiting("octo/app", []*github.PullRequest{
		pr(1, "open", false, 30*time.Hour, []string{"bob"}, nil),
		pr(2, "open", false, 90*time.Hour, []string{"bob"}, nil),
		pr(3, "open", false, 50*time.Hour, []string{"bob"}, nil),
	}, now, 24*time.Hour)
	var numbers []int
	for _, p := range got {
		numbers = append(numbers, p.Number)
	}
	if diff := cmp.Diff([]int{2, 3, 1}, numbers); diff != "" {
		t.Errorf("order, longest waiting first (-want +got):\n%s", diff)
	}
}

// TestMessageMore: past MaxListed the rest are counted, in both languages, and the message
// stays within Discord's limit.
func TestMessageMore(t *testing.T) {
	t.Parallel()
	var pulls []remind.Pull
	for i := range remind.MaxListed + 3 {
		pulls = append(pulls, remind.Pull{Repo: "octo/app", Number: i + 1, Title: "Fix",
			URL: "https://github.com/octo/app/pull/1", Author: "dana", Reviewers: []string{"bob"}, Waited: 48 * time.Hour})
	}
	catalog := i18n.NewCatalog(remind.Messages())
	for lang, want := range map[i18n.Language]string{i18n.English: "… and 3 more", i18n.Korean: "… 외 3개"} {
		m := remind.Message(catalog.Printer(lang), pulls, 24*time.Hour, nil, "n")
		if !strings.HasSuffix(m.Content, "\n"+want) {
			t.Errorf("%s: content ends %q, want %q", lang, m.Content[max(0, len(m.Content)-40):], want)
		}
		if got := strings.Count(m.Content, "\n• "); got != remind.MaxListed {
			t.Errorf("%s: %d lines listed, want %d", lang, got, remind.MaxListed)
		}
	}
	// Long titles: the lines that do not fit are counted, and the count is right.
	for i := range pulls {
		pulls[i].Title = strings.Repeat("ㅎ", 200)
		pulls[i].Reviewers = []string{"reviewer-with-a-long-login-1", "reviewer-with-a-long-login-2", "reviewer-with-a-long-login-3"}
	}
	for _, lang := range []i18n.Language{i18n.English, i18n.Korean} {
		m := remind.Message(catalog.Printer(lang), pulls, 24*time.Hour, nil, "n")
		if n := utf8.RuneCountInString(m.Content); n > 2000 || strings.HasSuffix(m.Content, "…") && !strings.Contains(m.Content, "\n…") {
			t.Errorf("%s: %d characters or cut mid-line: %q", lang, n, m.Content)
		}
		listed := strings.Count(m.Content, "\n• ")
		var more int
		fmt.Sscanf(m.Content[strings.LastIndex(m.Content, "\n")+1:], moreFormat[lang], &more)
		if listed+more != len(pulls) || more == 0 {
			t.Errorf("%s: %d listed and %d more, want %d in all with some counted", lang, listed, more, len(pulls))
		}
	}
}

// moreFormat reads the count of the "more" line.
var moreFormat = map[i18n.Language]string{i18n.English: "… and %d more", i18n.Korean: "… 외 %d개"}

func TestNonce(t *testing.T) {
	t.Parallel()
	a, b := remind.Nonce("1", "2024-05-06"), remind.Nonce("1", "2024-05-07")
	if a == b || a != remind.Nonce("1", "2024-05-06") || len(a) != 25 || a == remind.Nonce("2", "2024-05-06") {
		t.Errorf("nonces %q %q: want 25 characters, one per channel and day", a, b)
	}
}
