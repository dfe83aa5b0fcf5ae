// Command interactions is the Discord interactions endpoint of the ChatOps suite: it answers
// Discord within 3 seconds and does slow work in an asynchronous invocation of itself.
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
		log.Error("start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h)
}
