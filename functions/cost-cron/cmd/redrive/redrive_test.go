package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/discord-chatops/chatops/shared/mototest"
)

// invocation is one call the fake Lambda received.
type invocation struct {
	Function, Type, Payload string
}

// fakeLambda records asynchronous invocations and fails those of the functions in fail.
type fakeLambda struct {
	fail  map[string]bool
	mu    sync.Mutex
	calls []invocation
}

func (f *fakeLambda) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, invocation{aws.ToString(in.FunctionName), string(in.InvocationType), string(in.Payload)})
	if f.fail[aws.ToString(in.FunctionName)] {
		return nil, errors.New("TooManyRequestsException: Rate Exceeded.")
	}
	return &lambda.InvokeOutput{StatusCode: 202}, nil
}

const (
	deployNotifyARN = "arn:aws:lambda:us-east-1:123456789012:function:DiscordChatOps-DeployNotify"
	costCronARN     = "arn:aws:lambda:us-east-1:123456789012:function:DiscordChatOps-CostCron"
	deployEvent     = `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"workflow_run","source":"chatops.github","detail":{"action":"completed"}}`
)

// message is a dead-letter message to put in the queue.
type message struct {
	body   string
	target string // the TARGET_ARN attribute, when set
}

// newQueue creates a queue in moto holding msgs and returns its client and URL.
func newQueue(t *testing.T, s *mototest.Server, name string, msgs []message) (*sqs.Client, string) {
	t.Helper()
	client := sqs.NewFromConfig(s.Config(t))
	ctx := context.Background()
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		in := &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String(m.body)}
		if m.target != "" {
			in.MessageAttributes = map[string]sqstypes.MessageAttributeValue{
				"RULE_ARN":   {DataType: aws.String("String"), StringValue: aws.String("arn:aws:events:us-east-1:123456789012:rule/chatops/DeployEventsRule")},
				"TARGET_ARN": {DataType: aws.String("String"), StringValue: aws.String(m.target)},
				"ERROR_CODE": {DataType: aws.String("String"), StringValue: aws.String("SDK_CLIENT_ERROR")},
			}
		}
		if _, err := client.SendMessage(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	return client, *out.QueueUrl
}

// remaining is how many messages the queue still holds, visible or not.
func remaining(t *testing.T, client *sqs.Client, url string) int {
	t.Helper()
	out, err := client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for name, v := range out.Attributes {
		k, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s = %q: %v", name, v, err)
		}
		n += k
	}
	return n
}

func TestRedrive(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	record, err := os.ReadFile("testdata/invocation-record.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		msgs      []message
		args      []string
		fail      map[string]bool
		want      []invocation // the invocations, in any order
		wantLeft  int          // messages left in the queue
		wantErr   string
		wantInOut string
	}{
		{
			name: "an invocation record and an EventBridge dead letter",
			msgs: []message{{body: string(record)}, {body: deployEvent, target: deployNotifyARN}},
			want: []invocation{
				{"arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST", "Event", `{
        "ORDER_IDS": [
            "9e07af03-ce31-4ff3-xmpl-36dce652cb4f",
            "637de236-e7b2-464e-xmpl-baf57f86bb53",
            "a81ddca6-2c35-45c7-xmpl-c3a03a31ed15"
        ]
    }`},
				{deployNotifyARN, "Event", deployEvent},
			},
			wantInOut: "2 redriven, 0 kept",
		},
		{
			name:      "the cost schedule's {} is dated",
			msgs:      []message{{body: `{}`, target: costCronARN}},
			wantInOut: `redrove`,
			want:      []invocation{{costCronARN, "Event", `{"now":"`}}, // the date is SQS's SentTimestamp: checked below
		},
		{
			name:      "a message that names no function is kept",
			msgs:      []message{{body: deployEvent}, {body: deployEvent, target: deployNotifyARN}},
			want:      []invocation{{deployNotifyARN, "Event", deployEvent}},
			wantLeft:  1,
			wantErr:   "1 messages were not redriven",
			wantInOut: "say where it goes with -function",
		},
		{
			name:      "-function for messages that name none",
			msgs:      []message{{body: deployEvent}},
			args:      []string{"-function", "DiscordChatOps-DeployNotify"},
			want:      []invocation{{"DiscordChatOps-DeployNotify", "Event", deployEvent}},
			wantInOut: "1 redriven",
		},
		{
			name:      "a failed invocation keeps its message",
			msgs:      []message{{body: deployEvent, target: deployNotifyARN}},
			fail:      map[string]bool{deployNotifyARN: true},
			want:      []invocation{{deployNotifyARN, "Event", deployEvent}},
			wantLeft:  1,
			wantErr:   "1 messages were not redriven",
			wantInOut: "TooManyRequestsException",
		},
		{
			name:      "a dry run invokes and deletes nothing",
			msgs:      []message{{body: deployEvent, target: deployNotifyARN}},
			args:      []string{"-dry-run"},
			wantLeft:  1,
			wantInOut: "would invoke " + deployNotifyARN + " with " + deployEvent,
		},
		{
			name:      "an empty queue",
			wantInOut: "is empty: nothing to redrive",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, url := newQueue(t, s, "dlq-"+string(rune('a'+i)), tt.msgs)
			fn := &fakeLambda{fail: tt.fail}
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"-queue", url}, tt.args...), &out, client, fn)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run = %v, want an error containing %q\n%s", err, tt.wantErr, &out)
				}
			} else if err != nil {
				t.Fatalf("run: %v\n%s", err, &out)
			}
			if !strings.Contains(out.String(), tt.wantInOut) {
				t.Errorf("output does not say %q:\n%s", tt.wantInOut, &out)
			}
			got := fn.calls
			if len(tt.want) == 1 && strings.HasSuffix(tt.want[0].Payload, `"now":"`) && len(got) == 1 && strings.HasPrefix(got[0].Payload, `{"now":"`) {
				got = []invocation{{got[0].Function, got[0].Type, `{"now":"`}}
				if !strings.HasSuffix(fn.calls[0].Payload, `Z"}`) || len(fn.calls[0].Payload) != len(`{"now":"2006-01-02T15:04:05Z"}`) {
					t.Errorf("dated payload = %s, want {\"now\": RFC 3339 UTC}", fn.calls[0].Payload)
				}
			}
			byFunction := cmpopts.SortSlices(func(a, b invocation) bool { return a.Function < b.Function })
			if diff := cmp.Diff(tt.want, got, byFunction, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("invocations (-want +got):\n%s", diff)
			}
			if n := remaining(t, client, url); n != tt.wantLeft {
				t.Errorf("%d messages left in the queue, want %d", n, tt.wantLeft)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"-queue"}, {"extra"}, {"-queue", "u", "extra"}} {
		if err := run(context.Background(), args, &bytes.Buffer{}, nil, nil); err == nil {
			t.Errorf("run(%q) accepted bad arguments", args)
		}
	}
}
