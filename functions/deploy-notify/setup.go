package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
)

// setup reads the environment and builds the clients and the handler once per execution
// environment; nothing here touches the network.
func setup(log *slog.Logger) (*handler, error) {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, fmt.Errorf("AWS config: %w", err)
	}
	tokens := secrets.New(ssm.NewFromConfig(awsCfg), cfg.parameterPrefix, secretTTL)
	table := state.New(dynamodb.NewFromConfig(awsCfg), cfg.table, time.Now)
	return newHandler(cfg, tokens, table, log), nil
}
