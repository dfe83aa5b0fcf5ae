package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// fakeStacks answers DescribeStacks with out or err, and counts the calls.
type fakeStacks struct {
	out   *cloudformation.DescribeStacksOutput
	err   error
	calls int
}

func (f *fakeStacks) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	f.calls++
	if aws.ToString(in.StackName) != stackName {
		return nil, errors.New("asked for stack " + aws.ToString(in.StackName))
	}
	return f.out, f.err
}

func stackWith(outputs map[string]string) *cloudformation.DescribeStacksOutput {
	s := cftypes.Stack{StackName: aws.String(stackName)}
	for k, v := range outputs {
		s.Outputs = append(s.Outputs, cftypes.Output{OutputKey: aws.String(k), OutputValue: aws.String(v)})
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{s}}
}

func TestDeployedTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		outputs   string // cdk.out/outputs.json; "" means no file
		stacks    *fakeStacks
		want      string
		wantFrom  string
		wantCalls int
		wantErr   []string // each must appear in the error
	}{
		{
			name:     "make deploy's outputs file",
			outputs:  `{"DiscordChatOps": {"TableName": "DiscordChatOps-StateTable1234", "GithubWebhookUrl": "https://x"}}`,
			stacks:   &fakeStacks{err: errors.New("not to be called")},
			want:     "DiscordChatOps-StateTable1234",
			wantFrom: "cdk.out/outputs.json",
		},
		{
			name:      "the stack's outputs when the file is absent",
			stacks:    &fakeStacks{out: stackWith(map[string]string{"TableName": "DiscordChatOps-StateTable9", "GithubWebhookUrl": "https://x"})},
			want:      "DiscordChatOps-StateTable9",
			wantFrom:  "the stack DiscordChatOps's outputs",
			wantCalls: 1,
		},
		{
			name:      "the stack's outputs when the file predates the table",
			outputs:   `{"DiscordChatOps": {"GithubWebhookUrl": "https://x"}}`,
			stacks:    &fakeStacks{out: stackWith(map[string]string{"TableName": "DiscordChatOps-StateTable9"})},
			want:      "DiscordChatOps-StateTable9",
			wantFrom:  "the stack DiscordChatOps's outputs",
			wantCalls: 1,
		},
		{
			name:      "no stack: say how to get a table",
			stacks:    &fakeStacks{err: &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id DiscordChatOps does not exist"}},
			wantCalls: 1,
			wantErr:   []string{"make deploy", "--table NAME", "CHATOPS_TABLE", "--demo", "Stack with id DiscordChatOps does not exist"},
		},
		{
			name:      "a stack from before the table",
			stacks:    &fakeStacks{out: stackWith(map[string]string{"GithubWebhookUrl": "https://x"})},
			wantCalls: 1,
			wantErr:   []string{"make deploy", "--demo", "has no TableName output"},
		},
		{
			name:    "a broken outputs file",
			outputs: `{"DiscordChatOps": `,
			stacks:  &fakeStacks{},
			wantErr: []string{"outputs.json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			if tt.outputs != "" {
				if err := os.MkdirAll(filepath.Join(root, "cdk.out"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, outputsFile), []byte(tt.outputs), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			name, from, err := deployedTable(context.Background(), root, tt.stacks)
			if tt.stacks.calls != tt.wantCalls {
				t.Errorf("DescribeStacks called %d times, want %d", tt.stacks.calls, tt.wantCalls)
			}
			if len(tt.wantErr) > 0 {
				errorSays(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if name != tt.want || from != tt.wantFrom {
				t.Errorf("found %q from %q, want %q from %q", name, from, tt.want, tt.wantFrom)
			}
		})
	}
}

// tablesFunc is a DescribeTable.
type tablesFunc func(name string) error

func (f tablesFunc) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	if err := f(aws.ToString(in.TableName)); err != nil {
		return nil, err
	}
	return &dynamodb.DescribeTableOutput{Table: &dbtypes.TableDescription{TableName: in.TableName}}, nil
}

func TestCheckTable(t *testing.T) {
	t.Parallel()
	tables := tablesFunc(func(name string) error {
		switch name {
		case "there":
			return nil
		case "denied":
			return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform dynamodb:DescribeTable"}
		}
		return &dbtypes.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	})
	if err := checkTable(context.Background(), tables, "there", "--table", "eu-west-1"); err != nil {
		t.Errorf("existing table: %v", err)
	}
	errorSays(t, checkTable(context.Background(), tables, "gone", "cdk.out/outputs.json", "eu-west-1"),
		[]string{"gone", "cdk.out/outputs.json", "does not exist in eu-west-1", "make deploy", "--demo"})
	errorSays(t, checkTable(context.Background(), tables, "denied", "--table", "eu-west-1"), []string{"dynamodb:DescribeTable"})
}
