package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// Defaults from the runtime contract.
const (
	defaultDeployWorkflow = "deploy.yml"
)

// config is what deploy-notify reads from its environment. It makes no GitHub call, so
// GITHUB_APP_ID and GITHUB_API_URL are not read.
type config struct {
	discordAPIURL   string // DISCORD_API_URL, version included
	parameterPrefix string // CHATOPS_PARAMETER_PREFIX
	// applicationID (DISCORD_APPLICATION_ID, optional) is also the bot user's id: a card
	// with another author is not edited.
	applicationID  string
	channelID      string // DISCORD_CHANNEL_ID: runs without a card, deployments, fallbacks
	deployWorkflow string // DEPLOY_WORKFLOW: the deploy workflow's file name
	table          string // CHATOPS_TABLE
	// auditRetention is how long the audit trail keeps a deploy's result.
	auditRetention time.Duration // AUDIT_RETENTION_DAYS
	// language (CHATOPS_LANGUAGE, Korean when unset) is what the reports are written in; the
	// zero value prints English.
	language i18n.Language
}

// loadConfig reads the configuration through getenv; the error names every variable that is
// missing or wrong.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		parameterPrefix: getenv("CHATOPS_PARAMETER_PREFIX"),
		applicationID:   getenv("DISCORD_APPLICATION_ID"),
		channelID:       getenv("DISCORD_CHANNEL_ID"),
		deployWorkflow:  getenv("DEPLOY_WORKFLOW"),
		table:           getenv("CHATOPS_TABLE"),
	}
	var errs []error
	discordAPIURL, err := rest.ParseBaseURL(getenv("DISCORD_API_URL"))
	if err != nil {
		errs = append(errs, err)
	}
	c.discordAPIURL = discordAPIURL
	if c.parameterPrefix == "" {
		c.parameterPrefix = secrets.DefaultPrefix
	}
	switch {
	case c.channelID == "":
		errs = append(errs, errors.New("DISCORD_CHANNEL_ID is not set"))
	case !discord.IsSnowflake(c.channelID):
		errs = append(errs, fmt.Errorf("DISCORD_CHANNEL_ID %q is not a Discord id (digits)", c.channelID))
	}
	if c.applicationID != "" && !discord.IsSnowflake(c.applicationID) {
		errs = append(errs, fmt.Errorf("DISCORD_APPLICATION_ID %q is not a Discord id (digits)", c.applicationID))
	}
	if c.deployWorkflow == "" {
		c.deployWorkflow = defaultDeployWorkflow
	}
	if strings.Contains(c.deployWorkflow, "/") || !(strings.HasSuffix(c.deployWorkflow, ".yml") || strings.HasSuffix(c.deployWorkflow, ".yaml")) {
		errs = append(errs, fmt.Errorf("DEPLOY_WORKFLOW %q is not a workflow file name such as deploy.yml", c.deployWorkflow))
	}
	if c.auditRetention, err = audit.RetentionFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if c.table == "" {
		errs = append(errs, errors.New("CHATOPS_TABLE is not set"))
	}
	if c.language, err = i18n.ParseLanguage(getenv("CHATOPS_LANGUAGE")); err != nil {
		errs = append(errs, fmt.Errorf("CHATOPS_LANGUAGE: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("deploy-notify configuration: %w", err)
	}
	return c, nil
}
