// Command deploy-notify is the Lambda function that reports deploys in Discord: the runs of
// the deploy workflow on the card they were approved on, and deployments made elsewhere in the
// notification channel. An EventBridge rule delivers it the workflow_run and deployment_status
// events github-webhook puts on the bus; see handler.go.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := setup(log)
	if err != nil {
		log.Error("start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
