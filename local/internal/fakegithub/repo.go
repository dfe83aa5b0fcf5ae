package fakegithub

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Commit is a commit of the local repository's history, oldest first.
type Commit struct {
	SHA, Message, Author string
}

// Run is a run of the deploy workflow the local GitHub knows: seeded, or created by a dispatch.
type Run struct {
	ID           int64
	DisplayTitle string
	HeadBranch   string
	HeadSHA      string
	Event        string // "workflow_dispatch"
	Status       string // "queued", "in_progress", "completed"
	Conclusion   string // "success", "failure", ... when completed
	CreatedAt    time.Time
}

// Repository is the one repository the local GitHub serves: a linear history, refs pointing
// into it, and the deploy workflow's runs.
type Repository struct {
	FullName      string
	DefaultBranch string
	Workflow      string
	History       []Commit          // oldest first
	Refs          map[string]string // branch or tag -> SHA
	Runs          []Run             // newest first
}

// DemoRepository is the demo's repository: v1.4.1, then v1.4.2, which both environments last
// deployed successfully (after v1.4.1: /rollback has somewhere to go), then main.
func DemoRepository(fullName, workflow string, now time.Time) *Repository {
	older := Commit{SHA: "b0a710ad9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b", Message: "Release 1.4.1", Author: "jun"}
	old := Commit{SHA: "c0ffee15a1b2c3d4e5f60718293a4b5c6d7e8f90", Message: "Release 1.4.2", Author: "jun"}
	head := Commit{SHA: "5ca1ab1e0f1e2d3c4b5a69788796a5b4c3d2e1f0", Message: "Retry checkout calls on 502\n\nThe payment API drops one request in a thousand.", Author: "minji"}
	return &Repository{
		FullName: fullName, DefaultBranch: "main", Workflow: workflow,
		History: []Commit{older, old, head},
		Refs:    map[string]string{"main": head.SHA, "v1.4.2": old.SHA, "v1.4.1": older.SHA},
		Runs: []Run{
			{ID: 8800000002, DisplayTitle: "Deploy prod by jun [manual]", HeadBranch: "v1.4.2", HeadSHA: old.SHA, Event: "workflow_dispatch",
				Status: "completed", Conclusion: "success", CreatedAt: now.Add(-20 * time.Hour)},
			{ID: 8800000001, DisplayTitle: "Deploy dev by jun [manual]", HeadBranch: "v1.4.2", HeadSHA: old.SHA, Event: "workflow_dispatch",
				Status: "completed", Conclusion: "success", CreatedAt: now.Add(-26 * time.Hour)},
			{ID: 8700000002, DisplayTitle: "Deploy prod by jun [manual]", HeadBranch: "v1.4.1", HeadSHA: older.SHA, Event: "workflow_dispatch",
				Status: "completed", Conclusion: "success", CreatedAt: now.Add(-70 * time.Hour)},
			{ID: 8700000001, DisplayTitle: "Deploy dev by jun [manual]", HeadBranch: "v1.4.1", HeadSHA: older.SHA, Event: "workflow_dispatch",
				Status: "completed", Conclusion: "success", CreatedAt: now.Add(-74 * time.Hour)},
		},
	}
}

func (rp *Repository) index(sha string) int {
	for i, c := range rp.History {
		if c.SHA == sha || (len(sha) >= 7 && strings.HasPrefix(c.SHA, sha)) {
			return i
		}
	}
	return -1
}

// resolve returns the SHA a ref or SHA names, "" when none.
func (rp *Repository) resolve(ref string) string {
	if sha, ok := rp.Refs[ref]; ok {
		return sha
	}
	if i := rp.index(ref); i >= 0 {
		return rp.History[i].SHA
	}
	return ""
}

func (s *Server) repoFor(w http.ResponseWriter, r *http.Request) *Repository {
	full := r.PathValue("owner") + "/" + r.PathValue("repo")
	if s.Repo == nil || !strings.EqualFold(full, s.Repo.FullName) {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil
	}
	return s.Repo
}

func (s *Server) getRepository(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(w, r)
	if rp == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": 1296269, "name": r.PathValue("repo"), "full_name": rp.FullName, "default_branch": rp.DefaultBranch,
		"html_url": "https://github.com/" + rp.FullName, "private": true,
	})
}

// getCommit answers GET /repos/{owner}/{repo}/commits/{ref}; with the sha media type, as
// go-github's GetCommitSHA1 asks, the body is the bare SHA.
func (s *Server) getCommit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(w, r)
	if rp == nil {
		return
	}
	ref := r.PathValue("ref")
	sha := rp.resolve(ref)
	if sha == "" {
		writeError(w, http.StatusUnprocessableEntity, "No commit found for SHA: "+ref)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "sha") {
		w.Header().Set("Content-Type", "application/vnd.github.sha; charset=utf-8")
		_, _ = w.Write([]byte(sha))
		return
	}
	c := rp.History[rp.index(sha)]
	writeJSON(w, http.StatusOK, commitJSON(c))
}

func commitJSON(c Commit) map[string]any {
	return map[string]any{
		"sha":    c.SHA,
		"commit": map[string]any{"message": c.Message, "author": map[string]any{"name": c.Author}},
		"author": map[string]any{"login": c.Author},
	}
}

// compare answers GET /repos/{owner}/{repo}/compare/{base}...{head} over the linear history.
func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(w, r)
	if rp == nil {
		return
	}
	base, head, ok := strings.Cut(r.PathValue("basehead"), "...")
	bi, hi := rp.index(rp.resolve(base)), rp.index(rp.resolve(head))
	if !ok || bi < 0 || hi < 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	out := map[string]any{"status": "identical", "ahead_by": 0, "behind_by": 0, "total_commits": 0, "commits": []any{}}
	switch {
	case hi > bi:
		var commits []any
		for _, c := range rp.History[bi+1 : hi+1] {
			commits = append(commits, commitJSON(c))
		}
		out = map[string]any{"status": "ahead", "ahead_by": hi - bi, "behind_by": 0, "total_commits": hi - bi, "commits": commits}
	case hi < bi:
		out = map[string]any{"status": "behind", "ahead_by": 0, "behind_by": bi - hi, "total_commits": 0, "commits": []any{}}
	}
	writeJSON(w, http.StatusOK, out)
}

// listRuns answers GET /repos/{owner}/{repo}/actions/workflows/{workflow}/runs with the
// filters go-github sends: status (a conclusion or a status), event, created (">=TIME").
func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoFor(w, r)
	if rp == nil {
		return
	}
	if r.PathValue("workflow") != rp.Workflow {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	q := r.URL.Query()
	var since time.Time
	if c, ok := strings.CutPrefix(q.Get("created"), ">="); ok {
		since, _ = time.Parse(time.RFC3339, c)
	}
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	if perPage <= 0 {
		perPage = 30
	}
	runs := []any{}
	for _, run := range rp.Runs {
		st := q.Get("status")
		switch {
		case st != "" && st != run.Status && st != run.Conclusion,
			q.Get("event") != "" && q.Get("event") != run.Event,
			!since.IsZero() && run.CreatedAt.Before(since):
			continue
		}
		if len(runs) == perPage {
			break
		}
		runs = append(runs, rp.runJSON(run))
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(runs), "workflow_runs": runs})
}

func (rp *Repository) runJSON(run Run) map[string]any {
	var conclusion any
	if run.Conclusion != "" {
		conclusion = run.Conclusion
	}
	return map[string]any{
		"id": run.ID, "name": "Deploy", "display_title": run.DisplayTitle, "head_branch": run.HeadBranch, "head_sha": run.HeadSHA,
		"path": ".github/workflows/" + rp.Workflow, "event": run.Event, "status": run.Status, "conclusion": conclusion,
		"run_attempt": 1, "created_at": run.CreatedAt.UTC().Format(time.RFC3339), "updated_at": run.CreatedAt.UTC().Format(time.RFC3339),
		"html_url": fmt.Sprintf("https://github.com/%s/actions/runs/%d", rp.FullName, run.ID),
	}
}

// Complete marks a run completed with conclusion, as when the workflow ends.
func (s *Server) Complete(runID int64, conclusion string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Repo == nil {
		return
	}
	for i := range s.Repo.Runs {
		if s.Repo.Runs[i].ID == runID {
			s.Repo.Runs[i].Status, s.Repo.Runs[i].Conclusion = "completed", conclusion
		}
	}
}
