package githubapptest

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// PullRequest is a pull request of a Repository, with what GET /repos/{owner}/{repo}/pulls
// shows of it.
type PullRequest struct {
	Number int
	Title  string
	// Author is the login of the user who opened it.
	Author string
	// State is "open" or "closed"; "" means "open".
	State string
	Draft bool
	// Base is the base branch; "" means the repository's default branch.
	Base      string
	CreatedAt time.Time
	// RequestedReviewers are the logins still requested, RequestedTeams the teams' slugs:
	// GitHub drops a reviewer from the list when they submit a review.
	RequestedReviewers []string
	RequestedTeams     []string
}

// serveListPulls lists the pull requests in the state asked (open unless state=closed or all),
// paginated.
//
// See https://docs.github.com/en/rest/pulls/pulls#list-pull-requests
func (s *Server) serveListPulls(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoLocked(w, r)
	if rp == nil {
		return
	}
	want := r.URL.Query().Get("state")
	if want == "" {
		want = "open"
	}
	if !slices.Contains([]string{"open", "closed", "all"}, want) {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	var out []map[string]any
	for _, pr := range rp.Pulls {
		st := pr.State
		if st == "" {
			st = "open"
		}
		if want != "all" && st != want {
			continue
		}
		out = append(out, rp.pullJSON(pr, st))
	}
	items := page(out, r, 100)
	if items == nil {
		items = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, items)
}

func (r *Repository) pullJSON(pr PullRequest, st string) map[string]any {
	base := pr.Base
	if base == "" {
		base = r.DefaultBranch
	}
	reviewers := []map[string]any{}
	for _, l := range pr.RequestedReviewers {
		reviewers = append(reviewers, userJSON(l))
	}
	teams := []map[string]any{}
	for _, t := range pr.RequestedTeams {
		teams = append(teams, map[string]any{"slug": t, "name": t})
	}
	return map[string]any{
		"number":              pr.Number,
		"title":               pr.Title,
		"state":               st,
		"draft":               pr.Draft,
		"html_url":            fmt.Sprintf("https://github.com/%s/pull/%d", r.FullName(), pr.Number),
		"user":                userJSON(pr.Author),
		"created_at":          pr.CreatedAt.UTC().Format(time.RFC3339),
		"base":                map[string]any{"ref": base},
		"requested_reviewers": reviewers,
		"requested_teams":     teams,
	}
}
