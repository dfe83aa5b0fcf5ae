package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// setup reads the environment and builds the handler once per execution environment; nothing
// here touches the network.
func setup(log *slog.Logger) (*handler, error) {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, fmt.Errorf("AWS config: %w", err)
	}
	return newHandler(cfg, awsCfg, log), nil
}
