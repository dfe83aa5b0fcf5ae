package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/functions/interactions/internal/appclient"
	"github.com/discord-chatops/chatops/functions/interactions/internal/link"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
)

// setup reads the environment and builds the clients and the handler; nothing here touches
// the network.
func setup(log *slog.Logger) (*Handler, error) {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, fmt.Errorf("AWS config: %w", err)
	}
	return newHandler(cfg, clients(cfg, awsCfg), log, time.Now)
}

// clients builds the clients the handler and its commands use, once per execution
// environment; the services over them are the catalog's.
func clients(cfg config, awsCfg aws.Config) deps {
	discord := rest.New(rest.Options{BaseURL: cfg.DiscordAPIURL})
	ecsClient := ecs.NewFromConfig(awsCfg)
	table := state.New(dynamodb.NewFromConfig(awsCfg), cfg.Table, time.Now)
	var flow link.Flow
	if cfg.GitHub.ClientID != "" {
		flow = link.DeviceFlow{ClientID: cfg.GitHub.ClientID, WebURL: link.GitHubWebURL, APIURL: cfg.GitHub.APIURL}
	}
	return deps{
		deviceFlow: flow,
		table:      table,
		invoker:    awslambda.NewFromConfig(awsCfg),
		editor:     discord,
		originals:  discord,
		github: appclient.NewLazy(secrets.New(ssm.NewFromConfig(awsCfg), cfg.ParameterPrefix, 0),
			githubapp.Options{AppID: cfg.GitHub.AppID, BaseURL: cfg.GitHub.APIURL}),
		status: &status.Reader{EC2: ec2.NewFromConfig(awsCfg), ECS: ecsClient, EKS: eks.NewFromConfig(awsCfg),
			CloudWatch: cloudwatch.NewFromConfig(awsCfg, status.WithJSONProtocol)},
		cost:   costreport.New(costreport.NewCostExplorerClient(awsCfg), cfg.Cost),
		scaler: &scale.Scaler{ECS: ecsClient, AutoScaling: autoscaling.NewFromConfig(awsCfg), MaxDesired: cfg.ScaleMaxDesired},
	}
}
