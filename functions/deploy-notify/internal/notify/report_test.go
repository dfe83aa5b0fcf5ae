package notify

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// webhooks holds the recorded GitHub payloads; see testdata/README.md.
const (
	cardChannelID = "1100000000000000002"
	cardMessageID = "1300000000000000100"
)

// edited is a recorded payload with edit applied to its decoded JSON, for the variants GitHub
// publishes no example of.
func edited(t *testing.T, file string, edit func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(githubapptest.Payload(t, file), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func run(m map[string]any) map[string]any { return m["workflow_run"].(map[string]any) }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// recordedRun is what the recorded workflow_run payloads say, before their action and
// conclusion: a run of test.yml whose title is not a deploy's.
func recordedRun(status, updated string) Report {
	return Report{
		Source:      SourceRun,
		Status:      status,
		Ref:         "master",
		SHA:         "3484a3fb816e0859fd6e1cea078d76385ff50625",
		RequestedBy: "Codertocat",
		Repository:  "octo-org/octo-repo",
		RepoURL:     "https://github.com/octo-org/octo-repo",
		URL:         "https://github.com/octo-org/octo-repo/actions/runs/289782451",
		Time:        at(updated),
		RunID:       289782451,
		Attempt:     1,
		RunNumber:   163,
		Started:     at("2020-10-05T16:33:49Z"),
	}
}

func onCard(r Report) Report {
	r.Environment, r.RequestedBy = "prod", "alice"
	r.CardChannelID, r.CardMessageID = cardChannelID, cardMessageID
	return r
}

func TestDecide(t *testing.T) {
	t.Parallel()
	const created, completed = "2020-10-05T16:33:24Z", "2020-10-05T16:33:49Z"
	manualTitle := func(title string) []byte {
		return edited(t, "workflow_run.completed.failure.derived", func(m map[string]any) { run(m)["display_title"] = title })
	}
	deployment := Report{
		Source:             SourceDeployment,
		Status:             "success",
		Environment:        "production",
		Ref:                "master",
		SHA:                "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
		RequestedBy:        "Codertocat",
		Repository:         "Codertocat/Hello-World",
		RepoURL:            "https://github.com/Codertocat/Hello-World",
		Time:               at("2019-05-15T15:20:55Z"),
		DeploymentID:       145988746,
		DeploymentStatusID: 209916254,
	}
	tests := []struct {
		name      string
		eventType string
		payload   []byte
		workflow  string
		want      Report
		wantSkip  bool
		wantErr   error
	}{
		{"requested", EventWorkflowRun, githubapptest.Payload(t, "workflow_run.requested"), "test.yml", recordedRun("requested", created), false, nil},
		{"in progress", EventWorkflowRun, githubapptest.Payload(t, "workflow_run.in_progress.derived"), "test.yml", recordedRun("in_progress", created), false, nil},
		{"success", EventWorkflowRun, githubapptest.Payload(t, "workflow_run.completed"), "test.yml", recordedRun("success", completed), false, nil},
		{"failure", EventWorkflowRun, githubapptest.Payload(t, "workflow_run.completed.failure.derived"), "test.yml", recordedRun("failure", completed), false, nil},
		{"failure on a card", EventWorkflowRun, githubapptest.Payload(t, "workflow_run.completed.failure.card.derived"), "test.yml", onCard(recordedRun("failure", completed)), false, nil},
		{"requested on a card", EventWorkflowRun, githubapptest.Payload(t, "workflow_run.requested.card.derived"), "test.yml", onCard(recordedRun("requested", created)), false, nil},
		{"another workflow", EventWorkflowRun, githubapptest.Payload(t, "workflow_run.completed"), "deploy.yml", Report{}, true, nil},
		{"workflow matched by file name alone", EventWorkflowRun, edited(t, "workflow_run.completed", func(m map[string]any) {
			run(m)["path"] = "deploy.yml"
		}), "deploy.yml", recordedRun("success", completed), false, nil},
		{"started outside Discord", EventWorkflowRun, manualTitle("Deploy dev by octocat [manual]"), "test.yml", func() Report {
			r := recordedRun("failure", completed)
			r.Environment, r.RequestedBy = "dev", "octocat"
			return r
		}(), false, nil},
		{"a rollback deploys the commit its title names", EventWorkflowRun, manualTitle("Deploy prod by minji [manual] @b0a710ad9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b"), "test.yml", func() Report {
			r := recordedRun("failure", completed)
			r.Environment, r.RequestedBy, r.SHA = "prod", "minji", "b0a710ad9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b"
			return r
		}(), false, nil},
		{"correlation id of another shape", EventWorkflowRun, manualTitle("Deploy dev by octocat [not-a-card]"), "test.yml", func() Report {
			r := recordedRun("failure", completed)
			r.Environment, r.RequestedBy = "dev", "octocat"
			return r
		}(), false, nil},
		{"re-run by someone else", EventWorkflowRun, edited(t, "workflow_run.completed", func(m map[string]any) {
			run(m)["run_attempt"] = 2
			run(m)["triggering_actor"] = map[string]any{"login": "hubot"}
		}), "test.yml", func() Report {
			r := recordedRun("success", completed)
			r.Attempt, r.RequestedBy = 2, "hubot"
			return r
		}(), false, nil},
		{"unknown action", EventWorkflowRun, edited(t, "workflow_run.completed", func(m map[string]any) { m["action"] = "archived" }), "test.yml", Report{}, true, nil},
		{"completed without conclusion", EventWorkflowRun, edited(t, "workflow_run.completed", func(m map[string]any) { run(m)["conclusion"] = nil }), "test.yml", Report{}, false, ErrMalformed},
		{"no workflow_run", EventWorkflowRun, []byte(`{"action":"completed"}`), "test.yml", Report{}, false, ErrMalformed},
		{"not JSON", EventWorkflowRun, []byte(`{"action":`), "test.yml", Report{}, false, ErrMalformed},
		{"run id of the wrong type", EventWorkflowRun, edited(t, "workflow_run.completed", func(m map[string]any) { run(m)["id"] = "x" }), "test.yml", Report{}, false, ErrMalformed},

		{"deployment status", EventDeploymentStatus, githubapptest.Payload(t, "deployment_status.created"), "deploy.yml", deployment, false, nil},
		{"deployment pending", EventDeploymentStatus, edited(t, "deployment_status.created", func(m map[string]any) {
			m["deployment_status"].(map[string]any)["state"] = "pending"
		}), "deploy.yml", func() Report { r := deployment; r.Status = "in_progress"; return r }(), false, nil},
		{"deployment by the deploy workflow", EventDeploymentStatus, edited(t, "deployment_status.created", func(m map[string]any) {
			m["workflow_run"] = map[string]any{"id": 1, "path": ".github/workflows/deploy.yml"}
		}), "deploy.yml", Report{}, true, nil},
		{"deployment by the deploy workflow, workflow only", EventDeploymentStatus, edited(t, "deployment_status.created", func(m map[string]any) {
			m["workflow"] = map[string]any{"path": ".github/workflows/deploy.yml"}
		}), "deploy.yml", Report{}, true, nil},
		{"deployment by another workflow", EventDeploymentStatus, edited(t, "deployment_status.created", func(m map[string]any) {
			m["workflow_run"] = map[string]any{"id": 1, "path": ".github/workflows/release.yml"}
		}), "deploy.yml", deployment, false, nil},
		{"deployment inactive", EventDeploymentStatus, edited(t, "deployment_status.created", func(m map[string]any) {
			m["deployment_status"].(map[string]any)["state"] = "inactive"
		}), "deploy.yml", Report{}, true, nil},
		{"deployment status without deployment", EventDeploymentStatus, edited(t, "deployment_status.created", func(m map[string]any) {
			delete(m, "deployment")
		}), "deploy.yml", Report{}, false, ErrMalformed},

		{"other event", "push", []byte(`{}`), "deploy.yml", Report{}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, skip, err := Decide(tt.eventType, tt.payload, tt.workflow)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("Decide error = %v, want %v", err, tt.wantErr)
			}
			if (skip != "") != tt.wantSkip {
				t.Fatalf("Decide skip = %q, want skipped %v", skip, tt.wantSkip)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decide report (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	start := at("2025-11-20T09:00:00Z")
	tests := []struct {
		name   string
		r      Report
		want   time.Duration
		wantOK bool
	}{
		{"completed", Report{Source: SourceRun, Status: "success", Started: start, Time: start.Add(192 * time.Second)}, 192 * time.Second, true},
		{"running", Report{Source: SourceRun, Status: "in_progress", Started: start, Time: start.Add(time.Minute)}, 0, false},
		{"no start", Report{Source: SourceRun, Status: "failure", Time: start}, 0, false},
		{"clock skew", Report{Source: SourceRun, Status: "failure", Started: start, Time: start.Add(-time.Second)}, 0, false},
		{"deployment", Report{Source: SourceDeployment, Status: "success", Started: start, Time: start.Add(time.Minute)}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.r.Duration()
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Duration() = %s, %v; want %s, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
