// Package assign is /assign: it assigns a GitHub issue or pull request to a login through the
// GitHub App, and says so when GitHub quietly dropped the login.
//
// GitHub ignores assignees who cannot be assigned (no access to the repository) and still
// answers 201, so the answer's assignees are compared with the login asked for:
// https://docs.github.com/en/rest/issues/assignees#add-assignees-to-an-issue
package assign

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/interactions/internal/appclient"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
)

// RepoClients gives a GitHub client acting as the App's installation on a repository;
// *githubapp.App and *appclient.Lazy satisfy it.
type RepoClients interface {
	RepoClient(ctx context.Context, owner, repo string) (*github.Client, error)
}

// Service assigns. Anyone in the server may: assigning is low risk and shows on GitHub, and
// the audit log names who asked.
type Service struct {
	GitHub     RepoClients
	Repository string // the default owner/repo (GITHUB_REPOSITORY)
	Audit      *audit.Recorder
}

// Name rules, checked by character class and length; counted repetitions in a regexp
// (`{1,100}`) compile into that many copies and cost milliseconds at every cold start.
var (
	loginPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)
	ownerPattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	namePattern  = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// validLogin says whether s can be a GitHub login: up to 39 letters, digits and hyphens.
func validLogin(s string) bool { return len(s) <= 39 && loginPattern.MatchString(s) }

// ValidRepository says whether s is owner/repo as GitHub allows the names: an owner of up to
// 39 letters, digits and hyphens, a name of up to 100 letters, digits, '.', '_' and '-'.
func ValidRepository(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	return ok && len(owner) <= 39 && ownerPattern.MatchString(owner) &&
		len(name) <= 100 && namePattern.MatchString(name)
}

// Command is def, the /assign definition, answered by s; s may be nil where only the
// definition is used.
func Command(s *Service, def command.Command) command.Command {
	def.Quick = func(ctx context.Context, req command.Request) command.Reply {
		if _, _, _, msg := s.parse(req); msg != "" {
			n, _ := req.Interaction.Command.Int("number")
			s.record(ctx, req, fmt.Sprintf("%s#%d -> %s", req.Option("repo"), n, req.Option("assignee")), "refused", "invalid options")
			return command.Ephemeral(msg)
		}
		return command.Defer(false)
	}
	def.Work = s.work
	return def
}

// parse reads the options: the number, the login without a leading @, and the repository.
func (s *Service) parse(req command.Request) (repo string, number int, login, problem string) {
	n, _ := req.Interaction.Command.Int("number")
	login = strings.TrimPrefix(strings.TrimSpace(req.Option("assignee")), "@")
	repo = strings.TrimSpace(req.Option("repo"))
	if repo == "" {
		repo = s.Repository
	}
	switch {
	case n < 1:
		return "", 0, "", "Give the number of the issue or pull request, 1 or more."
	case !validLogin(login):
		return "", 0, "", discord.Code(discord.Truncate(login, 50)) + " is not a GitHub login (letters, digits and single hyphens, up to 39)."
	case !ValidRepository(repo):
		return "", 0, "", discord.Code(discord.Truncate(repo, 150)) + " is not a repository: write it as owner/repo."
	}
	return repo, int(n), login, ""
}

func (s *Service) work(ctx context.Context, req command.Request) (discord.Message, error) {
	repo, number, login, problem := s.parse(req)
	if problem != "" {
		return discord.Message{}, command.Errorf(nil, "%s", problem)
	}
	target := fmt.Sprintf("%s#%d -> %s", repo, number, login)
	msg, outcome, err := s.assign(ctx, repo, number, login)
	detail := ""
	if err != nil {
		outcome, detail = "failed", err.Error()
	}
	s.record(ctx, req, target, outcome, detail)
	return msg, err
}

// record writes the audit entry of an /assign.
func (s *Service) record(ctx context.Context, req command.Request, target, outcome, detail string) {
	s.Audit.Record(ctx, audit.Entry{Action: "assign", Target: target, Outcome: outcome, Detail: detail}.By(req.Interaction, req.RequestID))
}

func (s *Service) assign(ctx context.Context, repo string, number int, login string) (discord.Message, string, error) {
	owner, name, _ := strings.Cut(repo, "/")
	c, err := s.GitHub.RepoClient(ctx, owner, name)
	if err != nil {
		return discord.Message{}, "", appclient.Explain(err, repo)
	}
	issue, _, err := c.Issues.AddAssignees(ctx, owner, name, number, []string{login})
	if err != nil {
		return discord.Message{}, "", assignError(err, repo, number)
	}
	link := fmt.Sprintf("[%s#%d](%s)", repo, number, issue.GetHTMLURL())
	if issue.GetHTMLURL() == "" {
		link = fmt.Sprintf("%s#%d", repo, number)
	}
	for _, a := range issue.Assignees {
		if strings.EqualFold(a.GetLogin(), login) {
			return discord.Message{Content: fmt.Sprintf("✅ Assigned **%s** to %s.", login, link), AllowedMentions: discord.NoMentions()}, "assigned", nil
		}
	}
	return discord.Message{Content: fmt.Sprintf("⚠️ GitHub did not assign **%s** to %s: they may not have access to %s, or the login may be misspelt. GitHub drops such assignees without an error.",
		login, link, repo), AllowedMentions: discord.NoMentions()}, "dropped", nil
}

// assignError is what to fix when GitHub refuses the assignment.
func assignError(err error, repo string, number int) error {
	st, msg := githubapp.ErrorStatus(err)
	switch {
	case st == http.StatusNotFound:
		return command.Errorf(err, "There is no issue or pull request #%d in %s (or the GitHub App cannot see it).", number, repo)
	case st == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		return command.Errorf(err, "The GitHub App may not assign in %s: give it the Issues: write and Pull requests: write permissions and accept the change on the installation.", repo)
	case st == http.StatusGone:
		return command.Errorf(err, "Issues are turned off in %s.", repo)
	case st >= 400 && st < 500:
		return command.Errorf(err, "GitHub refused the assignment (%d: %s).", st, msg)
	}
	return fmt.Errorf("assign %s#%d: %w", repo, number, err)
}
