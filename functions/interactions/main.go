// Command interactions is the interactions Lambda function of the ChatOps suite.
package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
		return nil, errors.New("interactions: not built yet")
	})
}
