// Command cost-cron is the Lambda function that posts the daily AWS cost report to Discord.
// EventBridge Scheduler invokes it at 09:00 REPORT_TIMEZONE; see handler.go for its input.
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
	lambda.Start(h.Handle)
}
