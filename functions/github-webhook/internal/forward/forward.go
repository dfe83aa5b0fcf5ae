// Package forward puts the GitHub events that other functions act on (workflow_run,
// deployment_status) onto the suite's EventBridge bus, shaped as the runtime contract says.
//
// Upstream references:
//   - PutEvents: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
//   - Partial failures: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html#eb-failure-handling
package forward

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// Source is the source of every event the function puts on the bus.
const Source = "chatops.github"

// maxAttempts bounds the tries of an entry EventBridge reports as failed. The SDK retries
// errors of the call itself; a failed entry comes back in a successful answer and is retried here.
const maxAttempts = 3

// ErrInvalidDetail is wrapped by the error Forward returns for a payload that is not a JSON
// object: a client mistake, not a failure of the bus.
var ErrInvalidDetail = errors.New("payload is not a JSON object")

// Wants reports whether events of the given X-GitHub-Event type go to the bus.
func Wants(eventType string) bool {
	return eventType == "workflow_run" || eventType == "deployment_status"
}

// PutEventsAPI is the part of the EventBridge client a Forwarder uses; *eventbridge.Client
// satisfies it.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Forwarder puts webhook payloads on one bus.
type Forwarder struct {
	client PutEventsAPI
	bus    string
	// Sleep waits between tries of a failed entry; tests replace it.
	Sleep func(context.Context, time.Duration) error
}

// New returns a Forwarder putting events on the named bus through client.
func New(client PutEventsAPI, bus string) *Forwarder {
	return &Forwarder{client: client, bus: bus, Sleep: sleep}
}

// Forward puts one event on the bus: Source "chatops.github", DetailType the X-GitHub-Event
// type, Detail the payload as GitHub sent it. It returns nil only when EventBridge accepted the
// entry; a failed entry is retried up to three times in all, within ctx.
func (f *Forwarder) Forward(ctx context.Context, eventType string, payload []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(payload, &obj); err != nil {
		return fmt.Errorf("forward %s: %w: %w", eventType, ErrInvalidDetail, err)
	}
	in := &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: aws.String(f.bus),
		Source:       aws.String(Source),
		DetailType:   aws.String(eventType),
		Detail:       aws.String(string(payload)),
	}}}
	var err error
	for attempt := 1; ; attempt++ {
		err = f.put(ctx, in)
		if err == nil || !errors.Is(err, errEntryFailed) || attempt == maxAttempts {
			return err
		}
		if serr := f.Sleep(ctx, time.Duration(attempt)*100*time.Millisecond); serr != nil {
			return fmt.Errorf("%w (gave up: %w)", err, serr)
		}
	}
}

var errEntryFailed = errors.New("entry failed")

func (f *Forwarder) put(ctx context.Context, in *eventbridge.PutEventsInput) error {
	out, err := f.client.PutEvents(ctx, in)
	if err != nil {
		return fmt.Errorf("put %s event on bus %s: %w", aws.ToString(in.Entries[0].DetailType), f.bus, err)
	}
	if out.FailedEntryCount == 0 && len(out.Entries) > 0 && aws.ToString(out.Entries[0].EventId) != "" {
		return nil
	}
	code, msg := "unknown", "no event id returned"
	if len(out.Entries) > 0 && out.Entries[0].ErrorCode != nil {
		code, msg = aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage)
	}
	return fmt.Errorf("put %s event on bus %s: %w: %s: %s", aws.ToString(in.Entries[0].DetailType), f.bus, errEntryFailed, code, msg)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
