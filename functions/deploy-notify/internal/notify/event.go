package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrMalformed is wrapped by Decide's error when a payload cannot be read: retrying the event
// cannot fix it.
var ErrMalformed = errors.New("malformed event")

// workflowRunEvent is the part of a workflow_run webhook that deploy-notify reads.
//
// See https://docs.github.com/en/webhooks/webhook-events-and-payloads#workflow_run
type workflowRunEvent struct {
	Action      string       `json:"action"`
	WorkflowRun *workflowRun `json:"workflow_run"`
	Repository  *repository  `json:"repository"`
}

type workflowRun struct {
	ID              int64     `json:"id"`
	Path            string    `json:"path"`
	DisplayTitle    string    `json:"display_title"`
	Status          string    `json:"status"`
	Conclusion      string    `json:"conclusion"` // null until completed
	RunAttempt      int       `json:"run_attempt"`
	RunNumber       int       `json:"run_number"`
	HeadBranch      string    `json:"head_branch"`
	HeadSHA         string    `json:"head_sha"`
	HTMLURL         string    `json:"html_url"`
	RunStartedAt    time.Time `json:"run_started_at"` // the start of this attempt
	UpdatedAt       time.Time `json:"updated_at"`
	Actor           *account  `json:"actor"`
	TriggeringActor *account  `json:"triggering_actor"` // who started this attempt
}

// deploymentStatusEvent is the part of a deployment_status webhook that deploy-notify reads.
// Workflow and WorkflowRun are set when the deployment was made by a job of an Actions
// workflow (a job with `environment:`).
//
// See https://docs.github.com/en/webhooks/webhook-events-and-payloads#deployment_status
type deploymentStatusEvent struct {
	Action           string            `json:"action"`
	DeploymentStatus *deploymentStatus `json:"deployment_status"`
	Deployment       *deployment       `json:"deployment"`
	Repository       *repository       `json:"repository"`
	Workflow         *workflowRef      `json:"workflow"`
	WorkflowRun      *workflowRef      `json:"workflow_run"`
}

// workflowRef is the workflow, or the workflow run, a deployment_status came from.
type workflowRef struct {
	Path string `json:"path"` // .github/workflows/deploy.yml
}

func (w *workflowRef) path() string {
	if w == nil {
		return ""
	}
	return w.Path
}

type deploymentStatus struct {
	ID             int64     `json:"id"`
	State          string    `json:"state"`
	Description    string    `json:"description"`
	Environment    string    `json:"environment"`
	TargetURL      string    `json:"target_url"`
	LogURL         string    `json:"log_url"`
	EnvironmentURL string    `json:"environment_url"`
	CreatedAt      time.Time `json:"created_at"`
	Creator        *account  `json:"creator"`
}

type deployment struct {
	ID          int64    `json:"id"`
	SHA         string   `json:"sha"`
	Ref         string   `json:"ref"`
	Environment string   `json:"environment"`
	Creator     *account `json:"creator"`
}

type repository struct {
	FullName string `json:"full_name"`
	HTMLURL  string `json:"html_url"`
}

type account struct {
	Login string `json:"login"`
}

func (a *account) login() string {
	if a == nil {
		return ""
	}
	return a.Login
}

func decode(payload []byte, v any) error {
	if err := json.Unmarshal(payload, v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}
