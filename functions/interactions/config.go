package main

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/shared/costreport"
)

// config is the function's environment, as the runtime contract names it (CONTRACT.md).
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
}

const defaultDiscordAPIURL = "https://discord.com/api/v10"

var (
	hexKeyPattern    = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	snowflakePattern = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// loadConfig reads and checks the environment through getenv, reporting every gap in one
// error. It reads no secret: those are fetched from SSM by the features that need them.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		PublicKey:     strings.TrimSpace(getenv("DISCORD_PUBLIC_KEY")),
		ApplicationID: strings.TrimSpace(getenv("DISCORD_APPLICATION_ID")),
		DiscordAPIURL: strings.TrimRight(cmp.Or(strings.TrimSpace(getenv("DISCORD_API_URL")), defaultDiscordAPIURL), "/"),
		FunctionName:  strings.TrimSpace(getenv("AWS_LAMBDA_FUNCTION_NAME")),
	}
	var errs []error
	if !hexKeyPattern.MatchString(c.PublicKey) {
		errs = append(errs, errors.New("DISCORD_PUBLIC_KEY: want the application's public key, 64 hex digits, from the Developer Portal"))
	}
	if !snowflakePattern.MatchString(c.ApplicationID) {
		errs = append(errs, errors.New("DISCORD_APPLICATION_ID: want the application id, a number"))
	}
	if u, err := url.Parse(c.DiscordAPIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("DISCORD_API_URL: %q is not an http(s) URL", c.DiscordAPIURL))
	}
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
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}
