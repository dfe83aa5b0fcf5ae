package main

import (
	"errors"
	"fmt"

	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// config is what cost-cron reads from its environment.
type config struct {
	discordAPIURL   string             // DISCORD_API_URL, version included
	parameterPrefix string             // CHATOPS_PARAMETER_PREFIX
	channelID       string             // DISCORD_CHANNEL_ID: where the daily report goes
	report          costreport.Options // REPORT_TIMEZONE, MONTHLY_BUDGET_USD
}

// loadConfig reads the configuration through getenv; the error names every variable that is
// missing or wrong.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		parameterPrefix: getenv("CHATOPS_PARAMETER_PREFIX"),
		channelID:       getenv("DISCORD_CHANNEL_ID"),
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
	report, err := costreport.OptionsFromEnv(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	c.report = report
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("cost-cron configuration: %w", err)
	}
	return c, nil
}
