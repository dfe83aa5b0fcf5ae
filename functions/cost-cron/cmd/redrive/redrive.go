package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// queue is the part of the SQS client redrive calls; *sqs.Client satisfies it.
type queue interface {
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

// invoker invokes a function; *lambda.Client satisfies it.
type invoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// visibility is how long a received message stays hidden from other readers: long enough for
// its invocation and deletion. A message that was not redriven reappears after it.
const visibility = 60 * time.Second

// run redrives the queue that args name, reporting each message to out.
func run(ctx context.Context, args []string, out io.Writer, q queue, fn invoker) error {
	fs := flag.NewFlagSet("redrive", flag.ContinueOnError)
	fs.SetOutput(out)
	queueURL := fs.String("queue", "", "the dead-letter queue's URL (the alarm's post, or the stack's *DeadLetterQueueName output)")
	dryRun := fs.Bool("dry-run", false, "print what would be invoked; invoke and delete nothing (the messages shown stay hidden for 60 s)")
	function := fs.String("function", "", "the function for messages that do not name theirs")
	limit := fs.Int("max", 0, "redrive at most this many messages (default: as many as the queue holds when the run starts)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *queueURL == "" || fs.NArg() > 0 {
		return errors.New("usage: redrive -queue URL [-dry-run] [-function NAME] [-max N]")
	}
	if *limit <= 0 {
		n, err := size(ctx, q, *queueURL)
		if err != nil {
			return err
		}
		*limit = n
	}
	if *limit == 0 {
		fmt.Fprintf(out, "%s is empty: nothing to redrive\n", *queueURL)
		return nil
	}

	var sent, kept int
	for seen := 0; seen < *limit; {
		got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    queueURL,
			MaxNumberOfMessages:         int32(min(10, *limit-seen)),
			WaitTimeSeconds:             1, // long polling asks every server: an empty answer means empty
			VisibilityTimeout:           int32(visibility / time.Second),
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameSentTimestamp},
		})
		if err != nil {
			return fmt.Errorf("receive from %s: %w", *queueURL, err)
		}
		if len(got.Messages) == 0 {
			break
		}
		for _, m := range got.Messages {
			seen++
			target, payload, err := decode(m, *function)
			if err != nil {
				kept++
				fmt.Fprintf(out, "kept %s: %v\n", aws.ToString(m.MessageId), err)
				continue
			}
			if *dryRun {
				fmt.Fprintf(out, "would invoke %s with %s\n", target, payload)
				continue
			}
			if _, err := fn.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(target), InvocationType: lambdatypes.InvocationTypeEvent, Payload: payload}); err != nil {
				kept++
				fmt.Fprintf(out, "kept %s: invoke %s: %v\n", aws.ToString(m.MessageId), target, err)
				continue
			}
			if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: queueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				// Invoked but not deleted: it reappears, and a second redrive would invoke it
				// again (the functions' claims make most of them post once regardless).
				return fmt.Errorf("invoked %s for %s but could not delete the message; it will reappear: %w", target, aws.ToString(m.MessageId), err)
			}
			sent++
			fmt.Fprintf(out, "redrove %s to %s\n", aws.ToString(m.MessageId), target)
		}
	}
	if *dryRun {
		return nil
	}
	fmt.Fprintf(out, "%d redriven, %d kept in the queue\n", sent, kept)
	if kept > 0 {
		return fmt.Errorf("%d messages were not redriven (see above)", kept)
	}
	return nil
}

// size reads the queue's ApproximateNumberOfMessages.
func size(ctx context.Context, q queue, url string) (int, error) {
	out, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
	})
	if err != nil {
		return 0, fmt.Errorf("read the size of %s: %w", url, err)
	}
	n, err := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	if err != nil {
		return 0, fmt.Errorf("read the size of %s: %w", url, err)
	}
	return n, nil
}

// invocationRecord is the part of a Lambda invocation record redrive reads.
type invocationRecord struct {
	RequestContext struct {
		FunctionARN string `json:"functionArn"`
	} `json:"requestContext"`
	RequestPayload json.RawMessage `json:"requestPayload"`
}

// decode returns the function a dead-letter message failed in and the event to send it again:
// from a Lambda invocation record, or the body with the TARGET_ARN attribute, or the body with
// fallback, in that order.
func decode(m sqstypes.Message, fallback string) (target string, payload []byte, err error) {
	body := []byte(aws.ToString(m.Body))
	var rec invocationRecord
	if json.Unmarshal(body, &rec) == nil && rec.RequestContext.FunctionARN != "" && len(rec.RequestPayload) > 0 {
		target, payload = rec.RequestContext.FunctionARN, rec.RequestPayload
	} else {
		if a, ok := m.MessageAttributes["TARGET_ARN"]; ok && strings.Contains(aws.ToString(a.StringValue), ":lambda:") {
			target = aws.ToString(a.StringValue)
		} else {
			target = fallback
		}
		payload = body
	}
	if target == "" {
		return "", nil, errors.New("neither a Lambda invocation record nor an event with a TARGET_ARN attribute: say where it goes with -function")
	}
	if !json.Valid(payload) {
		return "", nil, errors.New("the event is not JSON")
	}
	if compact := new(bytes.Buffer); json.Compact(compact, payload) == nil && compact.String() == "{}" {
		// The cost report's "now": the time the failure reached the queue, not the redrive's.
		ms, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64)
		if err != nil {
			return "", nil, fmt.Errorf("an empty event without a SentTimestamp to date it: %w", err)
		}
		payload = []byte(`{"now":"` + time.UnixMilli(ms).UTC().Format(time.RFC3339) + `"}`)
	}
	return target, payload, nil
}
