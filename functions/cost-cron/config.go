package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// config is what cost-cron reads from its environment.
type config struct {
	discordAPIURL   string             // DISCORD_API_URL, version included
	parameterPrefix string             // CHATOPS_PARAMETER_PREFIX
	channelID       string             // DISCORD_CHANNEL_ID: where the daily report goes
	report          costreport.Options // REPORT_TIMEZONE, MONTHLY_BUDGET_USD
	table           string             // CHATOPS_TABLE
	deadLetters     []deadLetterQueue  // DEAD_LETTER_QUEUES: the queues the dead-letter alarm watches
	language        i18n.Language      // CHATOPS_LANGUAGE: the language of the posts [ko]
}

// deadLetterQueue is one of the suite's dead-letter queues: the function whose failures it
// holds, and its URL.
type deadLetterQueue struct {
	name string // the function: interactions, cost-cron, deploy-notify
	url  string
}

// loadConfig reads the configuration through getenv; the error names every variable that is
// missing or wrong.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		parameterPrefix: getenv("CHATOPS_PARAMETER_PREFIX"),
		channelID:       getenv("DISCORD_CHANNEL_ID"),
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
	if c.table == "" {
		errs = append(errs, errors.New("CHATOPS_TABLE is not set"))
	}
	queues, err := parseDeadLetterQueues(getenv("DEAD_LETTER_QUEUES"))
	if err != nil {
		errs = append(errs, err)
	}
	c.deadLetters = queues
	report, err := costreport.OptionsFromEnv(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	c.report = report
	if c.language, err = i18n.ParseLanguage(getenv("CHATOPS_LANGUAGE")); err != nil {
		errs = append(errs, fmt.Errorf("CHATOPS_LANGUAGE: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("cost-cron configuration: %w", err)
	}
	return c, nil
}

// parseDeadLetterQueues reads DEAD_LETTER_QUEUES, "name=queue URL" pairs separated by commas in
// the stack's order (infra/failures.go). Empty means none: the alarm's post then says it cannot
// count.
func parseDeadLetterQueues(v string) ([]deadLetterQueue, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var queues []deadLetterQueue
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(v, ",") {
		name, raw, ok := strings.Cut(strings.TrimSpace(pair), "=")
		name, raw = strings.TrimSpace(name), strings.TrimSpace(raw)
		if !ok || name == "" || raw == "" {
			return nil, fmt.Errorf("DEAD_LETTER_QUEUES %q: %q is not name=queue URL", v, pair)
		}
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("DEAD_LETTER_QUEUES %q: %q is not a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)", v, raw)
		}
		if seen[name] {
			return nil, fmt.Errorf("DEAD_LETTER_QUEUES %q: %s is named twice", v, name)
		}
		seen[name] = true
		queues = append(queues, deadLetterQueue{name: name, url: raw})
	}
	return queues, nil
}
