// Package assign is /assign: it assigns a GitHub issue or pull request to a login through the
// GitHub App, and says so when GitHub quietly dropped the login. The assignee is a login or a
// Discord member who linked their GitHub account (/link, shared/people), read in the worker.
//
// GitHub ignores assignees who cannot be assigned (no access to the repository) and still
// answers 201, so the answer's assignees are compared with the login asked for:
// https://docs.github.com/en/rest/issues/assignees#add-assignees-to-an-issue
package assign

import (
	"cmp"
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
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/people"
)

// RepoClients gives a GitHub client acting as the App's installation on a repository;
// *githubapp.App and *appclient.Lazy satisfy it.
type RepoClients interface {
	RepoClient(ctx context.Context, owner, repo string) (*github.Client, error)
}

// Links finds the GitHub login a member linked; people.Store satisfies it.
type Links interface {
	ByMember(ctx context.Context, discordID string) (l people.Link, ok bool, err error)
}

// Service assigns. Anyone in the server may: assigning is low risk and shows on GitHub, and
// the audit log names who asked.
type Service struct {
	GitHub     RepoClients
	Repository string // the default owner/repo (GITHUB_REPOSITORY)
	// Links resolves the member option; nil when the function has no table.
	Links Links
	Audit *audit.Recorder
}

// Name rules, checked by character class and length; counted repetitions in a regexp
// (`{1,100}`) compile into that many copies and cost milliseconds at every cold start.
var (
	loginPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)
	ownerPattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	namePattern  = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// ValidLogin says whether s can be a GitHub login: up to 39 letters, digits and hyphens.
func ValidLogin(s string) bool { return len(s) <= 39 && loginPattern.MatchString(s) }

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
		// A nil Printer reads no catalog: a request that is deferred does not load it.
		if _, _, _, msg := s.parse(nil, req); msg != "" {
			n, _ := req.Interaction.Command.Int("number")
			s.record(ctx, req, fmt.Sprintf("%s#%d -> %s", req.Option("repo"), n, cmp.Or(req.Option("assignee"), req.Option("member"))), "refused", "invalid options")
			_, _, _, msg = s.parse(req.Member(), req)
			return command.Ephemeral(msg)
		}
		return command.Defer(false)
	}
	def.Work = s.work
	return def
}

// parse reads the options: the number, the login without a leading @ (or "" when the member
// option names the assignee), and the repository. The problem with them is in p's language.
func (s *Service) parse(p *i18n.Printer, req command.Request) (repo string, number int, login, problem string) {
	n, _ := req.Interaction.Command.Int("number")
	login = strings.TrimPrefix(strings.TrimSpace(req.Option("assignee")), "@")
	member := strings.TrimSpace(req.Option("member"))
	repo = strings.TrimSpace(req.Option("repo"))
	if repo == "" {
		repo = s.Repository
	}
	switch {
	case n < 1:
		return "", 0, "", p.T("assign.option.number")
	case (login == "") == (member == ""):
		return "", 0, "", p.T("assign.option.one")
	case member != "" && !ValidRepository(repo):
		return "", 0, "", p.T("assign.option.repo", i18n.Args{"Repo": discord.Code(discord.Truncate(repo, 150))})
	case member != "":
		return repo, int(n), "", ""
	case !ValidLogin(login):
		return "", 0, "", p.T("assign.option.login", i18n.Args{"Login": discord.Code(discord.Truncate(login, 50))})
	case !ValidRepository(repo):
		return "", 0, "", p.T("assign.option.repo", i18n.Args{"Repo": discord.Code(discord.Truncate(repo, 150))})
	}
	return repo, int(n), login, ""
}

// work assigns, and says so in the channel's language: everyone in the channel sees the answer.
func (s *Service) work(ctx context.Context, req command.Request) (discord.Message, error) {
	p := req.Channel()
	repo, number, login, problem := s.parse(p, req)
	if problem != "" {
		return discord.Message{}, &command.Error{Message: problem}
	}
	if login == "" {
		var err error
		if login, err = s.linked(ctx, p, req.Option("member")); err != nil {
			return discord.Message{}, err
		}
	}
	target := fmt.Sprintf("%s#%d -> %s", repo, number, login)
	msg, outcome, err := s.assign(ctx, p, repo, number, login)
	detail := ""
	if err != nil {
		outcome, detail = "failed", err.Error()
	}
	s.record(ctx, req, target, outcome, detail)
	return msg, err
}

// linked is the GitHub login the member discordID linked, or the *command.Error saying they
// have none, in p's language.
func (s *Service) linked(ctx context.Context, p *i18n.Printer, discordID string) (string, error) {
	if s.Links == nil {
		return "", &command.Error{Message: p.T("assign.member.unavailable")}
	}
	l, ok, err := s.Links.ByMember(ctx, discordID)
	switch {
	case err != nil:
		return "", &command.Error{Message: p.T("assign.member.unavailable"), Err: err}
	case !ok:
		return "", &command.Error{Message: p.T("assign.member.unlinked", i18n.Args{"Member": discord.Mention(discordID)})}
	}
	return l.Login, nil
}

// record writes the audit entry of an /assign.
func (s *Service) record(ctx context.Context, req command.Request, target, outcome, detail string) {
	s.Audit.Record(ctx, audit.Entry{Action: "assign", Target: target, Outcome: outcome, Detail: detail}.By(req.Interaction, req.RequestID))
}

func (s *Service) assign(ctx context.Context, p *i18n.Printer, repo string, number int, login string) (discord.Message, string, error) {
	owner, name, _ := strings.Cut(repo, "/")
	c, err := s.GitHub.RepoClient(ctx, owner, name)
	if err != nil {
		return discord.Message{}, "", appclient.Explain(err, repo)
	}
	issue, _, err := c.Issues.AddAssignees(ctx, owner, name, number, []string{login})
	if err != nil {
		return discord.Message{}, "", assignError(p, err, repo, number)
	}
	link := fmt.Sprintf("[%s#%d](%s)", repo, number, issue.GetHTMLURL())
	if issue.GetHTMLURL() == "" {
		link = fmt.Sprintf("%s#%d", repo, number)
	}
	args := i18n.Args{"Login": login, "Link": link, "Repo": repo}
	for _, a := range issue.Assignees {
		if strings.EqualFold(a.GetLogin(), login) {
			return discord.Message{Content: p.T("assign.assigned", args), AllowedMentions: discord.NoMentions()}, "assigned", nil
		}
	}
	return discord.Message{Content: p.T("assign.dropped", args), AllowedMentions: discord.NoMentions()}, "dropped", nil
}

// assignError is what to fix when GitHub refuses the assignment, in p's language.
func assignError(p *i18n.Printer, err error, repo string, number int) error {
	st, msg := githubapp.ErrorStatus(err)
	args := i18n.Args{"Number": number, "Repo": repo, "Status": st, "Message": msg}
	refuse := func(id string) error { return &command.Error{Message: p.T(id, args), Err: err} }
	switch {
	case st == http.StatusNotFound:
		return refuse("assign.error.notfound")
	case st == http.StatusForbidden && strings.Contains(msg, "not accessible by integration"):
		return refuse("assign.error.permission")
	case st == http.StatusGone:
		return refuse("assign.error.noissues")
	case st >= 400 && st < 500:
		return refuse("assign.error.refused")
	}
	return fmt.Errorf("assign %s#%d: %w", repo, number, err)
}
