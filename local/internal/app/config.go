package app

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/local/suite"
)

// Modes of --discord and --github.
const (
	Record = "record"
	Real   = "real"
)

// Options are the runner's flags.
type Options struct {
	// Root is the repository root: functions/ and go.work are under it.
	Root string
	// Demo runs AWS in a moto_server the runner starts and seeds; otherwise AWS is the
	// account of the user's default credentials.
	Demo bool
	// Port is the gateway's port on 127.0.0.1; 0 picks a free one.
	Port int
	// Discord and GitHub are Record (local stand-ins that print what they get) or Real.
	Discord, GitHub string
	// Build compiles the functions for this machine first; BinDir is where binaries are.
	Build  bool
	BinDir string
	// Progress receives each step of Start as it begins and ends (builds, moto_server, seeding);
	// nil prints nothing.
	Progress io.Writer
	// ANSI colours what the local Discord prints (embeds' bars in their colour), for a terminal.
	ANSI bool
	// Table is the deployed state table (CHATOPS_TABLE) in real mode; empty means find it (see
	// deployedTable). Demo mode creates its own in moto.
	Table string
}

// contractVars are the runtime contract's variables (docs/CONTRACT.md) and the features' options,
// by the functions that read them, as the stack sets them (infra/config.go environmentTable, and
// the resources newStack adds); TestContractVarsFollowTheStack keeps the two in step.
func contractVars() map[string][]string {
	return map[string][]string{
		"DISCORD_API_URL":          suite.Names(),
		"GITHUB_API_URL":           {suite.Interactions, suite.GitHubWebhook, suite.DeployNotify},
		"CHATOPS_PARAMETER_PREFIX": suite.Names(),
		"DISCORD_PUBLIC_KEY":       {suite.Interactions},
		"DISCORD_APPLICATION_ID":   {suite.Interactions, suite.DeployNotify},
		"DISCORD_CHANNEL_ID":       {suite.GitHubWebhook, suite.DeployNotify, suite.CostCron},
		"GITHUB_APP_ID":            {suite.Interactions, suite.GitHubWebhook, suite.DeployNotify},
		"GITHUB_REPOSITORY":        {suite.Interactions, suite.GitHubWebhook},
		"GITHUB_CLIENT_ID":         {suite.Interactions},
		"DEPLOY_WORKFLOW":          {suite.Interactions, suite.DeployNotify},
		"DEPLOY_ENVIRONMENTS":      {suite.Interactions},
		"DEPLOY_ROLE_IDS":          {suite.Interactions},
		"CHATOPS_EVENT_BUS":        {suite.GitHubWebhook},
		"REPORT_TIMEZONE":          {suite.CostCron, suite.Interactions, suite.GitHubWebhook},
		"CHATOPS_TABLE":            suite.Names(),
		"CHATOPS_LANGUAGE":         suite.Names(),
		"AUDIT_RETENTION_DAYS":     {suite.Interactions, suite.DeployNotify},
		"DEAD_LETTER_QUEUES":       {suite.CostCron},
		"TWO_PERSON_ENVIRONMENTS":  {suite.Interactions},
		"SCALE_MAX_DESIRED":        {suite.Interactions},
		"MONTHLY_BUDGET_USD":       {suite.Interactions, suite.CostCron},
		"ANNOUNCE_BOTS":            {suite.GitHubWebhook},
		"IGNORE_AUTHORS":           {suite.GitHubWebhook},
		"IGNORE_LABELS":            {suite.GitHubWebhook},
		"REPO_CHANNELS":            {suite.GitHubWebhook},
		"REVIEW_REMINDER_HOURS":    {suite.GitHubWebhook},
	}
}

// featureOptions are the features' variables, by the context key the stack sets each from
// (infra/config.go environmentTable). The runner passes what the user's environment sets, or
// else what the repository's CDK context says (stackContext), so that `make local` behaves like
// the stack deployed from the same checkout; a variable neither sets is left unset, and the
// function uses its own default, which is the stack's.
func featureOptions() map[string]string {
	return map[string]string{"TWO_PERSON_ENVIRONMENTS": "twoPersonEnvironments", "SCALE_MAX_DESIRED": "scaleMaxDesired",
		"MONTHLY_BUDGET_USD": "monthlyBudgetUsd", "ANNOUNCE_BOTS": "announceBots", "IGNORE_AUTHORS": "ignoreAuthors",
		"IGNORE_LABELS": "ignoreLabels", "REPO_CHANNELS": "repoChannels", "GITHUB_CLIENT_ID": "githubClientId",
		"REVIEW_REMINDER_HOURS": "reviewReminderHours"}
}

// stackContext is the CDK context of the repository at root, as `cdk deploy` reads it: the
// "context" of cdk.json, then cdk.context.json (which make setup writes) over it. Values are
// strings as the stack reads them (numbers and booleans formatted). No root, no context.
func stackContext(root string) (map[string]string, error) {
	out := map[string]string{}
	if root == "" {
		return out, nil
	}
	var project struct {
		Context map[string]any `json:"context"`
	}
	var local map[string]any
	for _, f := range []struct {
		name     string
		into     any
		required bool
	}{{"cdk.json", &project, true}, {"cdk.context.json", &local, false}} {
		b, err := os.ReadFile(filepath.Join(root, f.name))
		if errors.Is(err, fs.ErrNotExist) && !f.required {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the stack's context: %w", err)
		}
		if err := json.Unmarshal(b, f.into); err != nil {
			return nil, fmt.Errorf("read the stack's context in %s: %w", f.name, err)
		}
	}
	for _, ctx := range []map[string]any{project.Context, local} {
		for k, v := range ctx {
			switch v := v.(type) {
			case string:
				out[k] = strings.TrimSpace(v)
			case float64:
				out[k] = strconv.FormatFloat(v, 'f', -1, 64)
			case bool:
				out[k] = strconv.FormatBool(v)
			}
		}
	}
	return out, nil
}

// settings is what the runner starts with, resolved from the options and the environment.
type settings struct {
	// contract holds the value of each contract variable.
	contract map[string]string
	// botToken, githubKeyPEM and webhookSecret are what demo mode puts in moto's SSM; in demo
	// mode with --discord=real or --github=real they come from the environment.
	botToken, githubKeyPEM, webhookSecret string
	// generateGitHubKey is set when demo mode makes the App key (local GitHub).
	generateGitHubKey bool
}

// resolve works out the settings. Demo values fill what the local stand-ins need; the real
// services need the user's values from the environment, and the error names each one missing.
func resolve(o Options, getenv func(string) string) (settings, error) {
	var errs []error
	if !slices.Contains([]string{Record, Real}, o.Discord) {
		errs = append(errs, fmt.Errorf("--discord=%q: want record or real", o.Discord))
	}
	if !slices.Contains([]string{Record, Real}, o.GitHub) {
		errs = append(errs, fmt.Errorf("--github=%q: want record or real", o.GitHub))
	}
	c := map[string]string{
		"CHATOPS_PARAMETER_PREFIX": cmp.Or(getenv("CHATOPS_PARAMETER_PREFIX"), demo.ParameterPrefix),
		"DEPLOY_WORKFLOW":          cmp.Or(getenv("DEPLOY_WORKFLOW"), demo.Workflow),
		"DEPLOY_ENVIRONMENTS":      cmp.Or(getenv("DEPLOY_ENVIRONMENTS"), demo.Environments),
		"CHATOPS_EVENT_BUS":        cmp.Or(getenv("CHATOPS_EVENT_BUS"), demo.EventBus),
		"REPORT_TIMEZONE":          cmp.Or(getenv("REPORT_TIMEZONE"), demo.Timezone),
		"CHATOPS_LANGUAGE":         cmp.Or(getenv("CHATOPS_LANGUAGE"), demo.Language),
		"AUDIT_RETENTION_DAYS":     cmp.Or(getenv("AUDIT_RETENTION_DAYS"), demo.AuditRetentionDays),
	}
	stack, err := stackContext(o.Root)
	if err != nil {
		errs = append(errs, err)
	}
	for name, key := range featureOptions() {
		if v := cmp.Or(getenv(name), stack[key]); v != "" {
			c[name] = v
		}
	}
	if o.Demo {
		// The demo's own resources in moto: Start adds DEAD_LETTER_QUEUES once they exist.
		c["CHATOPS_PARAMETER_PREFIX"] = demo.ParameterPrefix
		c["CHATOPS_TABLE"] = demo.Table
		if o.Table != "" {
			errs = append(errs, fmt.Errorf("--table=%s: --demo creates its own table in moto; --table names a deployed one", o.Table))
		}
	} else {
		// Empty: Start looks for the deployed stack's table.
		c["CHATOPS_TABLE"] = cmp.Or(o.Table, getenv("CHATOPS_TABLE"))
		if v := getenv("DEAD_LETTER_QUEUES"); v != "" {
			c["DEAD_LETTER_QUEUES"] = v
		}
	}
	s := settings{contract: c}
	need := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			errs = append(errs, fmt.Errorf("%s: not set (needed by --discord=%s --github=%s%s)", name, o.Discord, o.GitHub, demoSuffix(o.Demo)))
		}
		return v
	}

	if o.Discord == Real {
		c["DISCORD_API_URL"] = cmp.Or(getenv("DISCORD_API_URL"), "https://discord.com/api/v10")
		c["DISCORD_PUBLIC_KEY"] = need("DISCORD_PUBLIC_KEY")
		c["DISCORD_APPLICATION_ID"] = need("DISCORD_APPLICATION_ID")
		c["DISCORD_CHANNEL_ID"] = need("DISCORD_CHANNEL_ID")
		c["DEPLOY_ROLE_IDS"] = getenv("DEPLOY_ROLE_IDS")
		if o.Demo {
			s.botToken = need("DISCORD_BOT_TOKEN")
		}
	} else {
		c["DISCORD_PUBLIC_KEY"] = demo.Signer().PublicKeyHex() // the tour and the try route sign with it
		c["DISCORD_APPLICATION_ID"] = cmp.Or(getenv("DISCORD_APPLICATION_ID"), demo.ApplicationID)
		c["DISCORD_CHANNEL_ID"] = cmp.Or(getenv("DISCORD_CHANNEL_ID"), demo.ChannelID)
		c["DEPLOY_ROLE_IDS"] = cmp.Or(getenv("DEPLOY_ROLE_IDS"), demo.DeployRoleID)
		s.botToken = demo.BotToken
	}
	if o.GitHub == Real {
		c["GITHUB_API_URL"] = cmp.Or(getenv("GITHUB_API_URL"), "https://api.github.com")
		c["GITHUB_APP_ID"] = need("GITHUB_APP_ID")
		c["GITHUB_REPOSITORY"] = need("GITHUB_REPOSITORY")
		if o.Demo {
			if file := need("GITHUB_PRIVATE_KEY_FILE"); file != "" {
				pem, err := os.ReadFile(file)
				if err != nil {
					errs = append(errs, fmt.Errorf("GITHUB_PRIVATE_KEY_FILE: %w", err))
				}
				s.githubKeyPEM = string(pem)
			}
			s.webhookSecret = need("GITHUB_WEBHOOK_SECRET")
		}
	} else {
		c["GITHUB_APP_ID"] = cmp.Or(getenv("GITHUB_APP_ID"), demo.GitHubAppID)
		c["GITHUB_REPOSITORY"] = cmp.Or(getenv("GITHUB_REPOSITORY"), demo.Repository)
		s.generateGitHubKey = o.Demo
		s.webhookSecret = demo.WebhookSecret
	}
	errs = append(errs, checkContract(c)...)
	if err := errors.Join(errs...); err != nil {
		return settings{}, err
	}
	return s, nil
}

func demoSuffix(d bool) string {
	if d {
		return " --demo"
	}
	return ""
}

// functionEnv is each function's share of the contract: the variables it reads.
func (s settings) functionEnv() map[string][]string {
	env := map[string][]string{}
	vars := contractVars()
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v, ok := s.contract[name]
		if !ok {
			continue
		}
		for _, fn := range vars[name] {
			env[fn] = append(env[fn], name+"="+v)
		}
	}
	return env
}

// awsPassThrough is the part of the user's environment that reaches the functions in real
// mode: the AWS SDK's own settings (profile, Region, credentials, config files), not the
// Lambda ones the runner sets.
func awsPassThrough(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") && !strings.HasPrefix(name, "AWS_LAMBDA_") &&
			name != "AWS_ENDPOINT_URL_LAMBDA" && name != "AWS_ENDPOINT_URL_EVENTBRIDGE" {
			out = append(out, kv)
		}
	}
	return out
}
