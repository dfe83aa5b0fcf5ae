// Command echo is a Lambda function for the lambdatest tests: it answers {"echo": <event>},
// fails when the event says {"fail": "..."} and panics on {"panic": true}.
package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Fail  string `json:"fail"`
	Panic bool   `json:"panic"`
}

func main() {
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (map[string]any, error) {
		var e event
		_ = json.Unmarshal(raw, &e)
		if e.Panic {
			panic("asked to")
		}
		if e.Fail != "" {
			return nil, errors.New(e.Fail)
		}
		lc, _ := lambdacontext.FromContext(ctx)
		return map[string]any{"echo": raw, "request_id": lc.AwsRequestID, "function": lambdacontext.FunctionName}, nil
	})
}
