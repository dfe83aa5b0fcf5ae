package forward

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeBus answers PutEvents with the next of its answers and records what it was given.
type fakeBus struct {
	answers []func() (*eventbridge.PutEventsOutput, error)
	got     []*eventbridge.PutEventsInput
}

func (f *fakeBus) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.got = append(f.got, in)
	answer := f.answers[min(len(f.got), len(f.answers))-1]
	return answer()
}

func accepted() (*eventbridge.PutEventsOutput, error) {
	return &eventbridge.PutEventsOutput{Entries: []types.PutEventsResultEntry{{EventId: aws.String("e-1")}}}, nil
}

func failedEntry() (*eventbridge.PutEventsOutput, error) {
	return &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []types.PutEventsResultEntry{{
		ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again"),
	}}}, nil
}

func TestForward(t *testing.T) {
	t.Parallel()
	const payload = `{"action":"completed","workflow_run":{"id":1}}`
	errCall := errors.New("connection reset")
	tests := []struct {
		name      string
		answers   []func() (*eventbridge.PutEventsOutput, error)
		payload   string
		wantCalls int
		wantErr   error // nil: success; errAny: some error
	}{
		{name: "accepted", answers: fnList(accepted), payload: payload, wantCalls: 1},
		{name: "failed entry retried", answers: fnList(failedEntry, accepted), payload: payload, wantCalls: 2},
		{name: "failed entry every time", answers: fnList(failedEntry), payload: payload, wantCalls: maxAttempts, wantErr: errEntryFailed},
		{
			name: "count without entry detail", payload: payload, wantCalls: maxAttempts, wantErr: errEntryFailed,
			answers: fnList(func() (*eventbridge.PutEventsOutput, error) {
				return &eventbridge.PutEventsOutput{FailedEntryCount: 1}, nil
			}),
		},
		{
			name: "no event id", payload: payload, wantCalls: maxAttempts, wantErr: errEntryFailed,
			answers: fnList(func() (*eventbridge.PutEventsOutput, error) {
				return &eventbridge.PutEventsOutput{Entries: []types.PutEventsResultEntry{{}}}, nil
			}),
		},
		{
			// The SDK has retried the call already; Forward does not retry it again.
			name: "call fails", payload: payload, wantCalls: 1, wantErr: errCall,
			answers: fnList(func() (*eventbridge.PutEventsOutput, error) { return nil, errCall }),
		},
		{name: "not json", answers: fnList(accepted), payload: `payload=%7B%7D`, wantErr: ErrInvalidDetail},
		{name: "json array", answers: fnList(accepted), payload: `[1]`, wantErr: ErrInvalidDetail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bus := &fakeBus{answers: tt.answers}
			f := New(bus, "chatops-events")
			var slept []time.Duration
			f.Sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }

			err := f.Forward(context.Background(), "workflow_run", []byte(tt.payload))
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Forward error = %v, want %v", err, tt.wantErr)
			}
			if len(bus.got) != tt.wantCalls {
				t.Errorf("PutEvents called %d times, want %d", len(bus.got), tt.wantCalls)
			}
			if len(slept) != max(0, tt.wantCalls-1) {
				t.Errorf("slept %v between %d calls", slept, tt.wantCalls)
			}
			for _, in := range bus.got {
				want := &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
					EventBusName: aws.String("chatops-events"),
					Source:       aws.String("chatops.github"),
					DetailType:   aws.String("workflow_run"),
					Detail:       aws.String(payload),
				}}}
				if diff := cmp.Diff(want, in, cmpopts.IgnoreUnexported(eventbridge.PutEventsInput{}, types.PutEventsRequestEntry{})); diff != "" {
					t.Errorf("PutEvents input (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestForwardGivesUpWithContext(t *testing.T) {
	t.Parallel()
	bus := &fakeBus{answers: fnList(failedEntry)}
	f := New(bus, "chatops-events")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := f.Forward(ctx, "deployment_status", []byte(`{}`))
	if !errors.Is(err, errEntryFailed) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Forward error = %v, want the entry failure and context.Canceled", err)
	}
	if len(bus.got) != 1 {
		t.Errorf("PutEvents called %d times after the context ended, want 1", len(bus.got))
	}
}

func TestWants(t *testing.T) {
	t.Parallel()
	for eventType, want := range map[string]bool{
		"workflow_run": true, "deployment_status": true,
		"pull_request": false, "deployment": false, "workflow_job": false, "": false,
	} {
		if got := Wants(eventType); got != want {
			t.Errorf("Wants(%q) = %v, want %v", eventType, got, want)
		}
	}
}

func fnList(fs ...func() (*eventbridge.PutEventsOutput, error)) []func() (*eventbridge.PutEventsOutput, error) {
	return fs
}
