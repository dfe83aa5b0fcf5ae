package githubapptest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// sha is a recognisable commit id: n in every digit.
func sha(n int) string { return strings.Repeat(fmt.Sprint(n%10), 40) }

// shop is a repository with a linear history of five commits, tags on the second and fourth,
// a deploy workflow with the suite's run-name and a test workflow, and four runs.
func shop() githubapptest.Repository {
	var history []githubapptest.Commit
	for i := 1; i <= 5; i++ {
		history = append(history, githubapptest.Commit{SHA: sha(i), Message: fmt.Sprintf("Change %d\n\nbody", i), Author: "octocat"})
	}
	return githubapptest.Repository{
		Owner: "acme", Name: "shop",
		History: history,
		Refs:    map[string]string{"main": sha(5), "v1": sha(2), "v2": sha(4)},
		Workflows: []githubapptest.Workflow{
			{Name: "Deploy", Path: ".github/workflows/deploy.yml", RunName: githubapptest.DeployRunName("github-actions")},
			{Name: "Test", Path: ".github/workflows/test.yml"},
		},
		Runs: []githubapptest.Run{
			{ID: 14, Workflow: "test.yml", DisplayTitle: "Change 5", HeadBranch: "main", HeadSHA: sha(5), Event: "push", Status: "completed", Conclusion: "success", CreatedAt: t0.Add(-time.Hour)},
			{ID: 13, DisplayTitle: "Deploy prod by jun [manual]", HeadBranch: "v2", HeadSHA: sha(4), Event: "workflow_dispatch", Status: "in_progress", Actor: "jun", CreatedAt: t0.Add(-2 * time.Hour)},
			{ID: 12, DisplayTitle: "Deploy prod by jun [manual]", HeadBranch: "v1", HeadSHA: sha(2), Event: "workflow_dispatch", Status: "completed", Conclusion: "failure", Actor: "jun", CreatedAt: t0.Add(-24 * time.Hour)},
			{ID: 11, DisplayTitle: "Deploy dev by minji [manual]", HeadBranch: "v1", HeadSHA: sha(2), Event: "workflow_dispatch", Status: "completed", Conclusion: "success", Actor: "minji", CreatedAt: t0.Add(-48 * time.Hour)},
		},
		Assignable:    []string{"octocat"},
		MissingIssues: []int{404},
	}
}

// client returns the fake with shop added, and a go-github client acting as the App's
// installation on it, as the functions build theirs.
func client(t *testing.T) (*githubapptest.Server, *github.Client) {
	t.Helper()
	srv := githubapptest.NewServer(t)
	srv.SetClock(func() time.Time { return t0 })
	srv.AddRepository(shop())
	app, err := githubapp.New(githubapp.Options{AppID: srv.AppID, PrivateKeyPEM: srv.PrivateKeyPEM(), BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.RepoClient(context.Background(), "acme", "shop")
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func status(err error) int {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil {
		return ge.Response.StatusCode
	}
	return 0
}

func runIDs(runs []*github.WorkflowRun) []int64 {
	ids := []int64{}
	for _, r := range runs {
		ids = append(ids, r.GetID())
	}
	return ids
}

func TestListWorkflowRuns(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	tests := []struct {
		name     string
		workflow string
		opts     github.ListWorkflowRunsOptions
		want     []int64
		total    int
	}{
		{name: "the workflow's runs, newest first", workflow: "deploy.yml", want: []int64{13, 12, 11}, total: 3},
		{name: "by id", workflow: "2", want: []int64{14}, total: 1},
		{name: "a conclusion", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{Status: "success"}, want: []int64{11}, total: 1},
		{name: "a status", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{Status: "in_progress"}, want: []int64{13}, total: 1},
		{name: "event", workflow: "test.yml", opts: github.ListWorkflowRunsOptions{Event: "workflow_dispatch"}, want: []int64{}, total: 0},
		{name: "branch", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{Branch: "v1"}, want: []int64{12, 11}, total: 2},
		{name: "actor", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{Actor: "jun"}, want: []int64{13, 12}, total: 2},
		{name: "head sha", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{HeadSHA: sha(4)}, want: []int64{13}, total: 1},
		{name: "created since", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{Created: ">=" + t0.Add(-24*time.Hour).Format(time.RFC3339)}, want: []int64{13, 12}, total: 2},
		{name: "created before", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{Created: "<" + t0.Add(-24*time.Hour).Format(time.RFC3339)}, want: []int64{11}, total: 1},
		{name: "created on a day", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{Created: t0.Add(-48 * time.Hour).Format(time.DateOnly)}, want: []int64{11}, total: 1},
		{name: "created in a range", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{Created: t0.Add(-30*time.Hour).Format(time.RFC3339) + ".." + t0.Add(-time.Hour).Format(time.RFC3339)}, want: []int64{13, 12}, total: 2},
		{name: "a page; total_count counts every match", workflow: "deploy.yml", opts: github.ListWorkflowRunsOptions{ListOptions: github.ListOptions{PerPage: 2, Page: 2}}, want: []int64{11}, total: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			runs, _, err := c.Actions.ListWorkflowRunsByFileName(context.Background(), "acme", "shop", tt.workflow, &opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, runIDs(runs.WorkflowRuns)); diff != "" || runs.GetTotalCount() != tt.total {
				t.Errorf("total %d (want %d), runs (-want +got):\n%s", runs.GetTotalCount(), tt.total, diff)
			}
		})
	}
	t.Run("unknown workflow", func(t *testing.T) {
		t.Parallel()
		_, _, err := c.Actions.ListWorkflowRunsByFileName(context.Background(), "acme", "shop", "nope.yml", nil)
		if status(err) != http.StatusNotFound {
			t.Errorf("err %v, want 404", err)
		}
	})
}

func TestGetRunAndWorkflow(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	ctx := context.Background()
	run, _, err := c.Actions.GetWorkflowRunByID(ctx, "acme", "shop", 12)
	if err != nil {
		t.Fatal(err)
	}
	if run.GetConclusion() != "failure" || run.GetHeadSHA() != sha(2) || run.GetName() != "Deploy" || run.GetPath() != ".github/workflows/deploy.yml" ||
		run.GetWorkflowID() != 1 || run.GetActor().GetLogin() != "jun" || run.GetHTMLURL() != "https://github.com/acme/shop/actions/runs/12" ||
		!run.GetCreatedAt().Time.Equal(t0.Add(-24*time.Hour)) {
		t.Errorf("run %+v", run)
	}
	if running, _, _ := c.Actions.GetWorkflowRunByID(ctx, "acme", "shop", 13); running.Conclusion != nil {
		t.Errorf("a run in progress has conclusion %q, want null", running.GetConclusion())
	}
	if _, _, err := c.Actions.GetWorkflowRunByID(ctx, "acme", "shop", 99); status(err) != http.StatusNotFound {
		t.Errorf("unknown run: err %v, want 404", err)
	}
	for _, get := range []func() (*github.Workflow, *github.Response, error){
		func() (*github.Workflow, *github.Response, error) {
			return c.Actions.GetWorkflowByFileName(ctx, "acme", "shop", "deploy.yml")
		},
		func() (*github.Workflow, *github.Response, error) {
			return c.Actions.GetWorkflowByID(ctx, "acme", "shop", 1)
		},
	} {
		wf, _, err := get()
		if err != nil || wf.GetID() != 1 || wf.GetName() != "Deploy" || wf.GetPath() != ".github/workflows/deploy.yml" || wf.GetState() != "active" {
			t.Errorf("workflow %+v, err %v", wf, err)
		}
	}
	if _, _, err := c.Actions.GetWorkflowByFileName(ctx, "acme", "shop", "nope.yml"); status(err) != http.StatusNotFound {
		t.Errorf("unknown workflow: err %v, want 404", err)
	}
	// acme/other is the default installation's too, so the token is good, but the fake does not
	// serve it.
	if _, _, err := c.Actions.GetWorkflowRunByID(ctx, "acme", "other", 12); status(err) != http.StatusNotFound {
		t.Errorf("run of a repository the fake does not serve: err %v, want 404", err)
	}
}

// dispatch sends a workflow dispatch as interactions does, by hand (go-github v66 has no
// return_run_details), and returns the status and decoded body.
func dispatch(t *testing.T, c *github.Client, workflow string, body map[string]any) (int, map[string]any) {
	t.Helper()
	req, err := c.NewRequest(http.MethodPost, "repos/acme/shop/actions/workflows/"+workflow+"/dispatches", body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	resp, err := c.Do(context.Background(), req, &out)
	if resp == nil {
		t.Fatal(err)
	}
	if ge := (*github.ErrorResponse)(nil); errors.As(err, &ge) {
		out = map[string]any{"message": ge.Message, "documentation_url": ge.DocumentationURL}
	}
	return resp.StatusCode, out
}

func TestDispatch(t *testing.T) {
	t.Parallel()
	inputs := map[string]any{"environment": "prod", "requested_by": "minji", "correlation_id": "1-2", "sha": ""}
	tests := []struct {
		name       string
		mode       githubapptest.RunDetails
		refuse     *githubapptest.Error
		workflow   string
		body       map[string]any
		wantStatus int
		wantBody   map[string]any
		wantRun    bool
	}{
		{name: "run details", workflow: "deploy.yml", body: map[string]any{"ref": "v2", "inputs": inputs, "return_run_details": true},
			wantStatus: 200, wantRun: true, wantBody: map[string]any{"workflow_run_id": float64(15),
				"run_url": "https://api.github.com/repos/acme/shop/actions/runs/15", "html_url": "https://github.com/acme/shop/actions/runs/15"}},
		{name: "not asked", workflow: "deploy.yml", body: map[string]any{"ref": "v2", "inputs": inputs}, wantStatus: 204, wantRun: true},
		{name: "by id", workflow: "1", body: map[string]any{"ref": "v2", "inputs": inputs}, wantStatus: 204, wantRun: true},
		{name: "before run details", mode: githubapptest.RunDetailsIgnored, workflow: "deploy.yml",
			body: map[string]any{"ref": "v2", "inputs": inputs, "return_run_details": true}, wantStatus: 204, wantRun: true},
		{name: "GHES refuses the field", mode: githubapptest.RunDetailsRefused, workflow: "deploy.yml",
			body:       map[string]any{"ref": "v2", "inputs": inputs, "return_run_details": false},
			wantStatus: 400, wantBody: map[string]any{"message": "Invalid request.\n\n\"return_run_details\" is not a permitted key.", "documentation_url": "https://docs.github.com/rest"}},
		{name: "GHES without the field", mode: githubapptest.RunDetailsRefused, workflow: "deploy.yml",
			body: map[string]any{"ref": "v2", "inputs": inputs}, wantStatus: 204, wantRun: true},
		{name: "refused by the test", refuse: &githubapptest.Error{Status: 422, Message: "Workflow does not have 'workflow_dispatch' trigger"}, workflow: "deploy.yml",
			body: map[string]any{"ref": "v2", "inputs": inputs}, wantStatus: 422,
			wantBody: map[string]any{"message": "Workflow does not have 'workflow_dispatch' trigger", "documentation_url": "https://docs.github.com/rest"}},
		{name: "unknown workflow", workflow: "nope.yml", body: map[string]any{"ref": "v2"}, wantStatus: 404,
			wantBody: map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}},
		{name: "no ref", workflow: "deploy.yml", body: map[string]any{"inputs": inputs}, wantStatus: 422,
			wantBody: map[string]any{"message": "Invalid request.\n\n\"ref\" wasn't supplied.", "documentation_url": "https://docs.github.com/rest"}},
		{name: "a commit is not a ref", workflow: "deploy.yml", body: map[string]any{"ref": sha(3)}, wantStatus: 422,
			wantBody: map[string]any{"message": "No ref found for: " + sha(3), "documentation_url": "https://docs.github.com/rest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := client(t)
			srv.SetRunDetails(tt.mode)
			if tt.refuse != nil {
				srv.RefuseDispatches(func(githubapptest.Dispatch) *githubapptest.Error { return tt.refuse })
			}
			var hooked []githubapptest.Run
			srv.OnDispatch(func(_ githubapptest.Dispatch, run githubapptest.Run) { hooked = append(hooked, run) })
			code, body := dispatch(t, c, tt.workflow, tt.body)
			if code != tt.wantStatus {
				t.Errorf("status %d, want %d", code, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantBody, body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			ds := srv.Dispatches()
			if len(ds) != 1 || ds[0].Workflow != tt.workflow || ds[0].Repo != "acme/shop" {
				t.Fatalf("dispatches %+v, want this one", ds)
			}
			if _, sent := tt.body["return_run_details"]; sent != (ds[0].ReturnRunDetails != nil) {
				t.Errorf("recorded return_run_details %v, sent %v", ds[0].ReturnRunDetails, sent)
			}
			newest := srv.Runs("acme", "shop")[0]
			if !tt.wantRun {
				if ds[0].RunID != 0 || newest.ID != 14 || len(hooked) != 0 {
					t.Errorf("a refused dispatch started run %d (newest %d, hooked %d)", ds[0].RunID, newest.ID, len(hooked))
				}
				return
			}
			want := githubapptest.Run{ID: 15, Workflow: "deploy.yml", DisplayTitle: "Deploy prod by minji [1-2]", HeadBranch: "v2", HeadSHA: sha(4),
				Event: "workflow_dispatch", Status: "queued", Actor: "chatops[bot]", RunNumber: 15, CreatedAt: t0, UpdatedAt: t0}
			if diff := cmp.Diff(want, newest); diff != "" || ds[0].RunID != 15 {
				t.Errorf("dispatch's run %d (-want +got):\n%s", ds[0].RunID, diff)
			}
			if diff := cmp.Diff([]githubapptest.Run{want}, hooked); diff != "" {
				t.Errorf("OnDispatch (-want +got):\n%s", diff)
			}
			listed, _, err := c.Actions.ListWorkflowRunsByFileName(context.Background(), "acme", "shop", "deploy.yml",
				&github.ListWorkflowRunsOptions{Event: "workflow_dispatch", Created: ">=" + t0.Format(time.RFC3339)})
			if err != nil || !cmp.Equal(runIDs(listed.WorkflowRuns), []int64{15}) {
				t.Errorf("runs created since the dispatch %v, err %v; want the new one", runIDs(listed.WorkflowRuns), err)
			}
		})
	}
	t.Run("complete", func(t *testing.T) {
		t.Parallel()
		srv, c := client(t)
		if !srv.CompleteRun("acme", "shop", 13, "success") || srv.CompleteRun("acme", "shop", 99, "success") {
			t.Error("CompleteRun reports a run it has not got, or not one it has")
		}
		run, _, err := c.Actions.GetWorkflowRunByID(context.Background(), "acme", "shop", 13)
		if err != nil || run.GetStatus() != "completed" || run.GetConclusion() != "success" {
			t.Errorf("run %+v, err %v", run, err)
		}
	})
}

func TestDeployRunName(t *testing.T) {
	t.Parallel()
	// The run-name as GitHub renders it must read back with deployrun, which parses real runs.
	tests := []struct {
		inputs map[string]string
		want   string
		parsed deployrun.Title
	}{
		{map[string]string{"environment": "prod", "requested_by": "minji", "correlation_id": "11-13"}, "Deploy prod by minji [11-13]",
			deployrun.Title{Environment: "prod", RequestedBy: "minji", CorrelationID: "11-13"}},
		{map[string]string{"environment": "dev"}, "Deploy dev by github-actions [manual]",
			deployrun.Title{Environment: "dev", RequestedBy: "github-actions"}}, // "manual" reads back as no card
		{map[string]string{"environment": "prod", "requested_by": "jun", "correlation_id": "1-2", "sha": sha(3)}, "Deploy prod by jun [1-2] @" + sha(3),
			deployrun.Title{Environment: "prod", RequestedBy: "jun", CorrelationID: "1-2", SHA: sha(3)}},
	}
	for _, tt := range tests {
		got := githubapptest.DeployRunName("github-actions")(tt.inputs)
		if got != tt.want {
			t.Errorf("DeployRunName(%v) = %q, want %q", tt.inputs, got, tt.want)
		}
		parsed, ok := deployrun.ParseTitle(got)
		if diff := cmp.Diff(tt.parsed, parsed); !ok || diff != "" {
			t.Errorf("ParseTitle(%q) ok %v (-want +got):\n%s", got, ok, diff)
		}
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	_, c := client(t)
	tests := []struct {
		name, base, head string
		opts             *github.ListOptions
		status           string
		ahead, behind    int
		total            int
		commits          []string
	}{
		{name: "ahead, oldest first", base: "v1", head: "main", status: "ahead", ahead: 3, total: 3, commits: []string{sha(3), sha(4), sha(5)}},
		{name: "by SHA", base: sha(2)[:7], head: sha(4), status: "ahead", ahead: 2, total: 2, commits: []string{sha(3), sha(4)}},
		{name: "behind", base: "main", head: "v1", status: "behind", behind: 3, commits: []string{}},
		{name: "identical", base: "v2", head: sha(4), status: "identical", commits: []string{}},
		{name: "a page", base: "v1", head: "main", opts: &github.ListOptions{PerPage: 2, Page: 2}, status: "ahead", ahead: 3, total: 3, commits: []string{sha(5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmpr, _, err := c.Repositories.CompareCommits(context.Background(), "acme", "shop", tt.base, tt.head, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, rc := range cmpr.Commits {
				got = append(got, rc.GetSHA())
				if rc.GetAuthor().GetLogin() != "octocat" || !strings.HasPrefix(rc.GetCommit().GetMessage(), "Change ") {
					t.Errorf("commit %+v", rc)
				}
			}
			if diff := cmp.Diff(tt.commits, got); diff != "" || cmpr.GetStatus() != tt.status || cmpr.GetAheadBy() != tt.ahead ||
				cmpr.GetBehindBy() != tt.behind || cmpr.GetTotalCommits() != tt.total {
				t.Errorf("status %s ahead %d behind %d total %d; commits (-want +got):\n%s", cmpr.GetStatus(), cmpr.GetAheadBy(), cmpr.GetBehindBy(), cmpr.GetTotalCommits(), diff)
			}
		})
	}
	if _, _, err := c.Repositories.CompareCommits(context.Background(), "acme", "shop", "nope", "main", nil); status(err) != http.StatusNotFound {
		t.Errorf("unknown base: err %v, want 404", err)
	}
	ctx := context.Background()
	if got, _, err := c.Repositories.GetCommitSHA1(ctx, "acme", "shop", "v2", ""); err != nil || got != sha(4) {
		t.Errorf("GetCommitSHA1(v2) = %q, %v", got, err)
	}
	if _, _, err := c.Repositories.GetCommitSHA1(ctx, "acme", "shop", "nope", ""); status(err) != http.StatusUnprocessableEntity {
		t.Errorf("unknown ref: err %v, want 422", err)
	}
	if rc, _, err := c.Repositories.GetCommit(ctx, "acme", "shop", "main", nil); err != nil || rc.GetSHA() != sha(5) || rc.GetCommit().GetMessage() != "Change 5\n\nbody" {
		t.Errorf("GetCommit(main) = %+v, %v", rc, err)
	}
	if rp, _, err := c.Repositories.Get(ctx, "acme", "shop"); err != nil || rp.GetDefaultBranch() != "main" || rp.GetFullName() != "acme/shop" {
		t.Errorf("Get = %+v, %v", rp, err)
	}
}

// deployments seeds shop with deployments: prod twice (production environment), dev three times.
func deployments(srv *githubapptest.Server) (prod1, prod2, dev1, dev2, dev3 githubapptest.Deployment) {
	add := func(env string, n int, production bool) githubapptest.Deployment {
		d := srv.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: sha(n), Ref: "main", Environment: env,
			ProductionEnvironment: production, CreatedAt: t0.Add(time.Duration(n) * time.Minute)})
		st, ok := srv.AddDeploymentStatus("acme", "shop", d.ID, githubapptest.DeploymentStatus{State: "success",
			LogURL: fmt.Sprintf("https://github.com/acme/shop/actions/runs/%d/job/1", n), CreatedAt: d.CreatedAt.Add(time.Minute)})
		if !ok || st.ID == 0 {
			panic("status not added")
		}
		return d
	}
	dev1 = add("dev", 1, false)
	prod1 = add("prod", 2, true)
	dev2 = add("dev", 3, false)
	prod2 = add("prod", 4, true)
	dev3 = add("dev", 5, false)
	return
}

func TestDeployments(t *testing.T) {
	t.Parallel()
	srv, c := client(t)
	prod1, prod2, dev1, dev2, dev3 := deployments(srv)
	ctx := context.Background()
	ids := func(ds []*github.Deployment) []int64 {
		out := []int64{}
		for _, d := range ds {
			out = append(out, d.GetID())
		}
		return out
	}
	tests := []struct {
		name string
		opts github.DeploymentsListOptions
		want []int64
	}{
		{name: "all, newest first", want: []int64{dev3.ID, prod2.ID, dev2.ID, prod1.ID, dev1.ID}},
		{name: "an environment", opts: github.DeploymentsListOptions{Environment: "prod"}, want: []int64{prod2.ID, prod1.ID}},
		{name: "a sha", opts: github.DeploymentsListOptions{SHA: sha(3)}, want: []int64{dev2.ID}},
		{name: "a task", opts: github.DeploymentsListOptions{Task: "deploy:migrations"}, want: []int64{}},
		{name: "a page", opts: github.DeploymentsListOptions{Environment: "dev", ListOptions: github.ListOptions{PerPage: 2, Page: 2}}, want: []int64{dev1.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			got, _, err := c.Repositories.ListDeployments(ctx, "acme", "shop", &opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("deployments (-want +got):\n%s", diff)
			}
		})
	}

	// A success makes the environment's earlier deployments inactive, except production ones.
	states := func(id int64) []string {
		sts, _, err := c.Repositories.ListDeploymentStatuses(ctx, "acme", "shop", id, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, st := range sts {
			out = append(out, st.GetState())
		}
		return out
	}
	for _, tt := range []struct {
		d    githubapptest.Deployment
		want []string
	}{
		{dev3, []string{"success"}},
		{dev2, []string{"inactive", "success"}},
		{dev1, []string{"inactive", "success"}}, // once, though two successes followed
		{prod2, []string{"success"}},
		{prod1, []string{"success"}},
	} {
		if diff := cmp.Diff(tt.want, states(tt.d.ID)); diff != "" {
			t.Errorf("statuses of %s deployment %d, newest first (-want +got):\n%s", tt.d.Environment, tt.d.ID, diff)
		}
	}

	d, _, err := c.Repositories.GetDeployment(ctx, "acme", "shop", prod2.ID)
	if err != nil || d.GetSHA() != sha(4) || d.GetRef() != "main" || d.GetTask() != "deploy" || d.GetEnvironment() != "prod" ||
		d.GetCreator().GetLogin() != "github-actions[bot]" || d.GetStatusesURL() != fmt.Sprintf("https://api.github.com/repos/acme/shop/deployments/%d/statuses", prod2.ID) {
		t.Errorf("deployment %+v, err %v", d, err)
	}
	sts, _, err := c.Repositories.ListDeploymentStatuses(ctx, "acme", "shop", prod2.ID, nil)
	if err != nil || len(sts) != 1 {
		t.Fatalf("statuses %v, err %v", sts, err)
	}
	st, _, err := c.Repositories.GetDeploymentStatus(ctx, "acme", "shop", prod2.ID, sts[0].GetID())
	if err != nil || st.GetState() != "success" || st.GetEnvironment() != "prod" || st.GetLogURL() != "https://github.com/acme/shop/actions/runs/4/job/1" ||
		st.GetTargetURL() != st.GetLogURL() || st.GetDeploymentURL() != fmt.Sprintf("https://api.github.com/repos/acme/shop/deployments/%d", prod2.ID) {
		t.Errorf("status %+v, err %v", st, err)
	}
	if _, _, err := c.Repositories.GetDeployment(ctx, "acme", "shop", 999); status(err) != http.StatusNotFound {
		t.Errorf("unknown deployment: err %v, want 404", err)
	}
	if _, _, err := c.Repositories.GetDeploymentStatus(ctx, "acme", "shop", prod2.ID, 999); status(err) != http.StatusNotFound {
		t.Errorf("unknown status: err %v, want 404", err)
	}
	if _, ok := srv.AddDeploymentStatus("acme", "shop", 999, githubapptest.DeploymentStatus{State: "success"}); ok {
		t.Error("AddDeploymentStatus reports a deployment it has not got")
	}
}

func TestDeploymentStatusKeepOthersActive(t *testing.T) {
	t.Parallel()
	srv, _ := client(t)
	first := srv.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: sha(1), Environment: "dev", Statuses: []githubapptest.DeploymentStatus{{ID: 1, State: "success"}}})
	transient := srv.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: sha(2), Environment: "dev", TransientEnvironment: true, Statuses: []githubapptest.DeploymentStatus{{ID: 2, State: "success"}}})
	third := srv.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: sha(3), Environment: "dev"})
	srv.AddDeploymentStatus("acme", "shop", third.ID, githubapptest.DeploymentStatus{State: "success", KeepOthersActive: true})
	fourth := srv.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: sha(4), Environment: "dev"})
	srv.AddDeploymentStatus("acme", "shop", fourth.ID, githubapptest.DeploymentStatus{State: "in_progress"})
	got := map[int64][]string{}
	for _, d := range srv.Deployments("acme", "shop") {
		for _, st := range d.Statuses {
			got[d.ID] = append(got[d.ID], st.State)
		}
	}
	want := map[int64][]string{first.ID: {"success"}, transient.ID: {"success"}, third.ID: {"success"}, fourth.ID: {"in_progress"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("auto_inactive false, transient and in_progress leave the others active (-want +got):\n%s", diff)
	}
}

func TestAssign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		number    int
		logins    []string
		want      []string
		wantError int
	}{
		{name: "assignable", number: 7, logins: []string{"OctoCat"}, want: []string{"OctoCat"}},
		{name: "others dropped silently", number: 7, logins: []string{"stranger", "octocat"}, want: []string{"octocat"}},
		{name: "missing issue", number: 404, logins: []string{"octocat"}, wantError: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := client(t)
			var hooked []githubapptest.Assignment
			srv.OnAssign(func(a githubapptest.Assignment) { hooked = append(hooked, a) })
			issue, _, err := c.Issues.AddAssignees(context.Background(), "acme", "shop", tt.number, tt.logins)
			if tt.wantError != 0 {
				if status(err) != tt.wantError || len(srv.Assignments()) != 0 || len(hooked) != 0 {
					t.Errorf("err %v, assignments %v; want %d and none", err, srv.Assignments(), tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, u := range issue.Assignees {
				got = append(got, u.GetLogin())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || issue.GetHTMLURL() != fmt.Sprintf("https://github.com/acme/shop/issues/%d", tt.number) {
				t.Errorf("issue %s, assignees (-want +got):\n%s", issue.GetHTMLURL(), diff)
			}
			want := []githubapptest.Assignment{{Repo: "acme/shop", Number: tt.number, Assignees: tt.logins}}
			if diff := cmp.Diff(want, srv.Assignments()); diff != "" || !cmp.Equal(want, hooked) {
				t.Errorf("assignments (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAppOptions checks the fake's handshake as the local suite sets it up: its own App id and
// key, or any key.
func TestAppOptions(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	tests := []struct {
		name   string
		opts   []githubapptest.Option
		keyPEM []byte
		wantOK bool
	}{
		{name: "own App and key", opts: []githubapptest.Option{githubapptest.App(77, &key.PublicKey)}, keyPEM: keyPEM, wantOK: true},
		{name: "own App, the test key refused", opts: []githubapptest.Option{githubapptest.App(77, &key.PublicKey)}, wantOK: false},
		{name: "any key", opts: []githubapptest.Option{githubapptest.App(77, nil), githubapptest.AnyKey()}, keyPEM: keyPEM, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var reports []error
			srv := githubapptest.New(append(tt.opts, githubapptest.Reporter(func(err error) { reports = append(reports, err) }))...)
			hs := httptest.NewServer(srv.Handler())
			t.Cleanup(hs.Close)
			pemKey := tt.keyPEM
			if pemKey == nil {
				pemKey = srv.PrivateKeyPEM()
			}
			app, err := githubapp.New(githubapp.Options{AppID: 77, PrivateKeyPEM: pemKey, BaseURL: hs.URL})
			if err != nil {
				t.Fatal(err)
			}
			id, err := app.Installation(context.Background(), "acme", "shop")
			if ok := err == nil && id == githubapptest.DefaultInstallationID; ok != tt.wantOK {
				t.Errorf("installation %d, err %v; want OK %v", id, err, tt.wantOK)
			}
			if reported := len(reports) > 0; reported == tt.wantOK {
				t.Errorf("reports %v, want some: %v", reports, !tt.wantOK)
			}
		})
	}
}

func TestPayloads(t *testing.T) {
	t.Parallel()
	names := githubapptest.PayloadNames()
	if len(names) != 22 {
		t.Errorf("%d recorded payloads, want the 22 of testdata/README.md: %v", len(names), names)
	}
	for _, name := range names {
		var doc map[string]any
		if err := json.Unmarshal(githubapptest.Payload(t, name), &doc); err != nil || doc["sender"] == nil {
			t.Errorf("%s: not a webhook payload (err %v)", name, err)
		}
	}
	// A card's edit changes the display title alone, as the README says.
	for _, base := range []string{"workflow_run.requested", "workflow_run.in_progress.derived", "workflow_run.completed", "workflow_run.completed.failure.derived"} {
		card := strings.TrimSuffix(base, ".derived") + ".card.derived"
		var a, b map[string]any
		_ = json.Unmarshal(githubapptest.Payload(t, base), &a)
		_ = json.Unmarshal(githubapptest.Payload(t, card), &b)
		a["workflow_run"].(map[string]any)["display_title"] = "Deploy prod by alice [1100000000000000002-1300000000000000100]"
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s differs from %s by more than its display title (-base +card):\n%s", card, base, diff)
		}
	}
	if _, err := githubapptest.ReadPayload("pull_request.opened.json"); err == nil {
		t.Error("ReadPayload takes a name with .json; want the bare name only")
	}
}

// TestDispatchDeploysTo checks that a dispatch of a workflow whose job runs in an environment
// records a deployment of the run's head in it, queued then in progress, with the job as its
// log URL, and that completing the run gives it its last status, as GitHub does.
func TestDispatchDeploysTo(t *testing.T) {
	t.Parallel()
	srv := githubapptest.NewServer(t)
	srv.SetClock(func() time.Time { return t0 })
	repo := shop()
	repo.Workflows[0].DeploysTo = func(in map[string]string) string { return in["environment"] }
	srv.AddRepository(repo)
	earlier := srv.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: sha(2), Ref: "v1", Environment: "dev", Statuses: []githubapptest.DeploymentStatus{{ID: 1, State: "success"}}})
	app, err := githubapp.New(githubapp.Options{AppID: srv.AppID, PrivateKeyPEM: srv.PrivateKeyPEM(), BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.RepoClient(t.Context(), "acme", "shop")
	if err != nil {
		t.Fatal(err)
	}
	for _, wf := range []string{"deploy.yml", "test.yml"} {
		if st, body := dispatch(t, c, wf, map[string]any{"ref": "main", "inputs": map[string]any{"environment": "dev"}}); st != http.StatusNoContent {
			t.Fatalf("dispatch of %s: %d %v", wf, st, body)
		}
	}
	runID := srv.Dispatches()[0].RunID
	deps := srv.Deployments("acme", "shop")
	if len(deps) != 2 || deps[0].Run != runID || deps[0].SHA != sha(5) || deps[0].Ref != "main" || deps[0].Environment != "dev" {
		t.Fatalf("deployments %+v, want one more, of run %d at main's tip in dev (test.yml deploys nowhere)", deps, runID)
	}
	states := func(d githubapptest.Deployment) string {
		var out []string
		for _, st := range d.Statuses {
			out = append(out, st.State)
		}
		return strings.Join(out, " ")
	}
	want := fmt.Sprintf("https://github.com/acme/shop/actions/runs/%d/job/%d", runID, runID+1)
	if got := states(deps[0]); got != "in_progress queued" || deps[0].Statuses[0].LogURL != want {
		t.Errorf("statuses %q, log URL %q; want in_progress queued, %s", got, deps[0].Statuses[0].LogURL, want)
	}
	srv.CompleteRun("acme", "shop", runID, "success")
	deps = srv.Deployments("acme", "shop")
	if got, old := states(deps[0]), states(deps[1]); got != "success in_progress queued" || deps[1].ID != earlier.ID || old != "inactive success" {
		t.Errorf("after success: %q and the earlier one %q", got, old)
	}
	if st, _ := dispatch(t, c, "deploy.yml", map[string]any{"ref": "main", "inputs": map[string]any{"environment": "prod"}}); st != http.StatusNoContent {
		t.Fatal(st)
	}
	failedRun := srv.Dispatches()[2].RunID
	srv.CompleteRun("acme", "shop", failedRun, "cancelled")
	if got := states(srv.Deployments("acme", "shop")[0]); got != "failure in_progress queued" {
		t.Errorf("after a cancelled run: %q", got)
	}
}
