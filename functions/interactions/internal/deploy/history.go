package deploy

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// What an environment's history reads from GitHub, and when an unfinished deploy counts as stuck.
const (
	// deploymentLimit is how many of an environment's newest deployments are read: one page.
	deploymentLimit = 30
	// statusReaders is how many deployments' statuses are read at once.
	statusReaders = 6
	// stuckAfter is how long a deployment may stay queued, pending or in progress without a
	// new status before /rollback treats it as stuck, as it treats a failed one. A deploy job
	// normally reports within minutes; one waiting behind the workflow's concurrency group
	// or for an environment's reviewers longer than this is better replaced than waited for,
	// and the rollback card still needs an approval.
	stuckAfter = 30 * time.Minute
)

// outcome is how a deploy ended, or that it has not.
type outcome string

// The outcomes of a deploy.
const (
	succeeded outcome = "success"
	failed    outcome = "failure"
	errored   outcome = "error"
	abandoned outcome = "inactive" // ended without success: cancelled, or made inactive before it succeeded
	running   outcome = "running"  // queued, pending or in progress, with news within stuckAfter
	stuck     outcome = "stuck"    // queued, pending or in progress, without news for stuckAfter
)

// release is one deploy of an environment: the commit it deployed and how it went.
type release struct {
	SHA     string
	Ref     string
	Outcome outcome
	State   string    // GitHub's state behind Outcome: "failure", "in_progress", "queued"...
	At      time.Time // when the deploy was created
	Updated time.Time // its newest status
	URL     string    // its run's page, or the environment's deployments page
}

// history is an environment's releases, newest first, and where they were read.
type history struct {
	Releases []release
	// FromRuns says that they come from the deploy workflow's runs (their run-name): the
	// environment has no deployments on GitHub, or the App may not read them.
	FromRuns bool
	// Limit is how many deployments (or runs) were read.
	Limit int
}

// current is the newest successful release: what the environment runs now. ok is false when
// none succeeded.
func (h history) current() (release, bool) {
	for _, r := range h.Releases {
		if r.Outcome == succeeded {
			return r, true
		}
	}
	return release{}, false
}

// rollbackTarget is what a rollback without `to` deploys, following the rules of issue 16: when
// the latest deploy failed, errored, was abandoned or is stuck, the newest successful one (its
// commit may be the latest's: redeploying it restores what ran); when the latest succeeded,
// the newest earlier successful deploy of another commit. latest is the newest release; found
// is false when there is no such deploy; inFlight says that the latest is still running, and
// then there is no target.
func (h history) rollbackTarget() (latest, target release, found, inFlight bool) {
	if len(h.Releases) == 0 {
		return release{}, release{}, false, false
	}
	latest = h.Releases[0]
	switch latest.Outcome {
	case running:
		return latest, release{}, false, true
	case succeeded:
		for _, r := range h.Releases[1:] {
			if r.Outcome == succeeded && r.SHA != latest.SHA {
				return latest, r, true, false
			}
		}
		return latest, release{}, false, false
	}
	target, found = h.current()
	return latest, target, found, false
}

// choices are the releases `to` may name: every successful one but the commit the environment
// runs now when its latest deploy succeeded, newest first, one per commit.
func (h history) choices() []release {
	var skip string
	if len(h.Releases) > 0 && h.Releases[0].Outcome == succeeded {
		skip = h.Releases[0].SHA
	}
	seen := map[string]bool{skip: true}
	var out []release
	for _, r := range h.Releases {
		if r.Outcome == succeeded && !seen[r.SHA] {
			seen[r.SHA] = true
			out = append(out, r)
		}
	}
	return out
}

// history reads the deploys of environment, newest first: GitHub's deployments of that
// environment with their statuses (the example workflow's job runs in the environment of the
// same name, so GitHub records one for every run, from Discord or not). Only where the
// environment has no deployment, or the App may not read them, it falls back to the
// successful and failed runs of the deploy workflow whose run-name names the environment
// (deployrun.RunNameTemplate).
//
// A deployment's commit is the run's head commit, the tip of the dispatched ref; a rollback
// dispatched by the suite deploys its input sha instead, which its run-name says, so a
// deployment made by such a run (its status's log URL names the run) counts as that commit.
//
// See https://docs.github.com/en/rest/deployments/deployments#list-deployments and
// https://docs.github.com/en/rest/deployments/statuses#list-deployment-statuses
func (r repo) history(ctx context.Context, environment string, now time.Time) (history, error) {
	deps, _, err := r.client.Repositories.ListDeployments(ctx, r.owner, r.name, &github.DeploymentsListOptions{
		Environment: environment, ListOptions: github.ListOptions{PerPage: deploymentLimit},
	})
	// Without deployments: read (403), or on a GitHub that does not serve them (404), the runs
	// are the record; their read explains a repository the App cannot see.
	if st, _ := githubapp.ErrorStatus(err); (st == http.StatusForbidden || st == http.StatusNotFound) && !githubapp.RateLimited(err) {
		return r.runHistory(ctx, environment, now)
	}
	if err != nil {
		return history{}, r.readError(err, task{id: "deploy.task.deployments", args: i18n.Args{"Environment": environment}})
	}
	if len(deps) == 0 {
		return r.runHistory(ctx, environment, now)
	}
	statuses := make([][]*github.DeploymentStatus, len(deps))
	errs := make([]error, len(deps))
	var wg sync.WaitGroup
	sem := make(chan struct{}, statusReaders)
	for i, d := range deps {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			statuses[i], _, errs[i] = r.client.Repositories.ListDeploymentStatuses(ctx, r.owner, r.name, d.GetID(), &github.ListOptions{PerPage: 100})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return history{}, r.readError(err, task{id: "deploy.task.deployments", args: i18n.Args{"Environment": environment}})
		}
	}
	h := history{Limit: deploymentLimit}
	var runs []int64 // the run that made each deployment, 0 for none
	for i, d := range deps {
		rel, run := r.fromDeployment(d, statuses[i], now)
		h.Releases, runs = append(h.Releases, rel), append(runs, run)
	}
	if slices.ContainsFunc(runs, func(id int64) bool { return id != 0 }) {
		rollbacks := r.rollbackRuns(ctx)
		for i, id := range runs {
			if sha, ok := rollbacks[id]; ok {
				h.Releases[i].SHA = sha
			}
		}
	}
	return h, nil
}

// runIDPattern finds the run in an Actions deployment status's log URL
// (https://github.com/OWNER/REPO/actions/runs/RUN_ID/job/JOB_ID).
var runIDPattern = regexp.MustCompile(`/actions/runs/(\d+)`)

// fromDeployment is the release of deployment d, whose statuses are newest first, and the
// Actions run whose job made it (0 when its statuses name none).
func (r repo) fromDeployment(d *github.Deployment, statuses []*github.DeploymentStatus, now time.Time) (rel release, run int64) {
	rel = release{SHA: d.GetSHA(), Ref: d.GetRef(), At: d.GetCreatedAt().Time, Updated: d.GetCreatedAt().Time, State: "pending"}
	if len(statuses) > 0 {
		rel.Updated = statuses[0].GetCreatedAt().Time
	}
	for _, st := range statuses {
		if u := cmp.Or(st.GetLogURL(), st.GetTargetURL()); rel.URL == "" && u != "" {
			rel.URL = u
			if m := runIDPattern.FindStringSubmatch(u); m != nil {
				run, _ = strconv.ParseInt(m[1], 10, 64)
			}
		}
	}
	if rel.URL == "" {
		rel.URL = r.htmlURL("deployments", d.GetEnvironment())
	}
	inactive := len(statuses) > 0 && statuses[0].GetState() == "inactive"
	for _, st := range statuses {
		if s := st.GetState(); s != "inactive" {
			rel.State = s
			break
		}
	}
	switch rel.State {
	case "success":
		rel.Outcome = succeeded
	case "failure":
		rel.Outcome = failed
	case "error":
		rel.Outcome = errored
	default: // queued, pending, in_progress, waiting
		rel.Outcome = unfinished(inactive, rel.Updated, now)
	}
	return rel, run
}

// unfinished is the outcome of a deploy that never reported an end: abandoned once inactive,
// else running or stuck by the time of its newest news.
func unfinished(inactive bool, updated, now time.Time) outcome {
	switch {
	case inactive:
		return abandoned
	case now.Sub(updated) > stuckAfter:
		return stuck
	}
	return running
}

// rollbackRuns are the commits that the deploy workflow's newest runs deployed in place of
// their head commit (rollbacks: "@sha" in the run-name), by run id. It is a correction only:
// when the runs cannot be read, deployments keep their own commit.
func (r repo) rollbackRuns(ctx context.Context) map[int64]string {
	runs, _, err := r.client.Actions.ListWorkflowRunsByFileName(ctx, r.owner, r.name, r.workflow, &github.ListWorkflowRunsOptions{
		ListOptions: github.ListOptions{PerPage: 100},
	})
	out := map[int64]string{}
	if err != nil {
		return out
	}
	for _, run := range runs.WorkflowRuns {
		if t, ok := deployrun.ParseTitle(run.GetDisplayTitle()); ok && t.SHA != "" {
			out[run.GetID()] = t.SHA
		}
	}
	return out
}

// runHistory is the history of environment from the deploy workflow's newest runs whose
// run-name names it: the record of a repository without deployments.
//
// See https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow
func (r repo) runHistory(ctx context.Context, environment string, now time.Time) (history, error) {
	runs, _, err := r.client.Actions.ListWorkflowRunsByFileName(ctx, r.owner, r.name, r.workflow, &github.ListWorkflowRunsOptions{
		ListOptions: github.ListOptions{PerPage: r.successfulLimit},
	})
	if err != nil {
		return history{}, r.workflowError(err)
	}
	h := history{FromRuns: true, Limit: r.successfulLimit}
	for _, run := range runs.WorkflowRuns {
		t, ok := deployrun.ParseTitle(run.GetDisplayTitle())
		sha := t.DeployedSHA(run.GetHeadSHA())
		if !ok || t.Environment != environment || sha == "" {
			continue
		}
		rel := release{SHA: sha, Ref: run.GetHeadBranch(), At: run.GetCreatedAt().Time, Updated: run.GetUpdatedAt().Time,
			URL: run.GetHTMLURL(), State: cmp.Or(run.GetConclusion(), run.GetStatus())}
		if rel.Updated.IsZero() {
			rel.Updated = rel.At
		}
		switch {
		case run.GetStatus() != "completed":
			rel.Outcome = unfinished(false, rel.Updated, now)
		case run.GetConclusion() == "success":
			rel.Outcome = succeeded
		case run.GetConclusion() == "failure", run.GetConclusion() == "timed_out", run.GetConclusion() == "startup_failure":
			rel.Outcome = failed
		default: // cancelled, skipped, stale, neutral
			rel.Outcome = abandoned
		}
		h.Releases = append(h.Releases, rel)
	}
	return h, nil
}

// htmlURL is a page of the repository on GitHub's web site, from the API's base URL
// (https://api.github.com/ on github.com, https://HOST/api/v3/ on GitHub Enterprise Server).
func (r repo) htmlURL(elem ...string) string {
	u := *r.client.BaseURL
	if u.Host == "api.github.com" {
		u.Host = "github.com"
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v3") + "/" + path.Join(append([]string{r.owner, r.name}, elem...)...)
	u.RawPath = ""
	return u.String()
}

// readHistory reads the history of environment and keeps its choices for /rollback's `to`
// (rememberChoices): every card that reads it refreshes what autocomplete offers.
func (s *Service) readHistory(ctx context.Context, repo repo, environment string) (history, error) {
	h, err := repo.history(ctx, environment, s.Now())
	if err == nil {
		s.rememberChoices(ctx, environment, h)
	}
	return h, err
}

// firstDeploy is the card's changes when environment has no successful deploy yet.
func (s *Service) firstDeploy(p *i18n.Printer, h history, environment string) string {
	if h.FromRuns {
		return p.T("deploy.changes.first", i18n.Args{"Environment": discord.Quote(environment), "Workflow": discord.Quote(s.Workflow), "Limit": h.Limit})
	}
	return p.T("deploy.changes.firstdeployment", i18n.Args{"Environment": discord.Quote(environment), "Limit": h.Limit})
}

// rollbackCard names the commit a rollback deploys: the release `to` names, when given, else
// the one history.rollbackTarget chooses.
func (s *Service) rollbackCard(ctx context.Context, repo repo, r *Proposal, h history, to string) (discord.Message, error) {
	p := repo.t.Printer
	env := discord.Quote(r.Environment)
	latest, target, found, inFlight := h.rollbackTarget()
	if inFlight {
		return discord.Message{}, userError(nil, p, "deploy.rollback.inflight", i18n.Args{"Environment": env, "SHA": discord.Quote(short(latest.SHA)),
			"State": discord.Quote(latest.State), "At": fmt.Sprintf("<t:%d:R>", latest.Updated.Unix()), "URL": latest.URL, "Minutes": int(stuckAfter.Minutes())})
	}
	if to != "" {
		var err error
		if target, err = repo.chosen(ctx, h, r.Environment, to); err != nil {
			return discord.Message{}, err
		}
		found = true
	}
	if !found {
		id, args := "deploy.rollback.none", i18n.Args{"Environment": env, "Limit": h.Limit, "Workflow": discord.Quote(s.Workflow), "SHA": discord.Quote(short(latest.SHA))}
		switch {
		case latest.Outcome == succeeded && h.FromRuns:
			id = "deploy.rollback.noearlier"
		case latest.Outcome == succeeded:
			id = "deploy.rollback.noearlierdeployment"
		case !h.FromRuns:
			id = "deploy.rollback.nonedeployment"
		}
		return discord.Message{}, userError(nil, p, id, args)
	}
	r.SHA = target.SHA
	r.CommitURL = repo.commitURL(r.SHA)
	at := fmt.Sprintf("<t:%d:f>", target.At.Unix())
	changes := p.T("deploy.changes.rollback", i18n.Args{"Environment": r.Environment, "Current": discord.Quote(short(latest.SHA)),
		"CurrentURL": latest.URL, "SHA": discord.Quote(short(r.SHA)), "At": at, "URL": target.URL})
	if latest.Outcome != succeeded {
		changes = p.T("deploy.changes.rollbackafter", i18n.Args{"Environment": r.Environment, "Latest": discord.Quote(short(latest.SHA)),
			"LatestURL": latest.URL, "Outcome": p.T("deploy.outcome."+string(latest.Outcome), i18n.Args{"Minutes": int(stuckAfter.Minutes())}),
			"SHA": discord.Quote(short(r.SHA)), "At": at, "URL": target.URL})
	}
	// What a rollback takes out is what ran successfully after its commit.
	if current, ok := h.current(); ok && current.SHA != r.SHA {
		if c, err := repo.compare(ctx, r.SHA, current.SHA); err == nil && c.AheadBy > 0 {
			changes += "\n" + p.T("deploy.changes.takesout", i18n.Args{"Count": p.Count(c.AheadBy)}) + "\n" +
				changesText(p, r.Environment, r.SHA, Comparison{Status: "ahead", AheadBy: c.AheadBy, Commits: c.Commits})
		}
	}
	return NewCard(p, *r, changes), nil
}

// chosen is the successful release of environment that `to` names: a commit (7 to 40 hex
// digits, the start of a deployed commit) or a tag or branch, resolved on GitHub to the
// commit it points at. It refuses a commit that never deployed successfully there, and the
// one the environment runs now.
func (r repo) chosen(ctx context.Context, h history, environment, to string) (release, error) {
	p := r.t.Printer
	args := i18n.Args{"To": discord.Quote(to), "Environment": discord.Quote(environment), "Limit": h.Limit}
	if len(to) > 255 || !refPattern.MatchString(to) || strings.Contains(to, "..") {
		return release{}, userError(nil, p, "deploy.rollback.to.invalid", args)
	}
	match := func(sha string) (release, bool) {
		for _, rel := range h.Releases {
			if rel.Outcome == succeeded && strings.HasPrefix(rel.SHA, sha) {
				return rel, true
			}
		}
		return release{}, false
	}
	rel, ok := release{}, false
	if len(to) >= 7 && len(to) <= 40 && shaPattern.MatchString(to) {
		rel, ok = match(to)
	}
	if !ok {
		sha, err := r.head(ctx, to)
		if err != nil {
			return release{}, err
		}
		if rel, ok = match(sha); !ok {
			args["SHA"] = discord.Quote(short(sha))
			return release{}, userError(nil, p, "deploy.rollback.to.never", args)
		}
	}
	if latest := h.Releases[0]; latest.Outcome == succeeded && latest.SHA == rel.SHA {
		args["SHA"] = discord.Quote(short(rel.SHA))
		return release{}, userError(nil, p, "deploy.rollback.to.current", args)
	}
	return rel, nil
}
