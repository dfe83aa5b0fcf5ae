package githubapptest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Deployment is a deployment of a Repository, with its statuses: what GitHub records when a
// workflow job with an environment runs, or when a tool creates one.
//
// See https://docs.github.com/en/rest/deployments/deployments
type Deployment struct {
	// ID is the deployment's id; AddDeployment numbers deployments when it is zero.
	ID int64
	// SHA and Ref are the commit deployed and the ref it was asked by.
	SHA, Ref string
	// Task is the deployment's task; "" means "deploy".
	Task string
	// Environment is the environment deployed to, such as "prod".
	Environment string
	// Description is the deployment's description, "" for none.
	Description string
	// Creator is the login that created the deployment; "" means "github-actions[bot]", the
	// creator of the deployments a workflow job makes.
	Creator string
	// TransientEnvironment and ProductionEnvironment are the deployment's flags; a success
	// status leaves earlier deployments of a transient or production environment active.
	TransientEnvironment, ProductionEnvironment bool
	// CreatedAt is when the deployment was created; UpdatedAt, when zero, is CreatedAt.
	CreatedAt, UpdatedAt time.Time
	// Statuses are the deployment's statuses, newest first.
	Statuses []DeploymentStatus
	// Run is the workflow run whose job made the deployment (Workflow.DeploysTo), 0 for none;
	// CompleteRun gives it its last status.
	Run int64
}

// DeploymentStatus is a status of a Deployment.
//
// See https://docs.github.com/en/rest/deployments/statuses
type DeploymentStatus struct {
	// ID is the status's id; AddDeploymentStatus numbers statuses when it is zero.
	ID int64
	// State is "error", "failure", "inactive", "in_progress", "queued", "pending" or "success".
	State string
	// Description is a short summary of the status, "" for none.
	Description string
	// Environment is the environment of the status; "" means the deployment's.
	Environment string
	// LogURL is where the deployment's output is (for Actions, the run's page); GitHub
	// answers it as target_url too.
	LogURL string
	// EnvironmentURL is where the deployed environment can be reached, "" for none.
	EnvironmentURL string
	// Creator is the login that created the status; "" means the deployment's creator.
	Creator string
	// CreatedAt is when the status was created; UpdatedAt, when zero, is CreatedAt.
	CreatedAt, UpdatedAt time.Time
	// KeepOthersActive is auto_inactive: false: a success status leaves the environment's
	// earlier deployments active.
	KeepOthersActive bool
}

// AddDeployment adds d to owner/repo as its newest deployment and returns it as stored, its id
// given.
func (s *Server) AddDeployment(owner, repo string, d Deployment) Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mustRepoLocked(owner, repo).addDeployment(d)
}

func (r *Repository) addDeployment(d Deployment) Deployment {
	if d.ID == 0 {
		d.ID = 1
		for _, o := range r.Deployments {
			d.ID = max(d.ID, o.ID+1)
		}
	}
	if d.Task == "" {
		d.Task = "deploy"
	}
	if d.Creator == "" {
		d.Creator = "github-actions[bot]"
	}
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = d.CreatedAt
	}
	d.Statuses = append([]DeploymentStatus(nil), d.Statuses...)
	for i := range d.Statuses {
		d.Statuses[i] = d.withStatusDefaults(d.Statuses[i])
	}
	r.Deployments = append([]Deployment{d}, r.Deployments...)
	return d
}

// AddDeploymentStatus adds st to deployment id of owner/repo as its newest status and returns
// it as stored. As GitHub does, a success status adds an inactive status to every earlier
// deployment of the same environment that is neither transient nor production and is not
// inactive yet, unless st.KeepOthersActive. It reports false when there is no such deployment.
//
// See https://docs.github.com/en/rest/deployments/deployments#inactive-deployments
func (s *Server) AddDeploymentStatus(owner, repo string, id int64, st DeploymentStatus) (DeploymentStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mustRepoLocked(owner, repo).addDeploymentStatus(id, st)
}

func (r *Repository) addDeploymentStatus(id int64, st DeploymentStatus) (DeploymentStatus, bool) {
	at := -1
	for i := range r.Deployments {
		if r.Deployments[i].ID == id {
			at = i
		}
	}
	if at < 0 {
		return DeploymentStatus{}, false
	}
	d := &r.Deployments[at]
	st = d.withStatusDefaults(st)
	if st.ID == 0 {
		st.ID = r.nextStatusID()
	}
	d.Statuses = append([]DeploymentStatus{st}, d.Statuses...)
	d.UpdatedAt = st.CreatedAt
	if st.State != "success" || st.KeepOthersActive {
		return st, true
	}
	for i := at + 1; i < len(r.Deployments); i++ { // the earlier deployments
		o := &r.Deployments[i]
		if o.Environment != d.Environment || o.TransientEnvironment || o.ProductionEnvironment ||
			(len(o.Statuses) > 0 && o.Statuses[0].State == "inactive") {
			continue
		}
		inactive := o.withStatusDefaults(DeploymentStatus{ID: r.nextStatusID(), State: "inactive", Creator: st.Creator, CreatedAt: st.CreatedAt})
		o.Statuses = append([]DeploymentStatus{inactive}, o.Statuses...)
		o.UpdatedAt = st.CreatedAt
	}
	return st, true
}

// Deployments returns the deployments of owner/repo with their statuses, newest first.
func (s *Server) Deployments(owner, repo string) []Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Deployment(nil), s.mustRepoLocked(owner, repo).Deployments...)
	for i := range out {
		out[i].Statuses = append([]DeploymentStatus(nil), out[i].Statuses...)
	}
	return out
}

func (d Deployment) withStatusDefaults(st DeploymentStatus) DeploymentStatus {
	if st.Environment == "" {
		st.Environment = d.Environment
	}
	if st.Creator == "" {
		st.Creator = d.Creator
	}
	if st.UpdatedAt.IsZero() {
		st.UpdatedAt = st.CreatedAt
	}
	return st
}

func (r *Repository) nextStatusID() int64 {
	next := int64(1)
	for _, d := range r.Deployments {
		for _, st := range d.Statuses {
			next = max(next, st.ID+1)
		}
	}
	return next
}

// deploymentJSON is GitHub's deployment object.
//
// See https://docs.github.com/en/rest/deployments/deployments#get-a-deployment
func (r *Repository) deploymentJSON(d Deployment) map[string]any {
	api := "https://api.github.com/repos/" + r.FullName()
	var description any
	if d.Description != "" {
		description = d.Description
	}
	return map[string]any{
		"url": fmt.Sprintf("%s/deployments/%d", api, d.ID), "id": d.ID, "sha": d.SHA, "ref": d.Ref, "task": d.Task,
		"payload": map[string]any{}, "original_environment": d.Environment, "environment": d.Environment,
		"description": description, "creator": userJSON(d.Creator),
		"created_at": d.CreatedAt.UTC().Format(time.RFC3339), "updated_at": d.UpdatedAt.UTC().Format(time.RFC3339),
		"statuses_url": fmt.Sprintf("%s/deployments/%d/statuses", api, d.ID), "repository_url": api,
		"transient_environment": d.TransientEnvironment, "production_environment": d.ProductionEnvironment,
		"performed_via_github_app": nil,
	}
}

// statusJSON is GitHub's deployment status object.
//
// See https://docs.github.com/en/rest/deployments/statuses#get-a-deployment-status
func (r *Repository) statusJSON(d Deployment, st DeploymentStatus) map[string]any {
	api := "https://api.github.com/repos/" + r.FullName()
	return map[string]any{
		"url": fmt.Sprintf("%s/deployments/%d/statuses/%d", api, d.ID, st.ID), "id": st.ID, "state": st.State,
		"creator": userJSON(st.Creator), "description": st.Description, "environment": st.Environment,
		"target_url": st.LogURL, "log_url": st.LogURL, "environment_url": st.EnvironmentURL,
		"created_at": st.CreatedAt.UTC().Format(time.RFC3339), "updated_at": st.UpdatedAt.UTC().Format(time.RFC3339),
		"deployment_url": fmt.Sprintf("%s/deployments/%d", api, d.ID), "repository_url": api,
		"performed_via_github_app": nil,
	}
}

func userJSON(login string) map[string]any {
	typ := "User"
	if len(login) > 5 && login[len(login)-5:] == "[bot]" {
		typ = "Bot"
	}
	return map[string]any{"login": login, "type": typ}
}

// serveListDeployments answers GET /repos/{owner}/{repo}/deployments, newest first, filtered
// by sha, ref, task and environment, and paginated.
//
// See https://docs.github.com/en/rest/deployments/deployments#list-deployments
func (s *Server) serveListDeployments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoLocked(w, r)
	if rp == nil {
		return
	}
	q := r.URL.Query()
	var matched []Deployment
	for _, d := range rp.Deployments {
		switch {
		case q.Get("sha") != "" && q.Get("sha") != d.SHA,
			q.Get("ref") != "" && q.Get("ref") != d.Ref,
			q.Get("task") != "" && q.Get("task") != d.Task,
			q.Get("environment") != "" && q.Get("environment") != d.Environment:
			continue
		}
		matched = append(matched, d)
	}
	out := []any{}
	for _, d := range page(matched, r, 100) {
		out = append(out, rp.deploymentJSON(d))
	}
	writeJSON(w, http.StatusOK, out)
}

// deploymentLocked returns the deployment the request names, or answers 404.
func (s *Server) deploymentLocked(w http.ResponseWriter, r *http.Request) (*Repository, Deployment, bool) {
	rp := s.repoLocked(w, r)
	if rp == nil {
		return nil, Deployment{}, false
	}
	for _, d := range rp.Deployments {
		if strconv.FormatInt(d.ID, 10) == r.PathValue("id") {
			return rp, d, true
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return nil, Deployment{}, false
}

// serveDeployment answers GET /repos/{owner}/{repo}/deployments/{deployment_id}.
//
// See https://docs.github.com/en/rest/deployments/deployments#get-a-deployment
func (s *Server) serveDeployment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rp, d, ok := s.deploymentLocked(w, r); ok {
		writeJSON(w, http.StatusOK, rp.deploymentJSON(d))
	}
}

// serveListDeploymentStatuses answers GET
// /repos/{owner}/{repo}/deployments/{deployment_id}/statuses, newest first, paginated.
//
// See https://docs.github.com/en/rest/deployments/statuses#list-deployment-statuses
func (s *Server) serveListDeploymentStatuses(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, d, ok := s.deploymentLocked(w, r)
	if !ok {
		return
	}
	out := []any{}
	for _, st := range page(d.Statuses, r, 100) {
		out = append(out, rp.statusJSON(d, st))
	}
	writeJSON(w, http.StatusOK, out)
}

// serveDeploymentStatus answers GET
// /repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}.
//
// See https://docs.github.com/en/rest/deployments/statuses#get-a-deployment-status
func (s *Server) serveDeploymentStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp, d, ok := s.deploymentLocked(w, r)
	if !ok {
		return
	}
	for _, st := range d.Statuses {
		if strconv.FormatInt(st.ID, 10) == r.PathValue("status") {
			writeJSON(w, http.StatusOK, rp.statusJSON(d, st))
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
}
