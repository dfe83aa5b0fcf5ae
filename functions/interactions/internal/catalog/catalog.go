// Package catalog is the suite's command table: every slash command the interactions function
// registers, routes and lists in /help, in one place. Adding a command is one entry here plus
// its package under internal/.
package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/discord-chatops/chatops/functions/interactions/internal/assign"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/functions/interactions/internal/cost"
	"github.com/discord-chatops/chatops/functions/interactions/internal/deploy"
	"github.com/discord-chatops/chatops/functions/interactions/internal/help"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status"
	"github.com/discord-chatops/chatops/shared/discord"
)

// Config is what the definitions depend on.
type Config struct {
	// DeployEnvironments are the choices of /deploy and /rollback (DEPLOY_ENVIRONMENTS).
	DeployEnvironments []string
}

// Deps are the clients the handlers use. Leave them zero where only definitions are needed:
// registration never runs a handler.
type Deps struct {
	Status *status.Reader
	Cost   cost.Builder
	Deploy *deploy.Service // /deploy and /rollback
	Assign *assign.Service
	Scale  *scale.Service
	Now    func() time.Time
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
	envChoices := make([]discord.Choice, len(cfg.DeployEnvironments))
	for i, e := range cfg.DeployEnvironments {
		envChoices[i] = discord.Choice{Name: e, Value: e}
	}
	cmds := []command.Command{
		status.Command(d.Status, now),
		cost.Command(d.Cost, now),
		deploy.DeployCommand(d.Deploy, command.Command{
			Name:        "deploy",
			Description: "Ask to deploy a branch or tag to an environment; an allowed role approves",
			Options: []discord.OptionDef{
				{Type: discord.OptionString, Name: "environment", Description: "Where to deploy", Required: true, Choices: envChoices},
				{Type: discord.OptionString, Name: "ref", Description: "Branch or tag; the default branch when empty", MaxLength: 255},
			},
			Permissions: discord.PermissionManageGuild,
			Contexts:    guildOnly,
		}),
		deploy.RollbackCommand(d.Deploy, command.Command{
			Name:        "rollback",
			Description: "Ask to roll an environment back to its previous deployed commit; an allowed role approves",
			Options: []discord.OptionDef{
				{Type: discord.OptionString, Name: "environment", Description: "Which environment to roll back", Required: true, Choices: envChoices},
			},
			Permissions: discord.PermissionManageGuild,
			Contexts:    guildOnly,
		}),
		assign.Command(d.Assign, command.Command{
			Name:        "assign",
			Description: "Assign a GitHub pull request or issue to someone",
			Options: []discord.OptionDef{
				{Type: discord.OptionInteger, Name: "number", Description: "Pull request or issue number", Required: true, MinValue: new(int64(1))},
				{Type: discord.OptionString, Name: "assignee", Description: "GitHub login", Required: true, MaxLength: 39},
				{Type: discord.OptionString, Name: "repo", Description: "owner/repo; the configured repository when empty", MaxLength: 140},
			},
			Contexts: guildOnly,
		}),
		scale.Command(d.Scale, command.Command{
			Name:        "scale",
			Description: "Set an ECS service's or Auto Scaling group's desired count, after approval",
			Options: []discord.OptionDef{
				{Type: discord.OptionString, Name: "service", Description: "What to scale", Required: true,
					Choices: []discord.Choice{{Name: "ecs", Value: "ecs"}, {Name: "asg", Value: "asg"}}},
				{Type: discord.OptionString, Name: "target", Description: "cluster/service for ECS, the group name for an Auto Scaling group", Required: true, MaxLength: 500},
				// No max_value: the bound is the group's max, or SCALE_MAX_DESIRED for ECS, checked by the bot.
				{Type: discord.OptionInteger, Name: "desired", Description: "The new desired count", Required: true, MinValue: new(int64(0))},
			},
			Permissions: discord.PermissionManageGuild,
			Contexts:    guildOnly,
		}),
	}
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
