// Package catalog is the suite's command table: every slash command the interactions function
// registers, routes and lists in /help, in one place. Adding a command is one entry here plus
// its package under internal/.
package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/assign"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/functions/interactions/internal/cost"
	"github.com/discord-chatops/chatops/functions/interactions/internal/deploy"
	"github.com/discord-chatops/chatops/functions/interactions/internal/help"
	"github.com/discord-chatops/chatops/functions/interactions/internal/history"
	"github.com/discord-chatops/chatops/functions/interactions/internal/link"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status"
	"github.com/discord-chatops/chatops/functions/interactions/internal/subscribe"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/people"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/subscription"
)

// Config is what the definitions and the commands depend on. Registration needs only
// DeployEnvironments.
type Config struct {
	// DeployEnvironments are the choices of /deploy and /rollback (DEPLOY_ENVIRONMENTS).
	DeployEnvironments []string
	// ApplicationID addresses the interaction webhook whose cards /deploy reads back.
	ApplicationID string // DISCORD_APPLICATION_ID
	// Repository is the repository /deploy deploys and /assign assigns in by default.
	Repository string // GITHUB_REPOSITORY, owner/repo
	// Workflow is the deploy workflow, a file name under .github/workflows.
	Workflow string // DEPLOY_WORKFLOW
	// Policy is who may deploy, roll back and scale.
	Policy authz.Policy
}

// RepoClients gives a GitHub client acting as the App's installation on a repository;
// *appclient.Lazy satisfies it. /deploy, /rollback and /assign use it.
type RepoClients interface {
	RepoClient(ctx context.Context, owner, repo string) (*github.Client, error)
}

// Originals reads the message an interaction token answers; *rest.Client satisfies it.
type Originals interface {
	GetOriginal(ctx context.Context, applicationID, token string) (discord.Message, error)
}

// Deps are the clients the commands use, built once per execution environment by the
// function's main. Leave them zero where only definitions are needed: registration never
// runs a handler.
type Deps struct {
	Status *status.Reader
	// Cost builds the cost report; /cost reads it through the cost cache in Table, which it
	// requires.
	Cost    *costreport.Reporter
	GitHub  RepoClients // appclient.Lazy: built in the worker
	Discord Originals   // reads a card back before the worker edits it (the rest client)
	Scaler  *scale.Scaler
	// DeviceFlow verifies the GitHub login a member links with /link; nil when the App's
	// client id is not configured (GITHUB_CLIENT_ID).
	DeviceFlow link.Flow
	// Table is the state table: the approval records of /deploy, /rollback and /scale and the
	// claims of their work. Nil refuses every approval (fail closed).
	Table *state.Table
	// AuditRetention is how long the audit trail in Table keeps an entry (AUDIT_RETENTION_DAYS).
	AuditRetention time.Duration
	// Log takes the audit lines and the commands' warnings; nil discards them.
	Log *slog.Logger
	Now func() time.Time
}

// guildOnly is where commands that read or change infrastructure may be used: not in direct
// messages, which anyone sharing a server with the bot could open.
var guildOnly = []command.Context{command.ContextGuild}

// Table is the command table, in the order /help lists it.
func Table(cfg Config, d Deps) []command.Command {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	log := cmp.Or(d.Log, slog.New(slog.DiscardHandler))
	// The audit trail: every entry is a log line and an item in the table (none without one).
	var sink audit.Sink
	var reader history.Reader
	if d.Table != nil {
		trail := audit.NewTrail(d.Table, d.AuditRetention)
		sink, reader = trail, trail
	}
	recorder := audit.NewRecorder(sink, log, now)
	deploys := &deploy.Service{GitHub: d.GitHub, Discord: d.Discord, ApplicationID: cfg.ApplicationID, Repository: cfg.Repository,
		Workflow: cfg.Workflow, Environments: cfg.DeployEnvironments, Policy: cfg.Policy, Audit: recorder, Log: log, Now: now,
		Approvals: approval.Records[deploy.Proposal]{Table: d.Table, Log: log}}
	if d.Table != nil {
		deploys.Cache = d.Table
	}
	assigns := &assign.Service{GitHub: d.GitHub, Repository: cfg.Repository, Audit: recorder}
	if d.Table != nil {
		assigns.Links = people.Store{Table: d.Table}
	}
	scales := &scale.Service{Scaler: d.Scaler, Policy: cfg.Policy, Audit: recorder, Now: now,
		Approvals: approval.Records[scale.Proposal]{Table: d.Table, Log: log}}
	var costs cost.Builder
	if d.Cost != nil {
		costs = costreport.NewCache(d.Cost, d.Table, log)
	}
	envChoices := make([]discord.Choice, len(cfg.DeployEnvironments))
	for i, e := range cfg.DeployEnvironments {
		envChoices[i] = discord.Choice{Name: e, Value: e}
	}
	cmds := []command.Command{
		status.Command(d.Status, now),
		cost.Command(costs, now),
		deploy.DeployCommand(deploys, command.Command{
			Name: "deploy",
			Options: []discord.OptionDef{
				{Type: discord.OptionString, Name: "environment", Required: true, Choices: envChoices},
				{Type: discord.OptionString, Name: "ref", MaxLength: 255},
			},
			Permissions: discord.PermissionManageGuild,
			Contexts:    guildOnly,
		}),
		deploy.RollbackCommand(deploys, command.Command{
			Name: "rollback",
			Options: []discord.OptionDef{
				{Type: discord.OptionString, Name: "environment", Required: true, Choices: envChoices},
				{Type: discord.OptionString, Name: "to", MaxLength: 255, Autocomplete: true},
			},
			Permissions: discord.PermissionManageGuild,
			Contexts:    guildOnly,
		}),
		assign.Command(assigns, command.Command{
			Name: "assign",
			Options: []discord.OptionDef{
				{Type: discord.OptionInteger, Name: "number", Required: true, MinValue: new(int64(1))},
				{Type: discord.OptionString, Name: "assignee", MaxLength: 39},
				{Type: discord.OptionUser, Name: "member"},
				{Type: discord.OptionString, Name: "repo", MaxLength: 140},
			},
			Contexts: guildOnly,
		}),
		scale.Command(scales, command.Command{
			Name: "scale",
			Options: []discord.OptionDef{
				{Type: discord.OptionString, Name: "service", Required: true,
					Choices: []discord.Choice{{Value: "ecs"}, {Value: "asg"}}},
				{Type: discord.OptionString, Name: "target", Required: true, MaxLength: 500},
				// No max_value: the bound is the group's max, or SCALE_MAX_DESIRED for ECS, checked by the bot.
				{Type: discord.OptionInteger, Name: "desired", Required: true, MinValue: new(int64(0))},
			},
			Permissions: discord.PermissionManageGuild,
			Contexts:    guildOnly,
		}),
	}
	cmds = append(cmds, history.Command(&history.Service{Trail: reader, Policy: cfg.Policy, Audit: recorder, Log: log}, envChoices))
	subs := &subscribe.Service{Policy: cfg.Policy, Audit: recorder, Log: log}
	if d.Table != nil {
		subs.Store = subscription.Store{Table: d.Table}
	}
	cmds = append(cmds, subscribe.Commands(subs)...)
	links := &link.Service{Flow: d.DeviceFlow, Policy: cfg.Policy, Audit: recorder, Log: log, Now: now}
	if d.Table != nil {
		links.Links, links.Table = people.Store{Table: d.Table}, d.Table
	}
	cmds = append(cmds, link.Command(links))
	return append(cmds, help.Command(cmds))
}

// Router builds the router over the table.
func Router(cfg Config, d Deps) (*command.Router, error) {
	return command.NewRouter(Table(cfg, d)...)
}

// DefaultEnvironments is DEPLOY_ENVIRONMENTS when it is empty.
const DefaultEnvironments = "dev,prod"

// ParseEnvironments reads DEPLOY_ENVIRONMENTS ("" means DefaultEnvironments). The names become
// command choices: at most 25, each 1 to 100 characters.
func ParseEnvironments(s string) ([]string, error) {
	var envs []string
	for e := range strings.SplitSeq(cmp.Or(s, DefaultEnvironments), ",") {
		if e = strings.TrimSpace(e); e != "" {
			envs = append(envs, e)
		}
	}
	switch {
	case len(envs) == 0:
		return nil, errors.New("DEPLOY_ENVIRONMENTS: no environment names")
	case len(envs) > 25:
		return nil, fmt.Errorf("DEPLOY_ENVIRONMENTS: %d names, Discord allows 25 choices", len(envs))
	}
	for _, e := range envs {
		if utf8.RuneCountInString(e) > 100 {
			return nil, fmt.Errorf("DEPLOY_ENVIRONMENTS: %q is longer than 100 characters", e)
		}
	}
	return envs, nil
}
