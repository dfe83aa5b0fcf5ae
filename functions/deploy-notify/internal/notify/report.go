package notify

import (
	"cmp"
	"fmt"
	"path"
	"time"

	"github.com/discord-chatops/chatops/shared/deployrun"
)

// Event types (EventBridge detail-type, GitHub's X-GitHub-Event) that Decide reads.
const (
	EventWorkflowRun      = "workflow_run"
	EventDeploymentStatus = "deployment_status"
)

// Source says what a Report is about.
type Source int

// Sources of a Report.
const (
	// SourceRun is a run of the deploy workflow (workflow_run).
	SourceRun Source = iota + 1
	// SourceDeployment is a deployment made outside the deploy workflow (deployment_status).
	SourceDeployment
)

// Report is what one event says about one deploy, ready to render.
type Report struct {
	Source Source
	// Status is "requested" or "in_progress" for a running run, else its conclusion
	// ("success", "failure", ...); for a deployment, its status's state.
	Status      string
	Environment string // "" when the run's title does not say
	Ref         string
	SHA         string
	RequestedBy string
	Repository  string // owner/name
	RepoURL     string
	URL         string // the run, or the deployment's log or target
	Time        time.Time

	// Runs only.
	RunID     int64
	Attempt   int
	RunNumber int
	Started   time.Time
	// CardChannelID and CardMessageID name the Discord card the run was approved on; empty
	// for runs started outside Discord.
	CardChannelID, CardMessageID string

	// Deployments only.
	DeploymentID       int64
	DeploymentStatusID int64
	Description        string
}

// Running reports whether the deploy has not finished.
func (r Report) Running() bool { return rank(r.Status) < rankDone }

// Duration is how long a finished run attempt took; 0 and false while it runs or when GitHub
// did not say.
func (r Report) Duration() (time.Duration, bool) {
	if r.Source != SourceRun || r.Running() || r.Started.IsZero() || r.Time.Before(r.Started) {
		return 0, false
	}
	return r.Time.Sub(r.Started), true
}

// Decide reads an event of type eventType. It returns a Report, or a non-empty reason why the
// event is not reported, or an error wrapping ErrMalformed. deployWorkflow is the deploy
// workflow's file name (DEPLOY_WORKFLOW): runs of other workflows are ignored, and so are
// deployments made by it, which its workflow_run events report.
func Decide(eventType string, payload []byte, deployWorkflow string) (r Report, skip string, err error) {
	switch eventType {
	case EventWorkflowRun:
		return decideRun(payload, deployWorkflow)
	case EventDeploymentStatus:
		return decideDeployment(payload, deployWorkflow)
	default:
		return Report{}, fmt.Sprintf("event %q not handled", eventType), nil
	}
}

func decideRun(payload []byte, deployWorkflow string) (Report, string, error) {
	var e workflowRunEvent
	if err := decode(payload, &e); err != nil {
		return Report{}, "", err
	}
	run := e.WorkflowRun
	if run == nil || run.ID <= 0 || run.Path == "" {
		return Report{}, "", fmt.Errorf("%w: workflow_run without run id or path", ErrMalformed)
	}
	if name := path.Base(run.Path); name != deployWorkflow {
		return Report{}, fmt.Sprintf("workflow %s is not the deploy workflow %s", name, deployWorkflow), nil
	}
	r := Report{
		Source:    SourceRun,
		Ref:       run.HeadBranch,
		SHA:       run.HeadSHA,
		URL:       run.HTMLURL,
		Time:      run.UpdatedAt,
		RunID:     run.ID,
		Attempt:   max(run.RunAttempt, 1),
		RunNumber: run.RunNumber,
		Started:   run.RunStartedAt,
		// The title names the Discord user; without one, whoever started this attempt.
		RequestedBy: cmp.Or(run.TriggeringActor.login(), run.Actor.login()),
	}
	if e.Repository != nil {
		r.Repository, r.RepoURL = e.Repository.FullName, e.Repository.HTMLURL
	}
	switch e.Action {
	case "requested", "in_progress":
		r.Status = e.Action
	case "completed":
		if run.Conclusion == "" {
			return Report{}, "", fmt.Errorf("%w: completed workflow_run without a conclusion", ErrMalformed)
		}
		r.Status = run.Conclusion
	default:
		return Report{}, fmt.Sprintf("workflow_run action %q not reported", e.Action), nil
	}
	if t, ok := deployrun.ParseTitle(run.DisplayTitle); ok {
		r.Environment = t.Environment
		r.RequestedBy = t.RequestedBy
		r.SHA = t.DeployedSHA(run.HeadSHA) // a rollback deploys the commit its title names
		if t.CorrelationID != "" {
			// A correlation id of another shape leaves the run uncorrelated: it is posted to
			// the channel rather than lost.
			r.CardChannelID, r.CardMessageID, _ = deployrun.ParseCorrelationID(t.CorrelationID)
		}
	}
	return r, "", nil
}

// deploymentRunning are the deployment states that mean "not finished yet".
var deploymentRunning = map[string]bool{"pending": true, "queued": true, "in_progress": true, "waiting": true}

func decideDeployment(payload []byte, deployWorkflow string) (Report, string, error) {
	var e deploymentStatusEvent
	if err := decode(payload, &e); err != nil {
		return Report{}, "", err
	}
	st, d := e.DeploymentStatus, e.Deployment
	if st == nil || d == nil || st.ID <= 0 || d.ID <= 0 || st.State == "" {
		return Report{}, "", fmt.Errorf("%w: deployment_status without status or deployment", ErrMalformed)
	}
	for _, p := range []string{e.Workflow.path(), e.WorkflowRun.path()} {
		if p != "" && path.Base(p) == deployWorkflow {
			return Report{}, "deployment made by the deploy workflow: its workflow_run events report it", nil
		}
	}
	if st.State == "inactive" {
		// GitHub marks the previous deployment inactive when a new one succeeds: reporting it
		// would double every deploy's messages.
		return Report{}, "deployment state inactive not reported", nil
	}
	r := Report{
		Source:             SourceDeployment,
		Status:             st.State,
		Environment:        cmp.Or(st.Environment, d.Environment),
		Ref:                d.Ref,
		SHA:                d.SHA,
		RequestedBy:        cmp.Or(d.Creator.login(), st.Creator.login()),
		URL:                cmp.Or(st.LogURL, st.TargetURL, st.EnvironmentURL),
		Time:               st.CreatedAt,
		DeploymentID:       d.ID,
		DeploymentStatusID: st.ID,
		Description:        st.Description,
	}
	if deploymentRunning[st.State] {
		r.Status = "in_progress"
	}
	if e.Repository != nil {
		r.Repository, r.RepoURL = e.Repository.FullName, e.Repository.HTMLURL
	}
	return r, "", nil
}

// Ranks order a run's statuses: a card never goes back from a higher one to a lower one.
const (
	rankRequested = 1
	rankRunning   = 2
	rankDone      = 3
)

func rank(status string) int {
	switch status {
	case "requested":
		return rankRequested
	case "in_progress":
		return rankRunning
	default:
		return rankDone
	}
}
