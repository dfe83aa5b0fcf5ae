package githubapptest_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// TestListPulls: the fake lists a repository's pull requests in the state asked, paginated, with
// what go-github reads of them.
func TestListPulls(t *testing.T) {
	t.Parallel()
	srv, c := client(t)
	srv.AddRepository(githubapptest.Repository{Owner: "acme", Name: "shop", Pulls: []githubapptest.PullRequest{
		{Number: 3, Title: "Three", Author: "ana", CreatedAt: t0, RequestedReviewers: []string{"bo"}, RequestedTeams: []string{"web"}},
		{Number: 2, Title: "Two", Author: "ana", Draft: true, CreatedAt: t0.Add(-time.Hour)},
		{Number: 1, Title: "One", Author: "ana", State: "closed", CreatedAt: t0.Add(-2 * time.Hour)},
	}})
	numbers := func(state string, perPage, page int) []int {
		t.Helper()
		prs, _, err := c.PullRequests.List(context.Background(), "acme", "shop",
			&github.PullRequestListOptions{State: state, ListOptions: github.ListOptions{PerPage: perPage, Page: page}})
		if err != nil {
			t.Fatalf("list %s: %v", state, err)
		}
		var out []int
		for _, pr := range prs {
			out = append(out, pr.GetNumber())
		}
		return out
	}
	for _, tt := range []struct {
		state         string
		perPage, page int
		want          []int
	}{
		{"", 0, 0, []int{3, 2}},
		{"open", 0, 0, []int{3, 2}},
		{"closed", 0, 0, []int{1}},
		{"all", 0, 0, []int{3, 2, 1}},
		{"all", 2, 2, []int{1}},
	} {
		if diff := cmp.Diff(tt.want, numbers(tt.state, tt.perPage, tt.page)); diff != "" {
			t.Errorf("state %q per_page %d page %d (-want +got):\n%s", tt.state, tt.perPage, tt.page, diff)
		}
	}
	prs, _, err := c.PullRequests.List(context.Background(), "acme", "shop", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := prs[0]
	if got.GetTitle() != "Three" || got.GetUser().GetLogin() != "ana" || !got.GetCreatedAt().Time.Equal(t0) || got.GetDraft() ||
		len(got.RequestedReviewers) != 1 || got.RequestedReviewers[0].GetLogin() != "bo" ||
		len(got.RequestedTeams) != 1 || got.RequestedTeams[0].GetSlug() != "web" ||
		got.GetHTMLURL() != "https://github.com/acme/shop/pull/3" || !prs[1].GetDraft() {
		t.Errorf("pull requests %+v", prs)
	}
}
