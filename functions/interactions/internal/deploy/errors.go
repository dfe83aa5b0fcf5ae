package deploy

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
)

// userErrorf is a failure whose message tells the user what to fix.
func userErrorf(err error, format string, args ...any) error {
	return command.Errorf(err, format, args...)
}

// common is the message for what any call may meet: a rate limit, or the installation's
// token refused (the App uninstalled or suspended since its installation was looked up).
func (r repo) common(err error, what string) error {
	st, _ := githubapp.ErrorStatus(err)
	switch {
	case githubapp.RateLimited(err):
		return userErrorf(err, "GitHub is rate-limiting the App, so I couldn't %s. Try again in a few minutes.", what)
	case st == http.StatusUnauthorized:
		return userErrorf(err, "GitHub refused the App's token for %s: the App may have been uninstalled or suspended there. Check its installation, then try again.", r.fullName)
	}
	return nil
}

// readError is a failed read of the repository: a permission to grant or an internal error.
func (r repo) readError(err error, what string) error {
	if e := r.common(err, what); e != nil {
		return e
	}
	st, msg := githubapp.ErrorStatus(err)
	switch {
	case st == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		return userErrorf(err, "The GitHub App may not %s in %s: give it the Contents: read permission and accept the change on the installation.", what, r.fullName)
	case st == http.StatusNotFound:
		return userErrorf(err, "GitHub answered 404 when I tried to %s in %s: the repository is gone or the App cannot see it.", what, r.fullName)
	}
	return fmt.Errorf("%s in %s: %w", what, r.fullName, err)
}

// workflowError is a failed read of the deploy workflow's runs.
func (r repo) workflowError(err error, what string) error {
	if e := r.common(err, what+" "+r.workflow); e != nil {
		return e
	}
	st, msg := githubapp.ErrorStatus(err)
	switch {
	case st == http.StatusNotFound:
		return userErrorf(err, "DEPLOY_WORKFLOW %s not found in %s. Check the file name under .github/workflows on the default branch (the stack's deployWorkflow context).", discord.Quote(r.workflow), r.fullName)
	case st == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		return userErrorf(err, "The GitHub App may not read Actions in %s: give it the Actions: write permission and accept the change on the installation.", r.fullName)
	}
	return fmt.Errorf("%s workflow %s: %w", what, r.workflow, err)
}

// dispatchError turns GitHub's refusal of a dispatch into what to fix in the repository, the
// workflow or the App. GitHub's messages checked: "Workflow does not have 'workflow_dispatch'
// trigger", "Unexpected inputs provided: [...]", "No ref found for: x", "Required input 'x'
// not provided", "Resource not accessible by integration".
func (r repo) dispatchError(err error, ref string) error {
	wf := discord.Quote(r.workflow)
	if e := r.common(err, "start "+wf); e != nil {
		return e
	}
	st, msg := githubapp.ErrorStatus(err)
	switch {
	case st == http.StatusNotFound:
		return userErrorf(err, "DEPLOY_WORKFLOW %s not found in %s. Check the file name under .github/workflows on the default branch (the stack's deployWorkflow context).", wf, r.fullName)
	case st == http.StatusUnprocessableEntity && strings.Contains(msg, "workflow_dispatch"):
		return userErrorf(err, "%s has no `workflow_dispatch` trigger on %s. Add `on: workflow_dispatch` with the inputs environment, sha, requested_by and correlation_id (see examples/deploy.yml) and push it to that branch.", wf, discord.Quote(ref))
	case st == http.StatusUnprocessableEntity && strings.Contains(msg, "Unexpected inputs"):
		return userErrorf(err, "%s does not declare every input I send (GitHub: %s). Declare environment, sha, requested_by and correlation_id under `on.workflow_dispatch.inputs` (see examples/deploy.yml).", wf, discord.Quote(msg))
	case st == http.StatusUnprocessableEntity && strings.Contains(msg, "No ref found"):
		return userErrorf(err, "There is no branch or tag %s in %s. Check the name, or push it first.", discord.Quote(ref), r.fullName)
	case st == http.StatusUnprocessableEntity && strings.Contains(msg, "Required input"):
		return userErrorf(err, "%s requires an input I don't send (GitHub: %s). Give it a default or make it optional: I send environment, sha, requested_by and correlation_id.", wf, discord.Quote(msg))
	case st == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		return userErrorf(err, "The GitHub App may not start workflows in %s. Give it the Actions: write permission and accept the change on the installation.", r.fullName)
	case st >= 400 && st < 500:
		return userErrorf(err, "GitHub refused to start %s (%d: %s).", wf, st, discord.Quote(msg))
	}
	return fmt.Errorf("dispatch %s on %s: %w", r.workflow, ref, err)
}

// short is a commit's short form.
func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
