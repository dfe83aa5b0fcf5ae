package fakegithub

import (
	"fmt"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// firstDispatchedRun is the id of the run the demo's first dispatch starts.
const firstDispatchedRun = 9000000001

// DemoIssues is how many issues and pull requests the demo repository has (#1 to #12).
const DemoIssues = 12

// DemoRepository is the demo's repository fullName with the deploy workflow: v1.4.1, then
// v1.4.2, which both environments last deployed successfully (after v1.4.1: /rollback has
// somewhere to go), then main. As on GitHub, the workflow's job runs in the environment of
// the same name: each run has its deployment, and a dispatch records a new one, which the
// run's completion ends (so a failed deploy of main makes Roll back offer v1.4.2 again).
func DemoRepository(fullName, workflow string, now time.Time) githubapptest.Repository {
	owner, name, _ := strings.Cut(fullName, "/")
	older := githubapptest.Commit{SHA: "b0a710ad9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b", Message: "Release 1.4.1", Author: "jun"}
	old := githubapptest.Commit{SHA: "c0ffee15a1b2c3d4e5f60718293a4b5c6d7e8f90", Message: "Release 1.4.2", Author: "jun"}
	head := githubapptest.Commit{SHA: "5ca1ab1e0f1e2d3c4b5a69788796a5b4c3d2e1f0", Message: "Retry checkout calls on 502\n\nThe payment API drops one request in a thousand.", Author: "minji"}
	run := func(id int64, title, tag string, c githubapptest.Commit, ago time.Duration) githubapptest.Run {
		return githubapptest.Run{ID: id, DisplayTitle: title, HeadBranch: tag, HeadSHA: c.SHA, Event: "workflow_dispatch",
			Status: "completed", Conclusion: "success", Actor: "jun", CreatedAt: now.Add(-ago)}
	}
	// deployment is the record GitHub keeps of run's job in env, statuses newest first; a later
	// success made the superseded ones inactive an hour later.
	deployment := func(run githubapptest.Run, env string, superseded bool) githubapptest.Deployment {
		log := fmt.Sprintf("https://github.com/%s/actions/runs/%d/job/%d", fullName, run.ID, run.ID+1)
		status := func(state string, after time.Duration) githubapptest.DeploymentStatus {
			return githubapptest.DeploymentStatus{State: state, LogURL: log, CreatedAt: run.CreatedAt.Add(after)}
		}
		statuses := []githubapptest.DeploymentStatus{status("success", 2*time.Minute), status("in_progress", time.Minute), status("queued", 0)}
		if superseded {
			statuses = append([]githubapptest.DeploymentStatus{status("inactive", time.Hour)}, statuses...)
		}
		return githubapptest.Deployment{SHA: run.HeadSHA, Ref: run.HeadBranch, Environment: env, Run: run.ID, CreatedAt: run.CreatedAt, Statuses: statuses}
	}
	runs := []githubapptest.Run{
		run(8800000002, "Deploy prod by jun [manual]", "v1.4.2", old, 20*time.Hour),
		run(8800000001, "Deploy dev by jun [manual]", "v1.4.2", old, 26*time.Hour),
		run(8700000002, "Deploy prod by jun [manual]", "v1.4.1", older, 70*time.Hour),
		run(8700000001, "Deploy dev by jun [manual]", "v1.4.1", older, 74*time.Hour),
	}
	return githubapptest.Repository{
		Owner: owner, Name: name, DefaultBranch: "main",
		// The example workflow's run-name (shared/deployrun.RunNameTemplate); like GitHub, a
		// run's head is the tip of its ref, whatever commit a rollback asks for.
		Workflows: []githubapptest.Workflow{{Name: "Deploy", Path: ".github/workflows/" + workflow, RunName: githubapptest.DeployRunName("github-actions"),
			DeploysTo: func(inputs map[string]string) string { return inputs["environment"] }}},
		History: []githubapptest.Commit{older, old, head},
		Refs:    map[string]string{"main": head.SHA, "v1.4.2": old.SHA, "v1.4.1": older.SHA},
		Runs:    runs,
		Deployments: []githubapptest.Deployment{ // newest first
			deployment(runs[0], "prod", false), deployment(runs[1], "dev", false),
			deployment(runs[2], "prod", true), deployment(runs[3], "dev", true),
		},
		NextRunID: firstDispatchedRun,
	}
}
