package githubapptest

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// Repository is a repository the App is installed on, as the fake serves it: a linear history
// with refs into it, workflows with their runs, and deployments. Give it to AddRepository.
type Repository struct {
	// Owner and Name make the repository's full name, Owner/Name.
	Owner, Name string
	// DefaultBranch is the repository's default branch; "" means "main".
	DefaultBranch string
	// History is the commits, oldest first; compare walks it.
	History []Commit
	// Refs maps branch and tag names to the SHA they point at.
	Refs map[string]string
	// Workflows are the repository's workflows; their ids are given from 1 when zero.
	Workflows []Workflow
	// Runs are workflow runs, newest first, as GitHub lists them.
	Runs []Run
	// NextRunID is the id of the run the next dispatch starts; 0 means one more than the
	// highest id in Runs.
	NextRunID int64
	// Deployments are the repository's deployments with their statuses, newest first.
	Deployments []Deployment
	// Assignable are the logins that may be assigned issues (collaborators with push access);
	// GitHub leaves others out silently. Nil lets any login be assigned.
	Assignable []string
	// MissingIssues are issue numbers that do not exist: assigning them answers 404.
	MissingIssues []int
	// Pulls are the repository's pull requests, listed newest first as GitHub lists them
	// (GET /repos/{owner}/{repo}/pulls).
	Pulls []PullRequest

	assignees map[int][]string // by issue number
}

// Commit is a commit of a Repository's history.
type Commit struct {
	// SHA is the commit's full 40-character id.
	SHA string
	// Message is the commit message: a subject, then a blank line and a body.
	Message string
	// Author is the GitHub login of the commit's author, also its git author name.
	Author string
}

// FullName is owner/name.
func (r *Repository) FullName() string { return r.Owner + "/" + r.Name }

// AddRepository installs the App on r (the default installation unless SetInstallation says
// otherwise) and serves its endpoints: the repository, commits, compare, Actions workflows and
// runs, deployments and assignees. The first call registers those patterns on Mux; a test
// that adds a repository does not register them itself.
func (s *Server) AddRepository(r Repository) {
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	for i := range r.Workflows {
		if r.Workflows[i].ID == 0 {
			r.Workflows[i].ID = int64(i + 1)
		}
	}
	if r.NextRunID == 0 {
		for _, run := range r.Runs {
			r.NextRunID = max(r.NextRunID, run.ID)
		}
		r.NextRunID++
	}
	// The server owns its copy: a test changes it through the Server's methods only.
	r.History = append([]Commit(nil), r.History...)
	r.Runs = append([]Run(nil), r.Runs...)
	r.Refs = maps.Clone(r.Refs)
	r.Pulls = append([]PullRequest(nil), r.Pulls...)
	for i := range r.Runs {
		r.Runs[i] = r.withRunDefaults(r.Runs[i])
	}
	// Deployments without ids are numbered, and their statuses, oldest first, as AddDeployment
	// and AddDeploymentStatus would have.
	given := r.Deployments
	r.Deployments = nil
	for i := len(given) - 1; i >= 0; i-- {
		d := given[i]
		statuses := d.Statuses
		d.Statuses = nil
		d = r.addDeployment(d)
		for j := len(statuses) - 1; j >= 0; j-- {
			st := d.withStatusDefaults(statuses[j])
			if st.ID == 0 {
				st.ID = r.nextStatusID()
			}
			r.Deployments[0].Statuses = append([]DeploymentStatus{st}, r.Deployments[0].Statuses...)
			r.Deployments[0].UpdatedAt = st.CreatedAt
		}
	}

	s.mu.Lock()
	first := len(s.repos) == 0
	s.repos[repoKey(r.Owner, r.Name)] = &r
	s.mu.Unlock()
	if !first {
		return
	}
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /repos/{owner}/{repo}":                                          s.serveRepository,
		"GET /repos/{owner}/{repo}/commits/{ref...}":                         s.serveCommit,
		"GET /repos/{owner}/{repo}/compare/{basehead...}":                    s.serveCompare,
		"GET /repos/{owner}/{repo}/actions/workflows/{workflow}":             s.serveWorkflow,
		"GET /repos/{owner}/{repo}/actions/workflows/{workflow}/runs":        s.serveListRuns,
		"POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches": s.serveDispatch,
		"GET /repos/{owner}/{repo}/actions/runs/{id}":                        s.serveRun,
		"GET /repos/{owner}/{repo}/deployments":                              s.serveListDeployments,
		"GET /repos/{owner}/{repo}/deployments/{id}":                         s.serveDeployment,
		"GET /repos/{owner}/{repo}/deployments/{id}/statuses":                s.serveListDeploymentStatuses,
		"GET /repos/{owner}/{repo}/deployments/{id}/statuses/{status}":       s.serveDeploymentStatus,
		"POST /repos/{owner}/{repo}/issues/{number}/assignees":               s.serveAssign,
		"GET /repos/{owner}/{repo}/pulls":                                    s.serveListPulls,
	} {
		s.Mux.Handle(pattern, s.RequireInstallation(h))
	}
}

// repoLocked returns the repository the request names, or answers 404 as GitHub does for a
// repository it does not show. The caller holds s.mu.
func (s *Server) repoLocked(w http.ResponseWriter, r *http.Request) *Repository {
	rp, ok := s.repos[repoKey(r.PathValue("owner"), r.PathValue("repo"))]
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil
	}
	return rp
}

// index returns the position in History of the commit sha names (a full SHA or a prefix of 7
// or more), -1 when none.
func (r *Repository) index(sha string) int {
	for i, c := range r.History {
		if c.SHA == sha || (len(sha) >= 7 && strings.HasPrefix(c.SHA, sha)) {
			return i
		}
	}
	return -1
}

// resolve returns the SHA a ref or SHA names, "" when none.
func (r *Repository) resolve(ref string) string {
	if sha, ok := r.Refs[ref]; ok {
		return sha
	}
	if i := r.index(ref); i >= 0 {
		return r.History[i].SHA
	}
	return ""
}

// serveRepository answers GET /repos/{owner}/{repo}.
//
// See https://docs.github.com/en/rest/repos/repos#get-a-repository
func (s *Server) serveRepository(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoLocked(w, r)
	if rp == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": 1296269, "name": rp.Name, "full_name": rp.FullName(), "default_branch": rp.DefaultBranch,
		"owner":    map[string]any{"login": rp.Owner},
		"html_url": "https://github.com/" + rp.FullName(), "private": true,
	})
}

// serveCommit answers GET /repos/{owner}/{repo}/commits/{ref}; with the sha media type, as
// go-github's GetCommitSHA1 asks, the body is the bare SHA.
//
// See https://docs.github.com/en/rest/commits/commits#get-a-commit
func (s *Server) serveCommit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoLocked(w, r)
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
	writeJSON(w, http.StatusOK, rp.commitJSON(rp.History[rp.index(sha)]))
}

func (r *Repository) commitJSON(c Commit) map[string]any {
	return map[string]any{
		"sha":      c.SHA,
		"html_url": "https://github.com/" + r.FullName() + "/commit/" + c.SHA,
		"commit":   map[string]any{"message": c.Message, "author": map[string]any{"name": c.Author}},
		"author":   map[string]any{"login": c.Author},
	}
}

// serveCompare answers GET /repos/{owner}/{repo}/compare/{base}...{head} over the linear
// history: commits oldest first, paginated by per_page and page.
//
// See https://docs.github.com/en/rest/commits/commits#compare-two-commits
func (s *Server) serveCompare(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoLocked(w, r)
	if rp == nil {
		return
	}
	base, head, ok := strings.Cut(r.PathValue("basehead"), "...")
	bi, hi := rp.index(rp.resolve(base)), rp.index(rp.resolve(head))
	if !ok || bi < 0 || hi < 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	status, ahead, behind := "identical", 0, 0
	var between []Commit
	switch {
	case hi > bi:
		status, ahead, between = "ahead", hi-bi, rp.History[bi+1:hi+1]
	case hi < bi:
		status, behind = "behind", bi-hi
	}
	commits := []any{}
	for _, c := range page(between, r, 250) {
		commits = append(commits, rp.commitJSON(c))
	}
	mergeBase := rp.History[min(bi, hi)]
	writeJSON(w, http.StatusOK, map[string]any{
		"status": status, "ahead_by": ahead, "behind_by": behind, "total_commits": len(between),
		"base_commit": rp.commitJSON(rp.History[bi]), "merge_base_commit": rp.commitJSON(mergeBase),
		"html_url": "https://github.com/" + rp.FullName() + "/compare/" + r.PathValue("basehead"),
		"commits":  commits,
	})
}

// page returns the page of items that per_page (default 30, at most maxPerPage) and page
// (from 1) ask for, as GitHub paginates.
//
// See https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
func page[T any](items []T, r *http.Request, maxPerPage int) []T {
	q := r.URL.Query()
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || perPage <= 0 {
		perPage = 30
	}
	perPage = min(perPage, maxPerPage)
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n <= 0 {
		n = 1
	}
	start := (n - 1) * perPage
	if start >= len(items) {
		return nil
	}
	return items[start:min(start+perPage, len(items))]
}
