package githubapptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// Workflow is a workflow of a Repository.
type Workflow struct {
	// ID is the workflow's id; AddRepository numbers workflows from 1 when it is zero.
	ID int64
	// Name is the workflow's name, the runs' name.
	Name string
	// Path is the workflow file, such as ".github/workflows/deploy.yml"; its base name, like
	// the id, names the workflow in the API.
	Path string
	// RunName gives the display title of the run a dispatch starts from its inputs, as the
	// workflow's run-name does; nil uses Name, as GitHub does for a workflow without one.
	RunName func(inputs map[string]string) string
	// DeploysTo gives the environment a dispatched run's job runs in, from its inputs, as a
	// job's `environment:` does (the example workflow's is inputs.environment): the dispatch
	// then records a deployment of the run's head commit in that environment, queued and in
	// progress, and CompleteRun its last status. Nil or "" records none.
	//
	// See https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment
	DeploysTo func(inputs map[string]string) string
}

// File is the workflow's file name, such as "deploy.yml".
func (wf Workflow) File() string { return path.Base(wf.Path) }

// Run is a workflow run.
type Run struct {
	// ID is the run's id.
	ID int64
	// Workflow is the file name of the run's workflow; "" means the repository's first.
	Workflow string
	// DisplayTitle is the run's title: the run-name, or the commit message.
	DisplayTitle string
	// HeadBranch and HeadSHA are the ref the run ran on and its commit.
	HeadBranch, HeadSHA string
	// Event is what triggered the run, such as "workflow_dispatch".
	Event string
	// Status is "requested", "queued", "in_progress", "waiting", "pending" or "completed".
	Status string
	// Conclusion is "success", "failure", "cancelled", ... once Status is "completed".
	Conclusion string
	// Actor is the login that triggered the run; "" means "octocat".
	Actor string
	// RunNumber counts the workflow's runs; 0 means the run's id.
	RunNumber int64
	// CreatedAt is when the run was created; UpdatedAt, when zero, is CreatedAt.
	CreatedAt, UpdatedAt time.Time
}

// Dispatch is a workflow dispatch request the fake received.
type Dispatch struct {
	// Repo is the repository as the request named it, owner/repo.
	Repo string
	// Workflow is the workflow as the request named it: its file name or id.
	Workflow string
	// Ref is the branch or tag the run is to run on.
	Ref string
	// Inputs are the workflow's inputs.
	Inputs map[string]string
	// ReturnRunDetails is the request's return_run_details; nil when it did not send one.
	ReturnRunDetails *bool
	// RunID is the run the dispatch started; 0 when the fake refused it.
	RunID int64
}

// Error is an answer of GitHub's that refuses a request: an HTTP status and its message.
type Error struct {
	// Status is the HTTP status, such as 422.
	Status int
	// Message is the body's message, such as "Workflow does not have 'workflow_dispatch' trigger".
	Message string
}

// RunDetails is how the fake answers a dispatch that asks for return_run_details.
type RunDetails int

const (
	// RunDetailsReturned answers 200 with workflow_run_id, run_url and html_url, as github.com
	// does since 2026-02-19; a dispatch that does not ask gets 204.
	RunDetailsReturned RunDetails = iota
	// RunDetailsIgnored answers 204 without a body whatever the request asks, as github.com
	// did before.
	RunDetailsIgnored
	// RunDetailsRefused refuses a request carrying return_run_details with 400
	// "\"return_run_details\" is not a permitted key.", as GitHub Enterprise Server 3.20 and
	// older do, and answers 204 to one without it.
	RunDetailsRefused
)

// hooks are the ways a test changes or watches the fake's answers, guarded by Server.mu.
type hooks struct {
	now        func() time.Time
	runDetails RunDetails
	refuse     func(Dispatch) *Error
	onDispatch func(Dispatch, Run)
	onAssign   func(Assignment)
}

// SetClock makes now the time at which dispatches create runs; the default is time.Now.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks.now = now
}

// SetRunDetails sets how dispatches asking for return_run_details are answered.
func (s *Server) SetRunDetails(mode RunDetails) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks.runDetails = mode
}

// RefuseDispatches makes refuse decide on each dispatch the fake would accept: a non-nil
// *Error is GitHub's answer instead, and no run starts. Nil accepts every dispatch.
func (s *Server) RefuseDispatches(refuse func(Dispatch) *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks.refuse = refuse
}

// OnDispatch makes f run after each dispatch starts its run, before the fake answers, as a
// workflow_run webhook may reach another function before the dispatch's answer returns.
func (s *Server) OnDispatch(f func(Dispatch, Run)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks.onDispatch = f
}

// Dispatches returns the workflow dispatch requests received so far, oldest first.
func (s *Server) Dispatches() []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Dispatch(nil), s.dispatches...)
}

// AddRun adds run to owner/repo as its newest run.
func (s *Server) AddRun(owner, repo string, run Run) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepoLocked(owner, repo)
	rp.Runs = append([]Run{rp.withRunDefaults(run)}, rp.Runs...)
	rp.NextRunID = max(rp.NextRunID, run.ID+1)
}

// CompleteRun marks run id of owner/repo completed with conclusion, as when its workflow
// ends; it reports whether there is such a run. The deployment its job made (Workflow.DeploysTo)
// gets its last status: "success" for a successful run, else "failure".
func (s *Server) CompleteRun(owner, repo string, id int64, conclusion string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.mustRepoLocked(owner, repo)
	for i := range rp.Runs {
		if rp.Runs[i].ID == id {
			rp.Runs[i].Status, rp.Runs[i].Conclusion = "completed", conclusion
			rp.Runs[i].UpdatedAt = s.nowLocked()
			state := "failure"
			if conclusion == "success" {
				state = "success"
			}
			for _, d := range rp.Deployments {
				if d.Run == id {
					rp.addDeploymentStatus(d.ID, DeploymentStatus{State: state, LogURL: rp.jobURL(id), CreatedAt: rp.Runs[i].UpdatedAt})
				}
			}
			return true
		}
	}
	return false
}

// jobURL is the page of the job of run id, the log URL of the deployment status Actions sets.
func (r *Repository) jobURL(id int64) string {
	return fmt.Sprintf("https://github.com/%s/actions/runs/%d/job/%d", r.FullName(), id, id+1)
}

// Runs returns the runs of owner/repo, newest first.
func (s *Server) Runs(owner, repo string) []Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Run(nil), s.mustRepoLocked(owner, repo).Runs...)
}

// DeployRunName renders the suite's deploy run-name, shared/deployrun.RunNameTemplate, for a
// dispatch by actor (github.actor), as GitHub evaluates it:
//
//	Deploy ${{ inputs.environment }} by ${{ inputs.requested_by || github.actor }} [${{ inputs.correlation_id || 'manual' }}]${{ inputs.sha && format(' @{0}', inputs.sha) || '' }}
func DeployRunName(actor string) func(inputs map[string]string) string {
	return func(in map[string]string) string {
		by, id := in["requested_by"], in["correlation_id"]
		if by == "" {
			by = actor
		}
		if id == "" {
			id = "manual"
		}
		title := fmt.Sprintf("Deploy %s by %s [%s]", in["environment"], by, id)
		if sha := in["sha"]; sha != "" {
			title += " @" + sha
		}
		return title
	}
}

func (s *Server) mustRepoLocked(owner, repo string) *Repository {
	rp, ok := s.repos[repoKey(owner, repo)]
	if !ok {
		panic(fmt.Sprintf("githubapptest: no repository %s/%s: call AddRepository first", owner, repo))
	}
	return rp
}

func (s *Server) nowLocked() time.Time {
	if s.hooks.now != nil {
		return s.hooks.now()
	}
	return time.Now()
}

// workflow returns the workflow that name (a file name or an id) names.
func (r *Repository) workflow(name string) (Workflow, bool) {
	for _, wf := range r.Workflows {
		if wf.File() == name || strconv.FormatInt(wf.ID, 10) == name {
			return wf, true
		}
	}
	return Workflow{}, false
}

func (r *Repository) withRunDefaults(run Run) Run {
	if run.Workflow == "" && len(r.Workflows) > 0 {
		run.Workflow = r.Workflows[0].File()
	}
	if run.Actor == "" {
		run.Actor = "octocat"
	}
	if run.RunNumber == 0 {
		run.RunNumber = run.ID
	}
	if run.UpdatedAt.IsZero() {
		run.UpdatedAt = run.CreatedAt
	}
	return run
}

// runJSON is GitHub's workflow run object.
//
// See https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
func (r *Repository) runJSON(run Run) map[string]any {
	wf, _ := r.workflow(run.Workflow)
	var conclusion any
	if run.Conclusion != "" {
		conclusion = run.Conclusion
	}
	actor := map[string]any{"login": run.Actor}
	return map[string]any{
		"id": run.ID, "name": wf.Name, "display_title": run.DisplayTitle, "head_branch": run.HeadBranch, "head_sha": run.HeadSHA,
		"path": wf.Path, "workflow_id": wf.ID, "event": run.Event, "status": run.Status, "conclusion": conclusion,
		"run_number": run.RunNumber, "run_attempt": 1, "actor": actor, "triggering_actor": actor,
		"created_at": run.CreatedAt.UTC().Format(time.RFC3339), "updated_at": run.UpdatedAt.UTC().Format(time.RFC3339),
		"run_started_at": run.CreatedAt.UTC().Format(time.RFC3339),
		"url":            fmt.Sprintf("https://api.github.com/repos/%s/actions/runs/%d", r.FullName(), run.ID),
		"html_url":       fmt.Sprintf("https://github.com/%s/actions/runs/%d", r.FullName(), run.ID),
	}
}

// workflowLocked returns the repository and workflow the request names, or answers 404. The
// caller holds s.mu.
func (s *Server) workflowLocked(w http.ResponseWriter, r *http.Request) (*Repository, Workflow, bool) {
	rp := s.repoLocked(w, r)
	if rp == nil {
		return nil, Workflow{}, false
	}
	wf, ok := rp.workflow(r.PathValue("workflow"))
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
	}
	return rp, wf, ok
}

// serveWorkflow answers GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}.
//
// See https://docs.github.com/en/rest/actions/workflows#get-a-workflow
func (s *Server) serveWorkflow(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, wf, ok := s.workflowLocked(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": wf.ID, "name": wf.Name, "path": wf.Path, "state": "active",
		"url":       fmt.Sprintf("https://api.github.com/repos/%s/actions/workflows/%d", rp.FullName(), wf.ID),
		"html_url":  fmt.Sprintf("https://github.com/%s/blob/%s/%s", rp.FullName(), rp.DefaultBranch, wf.Path),
		"badge_url": fmt.Sprintf("https://github.com/%s/workflows/%s/badge.svg", rp.FullName(), wf.File()),
	})
}

// serveListRuns answers GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs,
// newest first, filtered by actor, branch, event, status (a status or a conclusion), head_sha
// and created, and paginated; total_count counts every matching run.
//
// See https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow
func (s *Server) serveListRuns(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, wf, ok := s.workflowLocked(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	created, err := parseCreated(q.Get("created"))
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed: created "+err.Error())
		return
	}
	var matched []Run
	for _, run := range rp.Runs {
		st := q.Get("status")
		switch {
		case run.Workflow != wf.File(),
			st != "" && st != run.Status && st != run.Conclusion,
			q.Get("event") != "" && q.Get("event") != run.Event,
			q.Get("branch") != "" && q.Get("branch") != run.HeadBranch,
			q.Get("actor") != "" && q.Get("actor") != run.Actor,
			q.Get("head_sha") != "" && q.Get("head_sha") != run.HeadSHA,
			!created(run.CreatedAt):
			continue
		}
		matched = append(matched, run)
	}
	runs := []any{}
	for _, run := range page(matched, r, 100) {
		runs = append(runs, rp.runJSON(run))
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(matched), "workflow_runs": runs})
}

// parseCreated reads the created filter of GitHub's search syntax: a date or time, or one
// after >=, >, <=, <, or a range a..b.
//
// See https://docs.github.com/en/search-github/getting-started-with-searching-on-github/understanding-the-search-syntax#query-for-dates
func parseCreated(q string) (func(time.Time) bool, error) {
	if q == "" {
		return func(time.Time) bool { return true }, nil
	}
	parse := func(v string) (time.Time, error) {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		return time.Parse(time.DateOnly, v)
	}
	if lo, hi, ok := strings.Cut(q, ".."); ok {
		a, err := parse(lo)
		if err != nil {
			return nil, err
		}
		b, err := parse(hi)
		if err != nil {
			return nil, err
		}
		return func(t time.Time) bool { return !t.Before(a) && !t.After(b) }, nil
	}
	for _, op := range []string{">=", "<=", ">", "<"} {
		if v, ok := strings.CutPrefix(q, op); ok {
			at, err := parse(v)
			if err != nil {
				return nil, err
			}
			return map[string]func(time.Time) bool{
				">=": func(t time.Time) bool { return !t.Before(at) },
				"<=": func(t time.Time) bool { return !t.After(at) },
				">":  func(t time.Time) bool { return t.After(at) },
				"<":  func(t time.Time) bool { return t.Before(at) },
			}[op], nil
		}
	}
	day, err := time.Parse(time.DateOnly, q)
	if err != nil {
		return nil, err
	}
	return func(t time.Time) bool { return !t.Before(day) && t.Before(day.AddDate(0, 0, 1)) }, nil
}

// serveRun answers GET /repos/{owner}/{repo}/actions/runs/{run_id}.
//
// See https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
func (s *Server) serveRun(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoLocked(w, r)
	if rp == nil {
		return
	}
	for _, run := range rp.Runs {
		if strconv.FormatInt(run.ID, 10) == r.PathValue("id") {
			writeJSON(w, http.StatusOK, rp.runJSON(run))
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

// maxInputs is how many inputs a workflow dispatch may carry.
const maxInputs = 25

// serveDispatch answers POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches:
// it records the request, starts a queued run on the ref's tip, and answers as SetRunDetails
// says.
//
// See https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event and
// https://github.blog/changelog/2026-02-19-workflow-dispatch-api-now-returns-run-ids/
func (s *Server) serveDispatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref              string            `json:"ref"`
		Inputs           map[string]string `json:"inputs"`
		ReturnRunDetails *bool             `json:"return_run_details"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	d := Dispatch{Repo: r.PathValue("owner") + "/" + r.PathValue("repo"), Workflow: r.PathValue("workflow"),
		Ref: in.Ref, Inputs: in.Inputs, ReturnRunDetails: in.ReturnRunDetails}

	s.mu.Lock()
	n := len(s.dispatches)
	s.dispatches = append(s.dispatches, d)
	h := s.hooks
	rp := s.repoLocked(w, r)
	if rp == nil {
		s.mu.Unlock()
		return
	}
	wf, ok := rp.workflow(d.Workflow)
	s.mu.Unlock()
	refusal := func() *Error {
		switch {
		case !ok:
			return &Error{http.StatusNotFound, "Not Found"}
		case in.Ref == "":
			return &Error{http.StatusUnprocessableEntity, "Invalid request.\n\n\"ref\" wasn't supplied."}
		case len(in.Inputs) > maxInputs:
			return &Error{http.StatusUnprocessableEntity, fmt.Sprintf("you may only define up to %d inputs", maxInputs)}
		case h.runDetails == RunDetailsRefused && in.ReturnRunDetails != nil:
			return &Error{http.StatusBadRequest, "Invalid request.\n\n\"return_run_details\" is not a permitted key."}
		}
		if h.refuse != nil {
			return h.refuse(d)
		}
		return nil
	}()
	if refusal != nil {
		writeError(w, refusal.Status, refusal.Message)
		return
	}

	s.mu.Lock()
	sha := rp.resolve(in.Ref)
	if _, isRef := rp.Refs[in.Ref]; !isRef {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, "No ref found for: "+in.Ref)
		return
	}
	title := wf.Name
	if wf.RunName != nil {
		title = wf.RunName(in.Inputs)
	}
	run := rp.withRunDefaults(Run{ID: rp.NextRunID, Workflow: wf.File(), DisplayTitle: title, HeadBranch: in.Ref, HeadSHA: sha,
		Event: "workflow_dispatch", Status: "queued", Actor: "chatops[bot]", CreatedAt: s.nowLocked()})
	rp.NextRunID++
	rp.Runs = append([]Run{run}, rp.Runs...)
	if wf.DeploysTo != nil && wf.DeploysTo(in.Inputs) != "" {
		dep := rp.addDeployment(Deployment{SHA: sha, Ref: in.Ref, Environment: wf.DeploysTo(in.Inputs), Run: run.ID, CreatedAt: run.CreatedAt})
		for _, state := range []string{"queued", "in_progress"} {
			rp.addDeploymentStatus(dep.ID, DeploymentStatus{State: state, LogURL: rp.jobURL(run.ID), CreatedAt: run.CreatedAt})
		}
	}
	s.dispatches[n].RunID = run.ID
	d.RunID = run.ID
	runJSON := rp.runJSON(run)
	s.mu.Unlock()

	if h.onDispatch != nil {
		h.onDispatch(d, run)
	}
	if h.runDetails != RunDetailsReturned || in.ReturnRunDetails == nil || !*in.ReturnRunDetails {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"workflow_run_id": run.ID, "run_url": runJSON["url"], "html_url": runJSON["html_url"]})
}
