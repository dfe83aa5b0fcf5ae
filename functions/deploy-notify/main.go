// Command deploy-notify is the Lambda function that reports deploys in Discord: the runs of
// the deploy workflow on the card they were approved on, and deployments made elsewhere in the
// notification channel. An EventBridge rule delivers it the workflow_run and deployment_status
// events github-webhook puts on the bus; see handler.go.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/shared/secrets"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		log.Error("start", "err", err)
		os.Exit(1)
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("start: aws config", "err", err)
		os.Exit(1)
	}
	tokens := secrets.New(ssm.NewFromConfig(awsCfg), cfg.parameterPrefix, secretTTL)
	lambda.Start(newHandler(cfg, tokens, log).Handle)
}
