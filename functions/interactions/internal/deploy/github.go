package deploy

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// RepoClients gives a GitHub client acting as the App's installation on a repository;
// *githubapp.App satisfies it.
type RepoClients interface {
	RepoClient(ctx context.Context, owner, repo string) (*github.Client, error)
}

// repo is the repository deployed and its deploy workflow, with the client that calls them.
type repo struct {
	client          *github.Client
	t               approval.Texts // the channel's: what GitHub refused shows on the card or in its place
	owner, name     string
	workflow        string // DEPLOY_WORKFLOW, a file name under .github/workflows
	fullName        string // owner/name, for messages
	webURL          string // the repository's page: https://github.com/owner/name, or on GitHub Enterprise Server
	successfulLimit int    // how many runs are searched for an environment's deploys when it has no deployments
}

// commitURL is sha's page on GitHub.
func (r repo) commitURL(sha string) string {
	if r.webURL == "" || sha == "" {
		return ""
	}
	return r.webURL + "/commit/" + sha
}

// webURL is the page of repository owner/name on the GitHub whose REST API is at api: the
// server itself for GitHub Enterprise Server (its API is at https://HOST/api/v3/), github.com
// for api.github.com and for any other API (a stand-in, whose pages are github.com's).
func webURL(api *url.URL, owner, name string) string {
	host := "github.com"
	if api != nil && api.Host != "api.github.com" && strings.HasPrefix(api.Path, "/api/v3") {
		host = api.Host
	}
	return "https://" + host + "/" + owner + "/" + name
}

// defaultBranch is the repository's default branch, the ref deployed when none is given.
//
// See https://docs.github.com/en/rest/repos/repos#get-a-repository
func (r repo) defaultBranch(ctx context.Context) (string, error) {
	rp, _, err := r.client.Repositories.Get(ctx, r.owner, r.name)
	if err != nil {
		return "", r.readError(err, task{id: "deploy.task.readrepo"})
	}
	if rp.GetDefaultBranch() == "" {
		return "", fmt.Errorf("repository %s has no default branch", r.fullName)
	}
	return rp.GetDefaultBranch(), nil
}

// head is the commit ref points at; an unknown ref is a user error.
//
// See https://docs.github.com/en/rest/commits/commits#get-a-commit
func (r repo) head(ctx context.Context, ref string) (string, error) {
	sha, resp, err := r.client.Repositories.GetCommitSHA1(ctx, r.owner, r.name, ref, "")
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusUnprocessableEntity) {
			return "", userError(err, r.t.Printer, "deploy.github.norefhead", i18n.Args{"Ref": discord.Quote(ref), "Repo": r.fullName})
		}
		return "", r.readError(err, task{id: "deploy.task.read", args: i18n.Args{"Ref": ref}})
	}
	return sha, nil
}

// runFor finds the run of the card with correlation id among the deploy workflow's runs
// created since since; nil when there is none (yet).
func (r repo) runFor(ctx context.Context, correlationID string, since time.Time) (*github.WorkflowRun, error) {
	runs, _, err := r.client.Actions.ListWorkflowRunsByFileName(ctx, r.owner, r.name, r.workflow, &github.ListWorkflowRunsOptions{
		Event: "workflow_dispatch", Created: ">=" + since.UTC().Format(time.RFC3339), ListOptions: github.ListOptions{PerPage: 100},
	})
	if err != nil {
		return nil, r.workflowError(err)
	}
	for _, run := range runs.WorkflowRuns {
		if t, ok := deployrun.ParseTitle(run.GetDisplayTitle()); ok && t.CorrelationID == correlationID {
			return run, nil
		}
	}
	return nil, nil
}

// Comparison is what a deploy would change: the commits between what runs now and what
// would run.
type Comparison struct {
	Status   string // "ahead", "behind", "diverged", "identical"
	AheadBy  int
	BehindBy int
	Commits  []Commit // newest first, at most maxCommits
}

// Commit is one commit of a Comparison.
type Commit struct {
	SHA, Subject, Author string
}

// maxCommits is how many commits a card lists.
const maxCommits = 10

// compare lists the commits from base to head.
//
// See https://docs.github.com/en/rest/commits/commits#compare-two-commits
func (r repo) compare(ctx context.Context, base, head string) (Comparison, error) {
	cmp, _, err := r.client.Repositories.CompareCommits(ctx, r.owner, r.name, base, head, &github.ListOptions{PerPage: 100})
	if err != nil {
		return Comparison{}, r.readError(err, task{id: "deploy.task.compare", args: i18n.Args{"Base": short(base), "Head": short(head)}})
	}
	c := Comparison{Status: cmp.GetStatus(), AheadBy: cmp.GetAheadBy(), BehindBy: cmp.GetBehindBy()}
	for i := len(cmp.Commits) - 1; i >= 0 && len(c.Commits) < maxCommits; i-- {
		rc := cmp.Commits[i]
		subject, _, _ := strings.Cut(rc.GetCommit().GetMessage(), "\n")
		author := rc.GetAuthor().GetLogin()
		if author == "" {
			author = rc.GetCommit().GetAuthor().GetName()
		}
		c.Commits = append(c.Commits, Commit{SHA: rc.GetSHA(), Subject: subject, Author: author})
	}
	return c, nil
}

// RunDetails is what GitHub says about the run a dispatch created; zero when it answered 204.
type RunDetails struct {
	ID      int64  `json:"workflow_run_id"`
	URL     string `json:"run_url"`
	HTMLURL string `json:"html_url"`
}

// dispatchBody is the body of a workflow dispatch. go-github v66 has no return_run_details,
// so the request is built by hand.
type dispatchBody struct {
	Ref              string            `json:"ref"`
	Inputs           map[string]string `json:"inputs"`
	ReturnRunDetails bool              `json:"return_run_details,omitempty"`
}

// dispatch starts the deploy workflow on ref with inputs, asking for the run's details. GitHub
// Enterprise Server 3.20 and older refuse that field ("\"return_run_details\" is not a
// permitted key."): then it asks once more without it, and the details stay zero.
//
// See https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event and
// https://github.blog/changelog/2026-02-19-workflow-dispatch-api-now-returns-run-ids/
func (r repo) dispatch(ctx context.Context, ref string, inputs map[string]string) (RunDetails, error) {
	path := fmt.Sprintf("repos/%s/%s/actions/workflows/%s/dispatches", url.PathEscape(r.owner), url.PathEscape(r.name), url.PathEscape(r.workflow))
	send := func(details bool) (RunDetails, error) {
		req, err := r.client.NewRequest(http.MethodPost, path, dispatchBody{Ref: ref, Inputs: inputs, ReturnRunDetails: details})
		if err != nil {
			return RunDetails{}, fmt.Errorf("build dispatch request: %w", err)
		}
		var out RunDetails
		if _, err := r.client.Do(ctx, req, &out); err != nil {
			return RunDetails{}, err
		}
		return out, nil
	}
	out, err := send(true)
	if st, msg := githubapp.ErrorStatus(err); (st == http.StatusBadRequest || st == http.StatusUnprocessableEntity) && strings.Contains(msg, "return_run_details") {
		out, err = send(false)
	}
	if err != nil {
		return RunDetails{}, r.dispatchError(err, ref)
	}
	return out, nil
}
