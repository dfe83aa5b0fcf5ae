package fakegithub

import (
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// TestDemoDeployments checks the demo's deployment record, which the interactions function
// reads to know what runs where: dev last ran v1.4.2 after v1.4.1; the deploy workflow's job
// runs in the environment it is dispatched to; and a run's failure ends its deployment as
// failed, so that Roll back has v1.4.2 to offer. (githubapptest's own tests drive the
// dispatch through the REST API.)
func TestDemoDeployments(t *testing.T) {
	t.Parallel()
	now := time.Now()
	repo := DemoRepository("acme/shop", "deploy.yml", now)
	if env := repo.Workflows[0].DeploysTo(map[string]string{"environment": "dev"}); env != "dev" {
		t.Errorf("the deploy job runs in %q, want the environment dispatched", env)
	}
	s := New(Options{AppID: 7, Repo: repo})
	// record is dev's deployments, newest first, as "short sha: newest status".
	record := func() string {
		var out []string
		for _, d := range s.Deployments("acme", "shop") {
			if d.Environment == "dev" {
				out = append(out, d.SHA[:7]+": "+d.Statuses[0].State)
			}
		}
		return strings.Join(out, ", ")
	}
	if got, want := record(), "c0ffee1: success, b0a710a: inactive"; got != want {
		t.Errorf("dev's record %q, want %q", got, want)
	}
	head := repo.Refs["main"]
	s.AddRun("acme", "shop", githubapptest.Run{ID: firstDispatchedRun, DisplayTitle: "Deploy dev by minji [manual]", HeadBranch: "main", HeadSHA: head,
		Event: "workflow_dispatch", Status: "in_progress", CreatedAt: now})
	d := s.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: head, Ref: "main", Environment: "dev", Run: firstDispatchedRun, CreatedAt: now})
	s.AddDeploymentStatus("acme", "shop", d.ID, githubapptest.DeploymentStatus{State: "in_progress", CreatedAt: now})
	s.Complete(firstDispatchedRun, "failure")
	if got, want := record(), "5ca1ab1: failure, c0ffee1: success, b0a710a: inactive"; got != want {
		t.Errorf("dev's record after the failed run %q, want %q", got, want)
	}
}
