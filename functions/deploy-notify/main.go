// Command deploy-notify is the deploy-notify Lambda function of the ChatOps suite.
package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
		return nil, errors.New("deploy-notify: not built yet")
	})
}
