package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// stackName is the CloudFormation stack `make deploy` creates (infra/main.go).
const stackName = "DiscordChatOps"

// tableOutput is the stack output that names the state table (infra/state.go).
const tableOutput = "TableName"

// outputsFile is where `make deploy` writes the stack's outputs, under the repository root.
var outputsFile = filepath.Join("cdk.out", "outputs.json")

// stacksAPI is the CloudFormation call that reads the deployed stack's outputs;
// *cloudformation.Client satisfies it.
type stacksAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// tablesAPI is the DynamoDB call that checks the table is there; *dynamodb.Client satisfies it.
type tablesAPI interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// errNoTable says how to get a table when none was found.
var errNoTable = errors.New("no state table (CHATOPS_TABLE) for a real account: deploy the stack (make deploy; " +
	"its TableName output is the table), or pass --table NAME or set CHATOPS_TABLE to a deployed table, " +
	"or run with --demo for a table in a local moto_server")

// deployedTable finds the deployed stack's state table when neither --table nor CHATOPS_TABLE
// named one: the TableName output in root/cdk.out/outputs.json, which `make deploy` writes, or
// else the stack's outputs from CloudFormation. It returns the name and where it came from.
func deployedTable(ctx context.Context, root string, stacks stacksAPI) (name, from string, err error) {
	file := filepath.Join(root, outputsFile)
	name, err = outputsTable(file)
	if err != nil || name != "" {
		return name, outputsFile, err
	}
	out, err := stacks.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stackName)})
	if err != nil {
		return "", "", fmt.Errorf("%w.\n%s has no %s, and the stack %s could not be read: %w", errNoTable, outputsFile, tableOutput, stackName, err)
	}
	for _, s := range out.Stacks {
		for _, o := range s.Outputs {
			if aws.ToString(o.OutputKey) == tableOutput && aws.ToString(o.OutputValue) != "" {
				return aws.ToString(o.OutputValue), "the stack " + stackName + "'s outputs", nil
			}
		}
	}
	return "", "", fmt.Errorf("%w.\nThe stack %s has no %s output: deploy this version of it (make deploy)", errNoTable, stackName, tableOutput)
}

// outputsTable reads the table's name from the outputs file `cdk deploy --outputs-file` writes
// ({"DiscordChatOps": {"TableName": "..."}}); "" when the file or the output is absent.
func outputsTable(file string) (string, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the stack outputs: %w", err)
	}
	var outputs map[string]map[string]string
	if err := json.Unmarshal(b, &outputs); err != nil {
		return "", fmt.Errorf("read the stack outputs %s: %w", file, err)
	}
	return outputs[stackName][tableOutput], nil
}

// checkTable makes sure the table exists before the functions start, so that a wrong name or
// account shows here rather than as failed requests.
func checkTable(ctx context.Context, tables tablesAPI, name, from, region string) error {
	_, err := tables.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var notFound *dbtypes.ResourceNotFoundException
	if errors.As(err, &notFound) {
		return fmt.Errorf("the state table %s (from %s) does not exist in %s: check the account and Region of your credentials, "+
			"deploy the stack (make deploy), or run with --demo", name, from, region)
	}
	if err != nil {
		return fmt.Errorf("check the state table %s (from %s): %w", name, from, err)
	}
	return nil
}
