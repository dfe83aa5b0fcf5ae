package deploy

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// userError is a failure whose message, in p's language, tells the user what to fix.
func userError(err error, p *i18n.Printer, id string, args i18n.Args) error {
	return &command.Error{Message: p.T(id, args), Err: err}
}

// task is what a call to GitHub was for, as the messages name it ("read the repository"): a
// message id and its fields.
type task struct {
	id   string
	args i18n.Args
}

// in is the task in p's language.
func (t task) in(p *i18n.Printer) string { return p.T(t.id, t.args) }

// logged is the task in English, for an internal error's log line.
func (r repo) logged(t task) string { return t.in(r.t.Catalog.Printer(i18n.English)) }

// common is the message for what any call may meet: a rate limit, or the installation's
// token refused (the App uninstalled or suspended since its installation was looked up).
func (r repo) common(err error, t task) error {
	st, _ := githubapp.ErrorStatus(err)
	p := r.t.Printer
	switch {
	case githubapp.RateLimited(err):
		return userError(err, p, "deploy.github.ratelimited", i18n.Args{"Task": t.in(p)})
	case st == http.StatusUnauthorized:
		return userError(err, p, "deploy.github.unauthorized", i18n.Args{"Repo": r.fullName})
	}
	return nil
}

// readError is a failed read of the repository: a permission to grant or an internal error.
func (r repo) readError(err error, t task) error {
	if e := r.common(err, t); e != nil {
		return e
	}
	st, msg := githubapp.ErrorStatus(err)
	args := i18n.Args{"Task": t.in(r.t.Printer), "Repo": r.fullName}
	switch {
	case st == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		return userError(err, r.t.Printer, "deploy.github.nocontents", args)
	case st == http.StatusNotFound:
		return userError(err, r.t.Printer, "deploy.github.notfound", args)
	}
	return fmt.Errorf("%s in %s: %w", r.logged(t), r.fullName, err)
}

// workflowError is a failed read of the deploy workflow's runs.
func (r repo) workflowError(err error) error {
	t := task{id: "deploy.task.listruns", args: i18n.Args{"Workflow": r.workflow}}
	if e := r.common(err, t); e != nil {
		return e
	}
	st, msg := githubapp.ErrorStatus(err)
	args := i18n.Args{"Workflow": discord.Quote(r.workflow), "Repo": r.fullName}
	switch {
	case st == http.StatusNotFound:
		return userError(err, r.t.Printer, "deploy.github.noworkflow", args)
	case st == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		return userError(err, r.t.Printer, "deploy.github.noactionsread", args)
	}
	return fmt.Errorf("list the runs of workflow %s: %w", r.workflow, err)
}

// dispatchError turns GitHub's refusal of a dispatch into what to fix in the repository, the
// workflow or the App. GitHub's messages checked: "Workflow does not have 'workflow_dispatch'
// trigger", "Unexpected inputs provided: [...]", "No ref found for: x", "Required input 'x'
// not provided", "Resource not accessible by integration".
func (r repo) dispatchError(err error, ref string) error {
	wf := discord.Quote(r.workflow)
	if e := r.common(err, task{id: "deploy.task.start", args: i18n.Args{"Workflow": wf}}); e != nil {
		return e
	}
	st, msg := githubapp.ErrorStatus(err)
	p := r.t.Printer
	args := i18n.Args{"Workflow": wf, "Repo": r.fullName, "Ref": discord.Quote(ref), "Message": discord.Quote(msg), "Status": st}
	switch {
	case st == http.StatusNotFound:
		return userError(err, p, "deploy.github.noworkflow", args)
	case st == http.StatusUnprocessableEntity && strings.Contains(msg, "workflow_dispatch"):
		return userError(err, p, "deploy.github.notrigger", args)
	case st == http.StatusUnprocessableEntity && strings.Contains(msg, "Unexpected inputs"):
		return userError(err, p, "deploy.github.unexpectedinputs", args)
	case st == http.StatusUnprocessableEntity && strings.Contains(msg, "No ref found"):
		return userError(err, p, "deploy.github.noref", args)
	case st == http.StatusUnprocessableEntity && strings.Contains(msg, "Required input"):
		return userError(err, p, "deploy.github.requiredinput", args)
	case st == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		return userError(err, p, "deploy.github.noactionswrite", args)
	case st >= 400 && st < 500:
		return userError(err, p, "deploy.github.refused", args)
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
