package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/forward"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/guard"
	"github.com/discord-chatops/chatops/shared/people"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/subscription"
)

// setup builds the handler once per execution environment; nothing here touches the network.
func setup(log *slog.Logger) (*handler, error) {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	store := secrets.New(ssm.NewFromConfig(awsCfg), cfg.ParameterPrefix, secretsTTL)
	bus := forward.New(eventbridge.NewFromConfig(awsCfg), cfg.EventBus)
	table := state.New(dynamodb.NewFromConfig(awsCfg), cfg.Table, time.Now)
	h := newHandler(cfg, store, bus, guard.New(table, time.Now), table, restClient(discordOptions(cfg.DiscordAPIURL)), log)
	h.subs = newSubscriptions(subscription.Store{Table: table}, time.Now)
	h.reminders = table
	h.people = people.Store{Table: table}.Mentions
	if cfg.Reminders.AppID != 0 {
		app := &lazyApp{secrets: store, opts: reminderGitHubOptions(cfg.Reminders)}
		h.pulls = app.pullRequests
	}
	return h, nil
}
