package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

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
}

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
