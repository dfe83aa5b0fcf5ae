// Package stack reads what CloudFormation knows of the suite: the DiscordChatOps stack's
// outputs, and whether CDK's bootstrap stack (CDKToolkit) exists in the account and Region.
//
// Upstream reference: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
package stack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

// Name is the suite's stack (infra/main.go).
const Name = "DiscordChatOps"

// BootstrapName is the stack `cdk bootstrap` creates.
const BootstrapName = "CDKToolkit"

// The outputs the wiring and doctor use.
const (
	InteractionsEndpointURL  = "InteractionsEndpointUrl"
	GithubWebhookURL         = "GithubWebhookUrl"
	InteractionsFunctionName = "InteractionsFunctionName"
	TableName                = "TableName"
)

// Outputs lists the outputs the wiring and doctor need.
func Outputs() []string {
	return []string{InteractionsEndpointURL, GithubWebhookURL, InteractionsFunctionName, TableName}
}

// ErrNotFound is wrapped when the stack does not exist.
var ErrNotFound = errors.New("stack does not exist")

// API is the part of the CloudFormation client used here; *cloudformation.Client satisfies it.
type API interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// Describe returns a stack's status and outputs by key; the error wraps ErrNotFound when it
// does not exist.
func Describe(ctx context.Context, api API, name string) (status string, outputs map[string]string, err error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationError" && strings.Contains(apiErr.ErrorMessage(), "does not exist") {
		return "", nil, fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return "", nil, fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	s := out.Stacks[0]
	outputs = map[string]string{}
	for _, o := range s.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return string(s.StackStatus), outputs, nil
}

// Bootstrapped says whether the CDKToolkit stack exists and is usable.
func Bootstrapped(ctx context.Context, api API) (bool, error) {
	status, _, err := Describe(ctx, api, BootstrapName)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !strings.HasPrefix(status, "DELETE_") && status != "ROLLBACK_COMPLETE", nil
}
