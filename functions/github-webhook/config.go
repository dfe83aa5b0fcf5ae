package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/announce"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// config is what the stack sets in the environment; see docs/GITHUB-WEBHOOK.md and the runtime
// contract.
type config struct {
	DiscordAPIURL   string
	ParameterPrefix string
	// ChannelID is where announcements go unless RepoChannels names the repository.
	ChannelID string
	EventBus  string
	Table     string // CHATOPS_TABLE
	Rules     announce.Rules
	// RepoChannels maps lower-cased owner/name to a channel ID.
	RepoChannels map[string]string
	// Language is what the announcements are written in (CHATOPS_LANGUAGE, Korean when unset).
	// The zero value, left by tests, prints English.
	Language i18n.Language
	// Reminders configures the review reminder (internal/remind, docs/GITHUB-WEBHOOK.md).
	Reminders reminderConfig
}

// reminderConfig is what the review reminder needs beyond the announcements: the GitHub App
// that lists the open pull requests, the team's zone that says which day it is, and the
// threshold.
type reminderConfig struct {
	AppID        int64  // GITHUB_APP_ID; 0 leaves the reminder unconfigured (it then fails)
	GitHubAPIURL string // GITHUB_API_URL; "" is github.com
	// Repository is GITHUB_REPOSITORY, the repository of the default channel (DISCORD_CHANNEL_ID)
	// when REPO_CHANNELS does not name it; "" means none.
	Repository string
	Location   *time.Location // REPORT_TIMEZONE [Asia/Seoul]
	Threshold  time.Duration  // REVIEW_REMINDER_HOURS [24]
}

// defaultTimezone is REPORT_TIMEZONE's default, costreport.DefaultTimezone's value: not
// imported, since shared/costreport would bring Cost Explorer's client into this binary.
const defaultTimezone = "Asia/Seoul"

// defaultReminderHours is REVIEW_REMINDER_HOURS's default: a working day.
const defaultReminderHours = 24

// loadConfig reads the configuration through getenv. Its one error names every variable that is
// missing or malformed.
func loadConfig(getenv func(string) string) (config, error) {
	var errs []error
	cfg := config{
		ParameterPrefix: orDefault(getenv("CHATOPS_PARAMETER_PREFIX"), secrets.DefaultPrefix),
		ChannelID:       strings.TrimSpace(getenv("DISCORD_CHANNEL_ID")),
		EventBus:        strings.TrimSpace(getenv("CHATOPS_EVENT_BUS")),
		Table:           strings.TrimSpace(getenv("CHATOPS_TABLE")),
		RepoChannels:    map[string]string{},
	}
	discordAPIURL, err := rest.ParseBaseURL(getenv("DISCORD_API_URL"))
	if err != nil {
		errs = append(errs, err)
	}
	cfg.DiscordAPIURL = discordAPIURL
	switch {
	case cfg.ChannelID == "":
		errs = append(errs, errors.New("DISCORD_CHANNEL_ID: required"))
	case !discord.IsSnowflake(cfg.ChannelID):
		errs = append(errs, fmt.Errorf("DISCORD_CHANNEL_ID %q: want a channel ID (digits)", cfg.ChannelID))
	}
	if cfg.EventBus == "" {
		errs = append(errs, errors.New("CHATOPS_EVENT_BUS: required"))
	}
	if cfg.Table == "" {
		errs = append(errs, errors.New("CHATOPS_TABLE: required"))
	}
	lang, err := i18n.ParseLanguage(getenv("CHATOPS_LANGUAGE"))
	if err != nil {
		errs = append(errs, fmt.Errorf("CHATOPS_LANGUAGE: %w", err))
	}
	cfg.Language = lang
	cfg.Reminders, errs = loadReminderConfig(getenv, errs)
	if v := strings.TrimSpace(getenv("ANNOUNCE_BOTS")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("ANNOUNCE_BOTS %q: want true or false", v))
		}
		cfg.Rules.AnnounceBots = b
	}
	cfg.Rules.IgnoreAuthors = list(getenv("IGNORE_AUTHORS"))
	cfg.Rules.IgnoreLabels = list(getenv("IGNORE_LABELS"))
	for _, pair := range list(getenv("REPO_CHANNELS")) {
		repo, channel, ok := strings.Cut(pair, "=")
		repo, channel = strings.TrimSpace(repo), strings.TrimSpace(channel)
		owner, name, slash := strings.Cut(repo, "/")
		if !ok || !slash || owner == "" || name == "" || strings.Contains(name, "/") || !discord.IsSnowflake(channel) {
			errs = append(errs, fmt.Errorf("REPO_CHANNELS entry %q: want owner/repo=channelID", pair))
			continue
		}
		cfg.RepoChannels[strings.ToLower(repo)] = channel
	}
	if err := errors.Join(errs...); err != nil {
		return config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// loadReminderConfig reads the review reminder's variables, appending what is wrong to errs.
func loadReminderConfig(getenv func(string) string, errs []error) (reminderConfig, []error) {
	rc := reminderConfig{
		GitHubAPIURL: strings.TrimSpace(getenv("GITHUB_API_URL")),
		Repository:   strings.TrimSpace(getenv("GITHUB_REPOSITORY")),
		Threshold:    defaultReminderHours * time.Hour,
	}
	if v := strings.TrimSpace(getenv("GITHUB_APP_ID")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs = append(errs, fmt.Errorf("GITHUB_APP_ID %q: want the GitHub App's id, a positive number", v))
		}
		rc.AppID = id
	}
	if owner, name, ok := strings.Cut(rc.Repository, "/"); rc.Repository != "" && (!ok || owner == "" || name == "" || strings.Contains(name, "/")) {
		errs = append(errs, fmt.Errorf("GITHUB_REPOSITORY %q: want owner/repo", rc.Repository))
	}
	zone := orDefault(getenv("REPORT_TIMEZONE"), defaultTimezone)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		errs = append(errs, fmt.Errorf("REPORT_TIMEZONE %q is not an IANA time zone", zone))
	}
	rc.Location = loc
	if v := strings.TrimSpace(getenv("REVIEW_REMINDER_HOURS")); v != "" {
		h, err := strconv.Atoi(v)
		if err != nil || h < 1 || h > 24*30 {
			errs = append(errs, fmt.Errorf("REVIEW_REMINDER_HOURS %q: want a whole number of hours, 1 to 720", v))
		}
		rc.Threshold = time.Duration(h) * time.Hour
	}
	return rc, errs
}

// channelFor returns the channel that announcements of the repository owner/name go to.
// GitHub treats repository names without regard to case, and so does the map.
func (c config) channelFor(repo string) string {
	if ch, ok := c.RepoChannels[strings.ToLower(repo)]; ok {
		return ch
	}
	return c.ChannelID
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

// list splits a comma-separated value, dropping blanks.
func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
