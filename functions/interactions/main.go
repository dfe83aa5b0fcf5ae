// Command interactions is the Discord interactions endpoint of the ChatOps suite: it answers
// Discord within 3 seconds and does slow work in an asynchronous invocation of itself.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"
	_ "time/tzdata" // the provided.al2023 runtime has no zoneinfo for REPORT_TIMEZONE

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/functions/interactions/internal/appclient"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/secrets"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := setup(log)
	if err != nil {
		log.Error("start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h)
}

// setup reads the environment and builds the clients and the handler; nothing here touches
// the network.
func setup(log *slog.Logger) (*Handler, error) {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return nil, err
	}
	aws, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, fmt.Errorf("AWS config: %w", err)
	}
	discord := rest.New(rest.Options{BaseURL: cfg.DiscordAPIURL})
	ecsClient := ecs.NewFromConfig(aws)
	return newHandler(cfg, deps{
		invoker:   awslambda.NewFromConfig(aws),
		editor:    discord,
		originals: discord,
		github: appclient.NewLazy(secrets.New(ssm.NewFromConfig(aws), cfg.ParameterPrefix, 0),
			githubapp.Options{AppID: cfg.GitHub.AppID, BaseURL: cfg.GitHub.APIURL}),
		status: &status.Reader{EC2: ec2.NewFromConfig(aws), ECS: ecsClient, EKS: eks.NewFromConfig(aws),
			CloudWatch: cloudwatch.NewFromConfig(aws, status.WithJSONProtocol)},
		cost:   costreport.NewCache(costreport.New(costreport.NewCostExplorerClient(aws), cfg.Cost), costreport.DefaultCacheTTL),
		scaler: &scale.Scaler{ECS: ecsClient, AutoScaling: autoscaling.NewFromConfig(aws), MaxDesired: cfg.ScaleMaxDesired},
	}, log, time.Now)
}
