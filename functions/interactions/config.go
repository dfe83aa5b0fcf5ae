package main

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/assign"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// config is the function's environment, as the runtime contract names it (docs/CONTRACT.md).
type config struct {
	// PublicKey verifies requests: the only thing the acknowledgement path needs.
	PublicKey string // DISCORD_PUBLIC_KEY, hex
	// ApplicationID and DiscordAPIURL address the interaction webhook the worker edits.
	ApplicationID string // DISCORD_APPLICATION_ID
	DiscordAPIURL string // DISCORD_API_URL
	// FunctionName is this function's own name, invoked asynchronously for deferred work.
	FunctionName string // AWS_LAMBDA_FUNCTION_NAME, set by Lambda
	// DeployEnvironments are the registered choices of /deploy and /rollback.
	DeployEnvironments []string // DEPLOY_ENVIRONMENTS
	// Cost is how /cost words the report: REPORT_TIMEZONE, MONTHLY_BUDGET_USD.
	Cost costreport.Options
	// GitHub is the App and the repository of /deploy, /rollback and /assign.
	GitHub githubConfig
	// Policy is who may deploy, roll back and scale: DEPLOY_ROLE_IDS (empty: nobody) and
	// TWO_PERSON_ENVIRONMENTS (unset: deployrun.DefaultTwoPersonEnvironments, prod; none: off).
	Policy authz.Policy
	// ParameterPrefix is the SSM path under which the secrets are (CHATOPS_PARAMETER_PREFIX).
	ParameterPrefix string
	// ScaleMaxDesired is the most tasks /scale gives an ECS service.
	ScaleMaxDesired int32 // SCALE_MAX_DESIRED
	// Table is the state table (docs/STATE.md): approval records, work claims, the cost cache,
	// the audit trail.
	Table string // CHATOPS_TABLE
	// AuditRetention is how long the audit trail keeps an entry.
	AuditRetention time.Duration // AUDIT_RETENTION_DAYS
	// Language is the language of what the whole channel sees (cards, their history, results);
	// a reply meant for one member follows their Discord locale.
	Language i18n.Language // CHATOPS_LANGUAGE: ko or en [ko]
}

// githubConfig is the GitHub side of the configuration.
type githubConfig struct {
	AppID      int64  // GITHUB_APP_ID
	APIURL     string // GITHUB_API_URL
	Repository string // GITHUB_REPOSITORY, owner/repo
	Workflow   string // DEPLOY_WORKFLOW, a file name under .github/workflows
	// ClientID is the App's client id, for /link's device flow; "" turns the flow off (an
	// allowed role can still link members).
	ClientID string // GITHUB_CLIENT_ID
}

// Defaults of the GitHub variables.
const (
	defaultGitHubAPIURL   = "https://api.github.com"
	defaultDeployWorkflow = "deploy.yml"
)

// hexKey says whether s is an Ed25519 public key in hex: 64 hex digits.
func hexKey(s string) bool {
	_, err := hex.DecodeString(s)
	return len(s) == 64 && err == nil
}

// loadConfig reads and checks the environment through getenv, reporting every gap in one
// error. It reads no secret: those are fetched from SSM by the features that need them.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		PublicKey:     strings.TrimSpace(getenv("DISCORD_PUBLIC_KEY")),
		ApplicationID: strings.TrimSpace(getenv("DISCORD_APPLICATION_ID")),
		FunctionName:  strings.TrimSpace(getenv("AWS_LAMBDA_FUNCTION_NAME")),
		Table:         getenv("CHATOPS_TABLE"),
	}
	var errs []error
	if !hexKey(c.PublicKey) {
		errs = append(errs, errors.New("DISCORD_PUBLIC_KEY: want the application's public key, 64 hex digits, from the Developer Portal"))
	}
	if !discord.IsSnowflake(c.ApplicationID) {
		errs = append(errs, errors.New("DISCORD_APPLICATION_ID: want the application id, a number"))
	}
	if l, err := i18n.ParseLanguage(getenv("CHATOPS_LANGUAGE")); err != nil {
		errs = append(errs, fmt.Errorf("CHATOPS_LANGUAGE: %w", err))
	} else {
		c.Language = l
	}
	if c.Table == "" {
		errs = append(errs, errors.New("CHATOPS_TABLE: not set (the stack's TableName output)"))
	}
	discordAPIURL, err := rest.ParseBaseURL(getenv("DISCORD_API_URL"))
	if err != nil {
		errs = append(errs, err)
	}
	c.DiscordAPIURL = discordAPIURL
	if c.FunctionName == "" {
		errs = append(errs, errors.New("AWS_LAMBDA_FUNCTION_NAME: not set (Lambda sets it; set it by hand when running elsewhere)"))
	}
	envs, err := catalog.ParseEnvironments(getenv("DEPLOY_ENVIRONMENTS"))
	if err != nil {
		errs = append(errs, err)
	}
	c.DeployEnvironments = envs
	if c.Cost, err = costreport.OptionsFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if c.AuditRetention, err = audit.RetentionFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if c.ScaleMaxDesired, err = parseScaleMax(getenv("SCALE_MAX_DESIRED")); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.loadGitHub(getenv)...)
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}

// loadGitHub reads the GitHub App, the repository, the deploy workflow, the roles allowed to
// deploy and the secrets' prefix, and returns what is wrong with them.
func (c *config) loadGitHub(getenv func(string) string) []error {
	var errs []error
	g := githubConfig{
		APIURL:     strings.TrimRight(cmp.Or(strings.TrimSpace(getenv("GITHUB_API_URL")), defaultGitHubAPIURL), "/"),
		Repository: strings.TrimSpace(getenv("GITHUB_REPOSITORY")),
		Workflow:   cmp.Or(strings.TrimSpace(getenv("DEPLOY_WORKFLOW")), defaultDeployWorkflow),
		ClientID:   strings.TrimSpace(getenv("GITHUB_CLIENT_ID")),
	}
	id, err := strconv.ParseInt(strings.TrimSpace(getenv("GITHUB_APP_ID")), 10, 64)
	if err != nil || id <= 0 {
		errs = append(errs, errors.New("GITHUB_APP_ID: want the GitHub App's id, a number (the App's settings page, \"App ID\")"))
	}
	g.AppID = id
	if u, err := url.Parse(g.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("GITHUB_API_URL: %q is not an http(s) URL", g.APIURL))
	}
	if !assign.ValidRepository(g.Repository) {
		errs = append(errs, fmt.Errorf("GITHUB_REPOSITORY: %q is not owner/repo", g.Repository))
	}
	if strings.ContainsAny(g.ClientID, "/&?=# ") {
		errs = append(errs, fmt.Errorf("GITHUB_CLIENT_ID: %q is not a client id (the App's settings page, \"Client ID\", such as Iv23li...)", g.ClientID))
	}
	if strings.ContainsAny(g.Workflow, "/ ") {
		errs = append(errs, fmt.Errorf("DEPLOY_WORKFLOW: %q is not a file name under .github/workflows (such as deploy.yml)", g.Workflow))
	}
	c.GitHub = g
	roles, err := authz.ParseRoleIDs(getenv("DEPLOY_ROLE_IDS"))
	if err != nil {
		errs = append(errs, err)
	}
	c.Policy = authz.Policy{RoleIDs: roles, TwoPerson: deployrun.TwoPersonEnvironments(getenv("TWO_PERSON_ENVIRONMENTS"))}
	c.ParameterPrefix = strings.TrimSpace(getenv("CHATOPS_PARAMETER_PREFIX")) // "" is secrets.DefaultPrefix
	return errs
}

// parseScaleMax reads SCALE_MAX_DESIRED ("" means scale.DefaultMaxDesired).
func parseScaleMax(s string) (int32, error) {
	if s = strings.TrimSpace(s); s == "" {
		return scale.DefaultMaxDesired, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("SCALE_MAX_DESIRED: %q is not a whole number of 1 or more (the most tasks /scale gives an ECS service)", s)
	}
	return int32(n), nil
}
