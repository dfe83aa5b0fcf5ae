package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// otherEventID is the id of a second EventBridge event with a payload already delivered: a
// GitHub redelivery, which github-webhook puts on the bus again.
const otherEventID = "0d3c1f6e-2b7a-4e59-8c41-7a9e5b2d6f10"

// TestRedelivery: a second delivery of an event, or a second event carrying a run state
// already reported, makes no Discord call at all, a minute later in the same execution
// environment and three hours later in another one, whose Discord has forgotten the nonces and
// still shows the card as it was: only the state table can tell.
func TestRedelivery(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		name          string
		eventType     string
		first, second string // payload files; the second delivery is a new event when they differ
		card          bool
		firstCalls    []string
	}{
		{"run posted", "workflow_run", "workflow_run.completed.failure.derived", "", false, []string{http.MethodPost}},
		{"run on its card", "workflow_run", "workflow_run.completed.failure.card.derived", "", true, []string{http.MethodGet, http.MethodPatch, http.MethodPost}}, // the reply
		{"deployment", "deployment_status", "deployment_status.created", "", false, []string{http.MethodPost}},
		// Without a card, requested and in_progress are one "running" post.
		{"running run posted", "workflow_run", "workflow_run.requested", "workflow_run.in_progress.derived", false, []string{http.MethodPost}},
	}
	gaps := []struct {
		name string
		gap  time.Duration
		// fresh: the second delivery reaches another execution environment and a Discord past
		// its nonce window.
		fresh bool
	}{
		{"a minute later", time.Minute, false},
		{"3 hours later", 3 * time.Hour, true},
	}
	for _, k := range kinds {
		for _, sameID := range []bool{true, false} {
			if k.second != "" && sameID {
				continue // a different payload is a different event
			}
			for _, g := range gaps {
				name := k.name + "/same event/" + g.name
				if !sameID {
					name = k.name + "/new event/" + g.name
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					clock := statetest.NewClock(testNow)
					table := statetest.New(t, motoServer, clock.Now)
					f := newFixtureOn(t, "test.yml", table)
					if k.card {
						seed(t, f.discord, card)
					}
					first := envelope(t, k.eventType, githubapptest.Payload(t, k.first))
					if err := f.h.Handle(context.Background(), first); err != nil {
						t.Fatalf("first delivery: %v", err)
					}
					if diff := cmp.Diff(k.firstCalls, methods(f.discord.Requests())); diff != "" {
						t.Fatalf("first delivery: requests (-want +got):\n%s", diff)
					}

					clock.Advance(g.gap)
					again := f
					if g.fresh {
						again = newFixtureOn(t, "test.yml", table)
						if k.card {
							seed(t, again.discord, card) // as it was before the first edit
						}
					}
					file := k.first
					if k.second != "" {
						file = k.second
					}
					e := envelope(t, k.eventType, githubapptest.Payload(t, file))
					wantReason := "event delivered again"
					if !sameID {
						e.ID = otherEventID
						wantReason = "already reported by event " + first.ID
					}
					before := len(again.discord.Requests())
					if err := again.h.Handle(context.Background(), e); err != nil {
						t.Fatalf("second delivery: %v", err)
					}
					if got := again.discord.Requests()[before:]; len(got) != 0 {
						t.Errorf("second delivery: requests %v, want none", methods(got))
					}
					if logs := again.logs.String(); !strings.Contains(logs, `"msg":"ignored"`) || !strings.Contains(logs, wantReason+`"`) {
						t.Errorf("no \"ignored\" log line saying %q:\n%s", wantReason, logs)
					}
				})
			}
		}
	}
}

// methods lists the requests' methods, in order.
func methods(reqs []discordtest.Request) []string {
	var m []string
	for _, r := range reqs {
		m = append(m, r.Method)
	}
	return m
}

// TestRetryAfterFailure: an event that could not be reported gives its claims back, so that
// Lambda's retry of it reports it, once.
func TestRetryAfterFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fail  func(*fixture)
		cause func(error) bool
	}{
		{"Discord refuses the post", func(f *fixture) {
			f.discord.Script(http.MethodPost, discordtest.Error(http.StatusUnauthorized, 0, "401: Unauthorized"))
		}, func(err error) bool { return strings.Contains(err.Error(), "401") }},
		{"token unreadable", func(f *fixture) { f.tokens.err = secrets.ErrNotFound }, func(err error) bool { return errors.Is(err, secrets.ErrNotFound) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "test.yml")
			tt.fail(f)
			err := f.send(t, "workflow_run", "workflow_run.completed.failure.derived")
			var pe *PublishError
			if !errors.As(err, &pe) || !tt.cause(err) {
				t.Fatalf("first attempt: %v, want a *PublishError with the cause", err)
			}
			f.tokens.err = nil
			if err := f.send(t, "workflow_run", "workflow_run.completed.failure.derived"); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if n := len(f.discord.Created(testChannelID)); n != 1 {
				t.Errorf("%d messages in the channel, want 1", n)
			}
		})
	}
}

// flakyAPI is the moto table's client, except that the n-th PutItem (from 1) answers fail(n)
// when that is not nil; it counts DeleteItems.
type flakyAPI struct {
	state.API
	fail    func(n int) error
	mu      sync.Mutex
	puts    int
	deletes int
}

func (a *flakyAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	a.mu.Lock()
	a.puts++
	err := a.fail(a.puts)
	a.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return a.API.PutItem(ctx, in, optFns...)
}

func (a *flakyAPI) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	a.mu.Lock()
	a.deletes++
	a.mu.Unlock()
	return a.API.DeleteItem(ctx, in, optFns...)
}

// TestTableFaults: a table that throttles or fails (what the SDK's retries left) does not
// cost the report: it is posted, and the skipped guard is logged at WARN. Any other table
// error is the invocation's error, before Discord is called, with the claims made so far
// released, so that Lambda's retry reports the event once.
func TestTableFaults(t *testing.T) {
	t.Parallel()
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("Rate of requests exceeds the allowed throughput")}
	serverError := &smithy.GenericAPIError{Code: "InternalServerError", Message: "Internal server error"}
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: dynamodb:PutItem"}
	tests := []struct {
		name        string
		failPut     int // which PutItem fails: 1 the event's claim, 2 the run state's
		err         error
		wantErr     bool
		wantDeletes int
	}{
		{"event claim throttled", 1, throttled, false, 0},
		{"run claim throttled", 2, throttled, false, 0},
		{"event claim 5xx", 1, serverError, false, 0},
		{"event claim denied", 1, denied, true, 0},
		{"run claim denied", 2, denied, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := statetest.NewClock(testNow)
			client, name := statetest.Create(t, motoServer)
			api := &flakyAPI{API: statetest.Serialize(client), fail: func(n int) error {
				if n == tt.failPut {
					return tt.err
				}
				return nil
			}}
			f := newFixtureOn(t, "test.yml", state.New(api, name, clock.Now))
			err := f.send(t, "workflow_run", "workflow_run.completed.failure.derived")
			warned := strings.Contains(f.logs.String(), `"level":"WARN","msg":"guard skipped"`)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Handle: %v, want the report posted anyway", err)
				}
				if n := len(f.discord.Created(testChannelID)); n != 1 {
					t.Errorf("%d messages in the channel, want 1", n)
				}
				if !warned {
					t.Errorf("no WARN that the guard was skipped:\n%s", f.logs)
				}
				return
			}
			var pe *PublishError
			if !errors.As(err, &pe) || pe.Step != "claim event" || !errors.Is(err, tt.err) {
				t.Fatalf("Handle: %v, want a *PublishError of step \"claim event\" wrapping the table's error", err)
			}
			if n := len(f.discord.Requests()); n != 0 || warned {
				t.Errorf("%d Discord requests, guard skipped %v: want none, false", n, warned)
			}
			if api.deletes != tt.wantDeletes {
				t.Errorf("%d claims released, want %d", api.deletes, tt.wantDeletes)
			}
			// Lambda's retry: the table answers now.
			if err := f.send(t, "workflow_run", "workflow_run.completed.failure.derived"); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if n := len(f.discord.Created(testChannelID)); n != 1 {
				t.Errorf("after the retry, %d messages in the channel, want 1", n)
			}
		})
	}
}
