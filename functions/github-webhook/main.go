// Command github-webhook is the github-webhook Lambda function of the ChatOps suite: it verifies
// the GitHub App's webhook deliveries, keeps one Discord message per pull request and issue, and puts
// workflow_run and deployment_status events on the suite's EventBridge bus; invoked by its
// schedule, it posts each channel's weekday review reminder (reminders.go).
package main

import (
	"log/slog"
	"os"
	_ "time/tzdata" // the provided.al2023 runtime has no zoneinfo for REPORT_TIMEZONE

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := setup(log)
	if err != nil {
		log.Error("start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h.invoke)
}
