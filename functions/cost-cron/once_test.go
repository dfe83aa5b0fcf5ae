package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/outbuf"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// reportDay is the Scheduler's 09:00 KST run on 2025-10-18.
var reportDay = time.Date(2025, 10, 18, 0, 0, 0, 0, time.UTC)

// onceHandler is testHandler with an empty Cost Explorer month (the figures are not what these
// tests are about), the bot token in moto's SSM, and the handler and its table on clock.
func onceHandler(t *testing.T, s *mototest.Server, d *discordtest.Server, clock *statetest.Clock) *handler {
	t.Helper()
	h, awsCfg, cfg := testHandler(t, s, d, nil)
	putToken(t, awsCfg)
	h.reporter = costreport.New(failingCE{}, cfg.report)
	h.now = clock.Now
	h.table = state.New(dynamodb.NewFromConfig(awsCfg), cfg.table, clock.Now)
	return h
}

// captureLog collects h's log lines.
func captureLog(h *handler) *outbuf.Buffer {
	b := &outbuf.Buffer{}
	h.log = slog.New(slog.NewJSONHandler(b, nil))
	return b
}

// TestReportOncePerDay runs the schedule a second time on the same day, as a Scheduler retry,
// a second schedule or a hand invocation would, a minute and hours after the first: the
// second run posts nothing, to a fresh Discord that remembers no nonce, and answers with the
// first message. A backfill for another day still posts.
func TestReportOncePerDay(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	tests := []struct {
		name   string
		later  time.Duration
		second string // the second run's event
		posts  bool   // whether the second run posts
	}{
		{"the same day within a minute", 40 * time.Second, `{}`, false},
		{"the same day 3 hours later", 3 * time.Hour, `{}`, false},
		{"the same day by hand, hours later", 5 * time.Hour, `{"now": "2025-10-18T05:00:00Z"}`, false},
		{"a backfill for the day before", time.Minute, `{"now": "2025-10-17T00:00:00Z"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := statetest.NewClock(reportDay)
			first := newFakeDiscord(t, 0)
			h := onceHandler(t, s, first, clock)
			posted, err := h.Handle(context.Background(), json.RawMessage(`{}`))
			if err != nil {
				t.Fatalf("first run: %v", err)
			}
			if posted.Already || posted.MessageID == "" || len(first.Created(testChannelID)) != 1 {
				t.Fatalf("first run = %+v, %d messages, want one new message", posted, len(first.Created(testChannelID)))
			}

			clock.Advance(tt.later)
			second := newFakeDiscord(t, 0)
			useDiscord(h, second)
			logs := captureLog(h)
			again, err := h.Handle(context.Background(), json.RawMessage(tt.second))
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			if !tt.posts {
				if n := len(second.Requests()); n != 0 {
					t.Errorf("second run sent %d requests to Discord, want none", n)
				}
				if want := (result{MessageID: posted.MessageID, Nonce: posted.Nonce, Period: posted.Period, Already: true}); again != want {
					t.Errorf("second run = %+v, want %+v", again, want)
				}
				if !strings.Contains(logs.String(), `"level":"INFO","msg":"already posted"`) {
					t.Errorf("no INFO already posted in the log:\n%s", logs)
				}
				return
			}
			checkPosts(t, second.Requests(), 1)
			if again.Already || !strings.HasPrefix(again.Nonce, "cost-20251017-") {
				t.Errorf("backfill = %+v, want a new post for 2025-10-17", again)
			}
		})
	}
}

// TestFailedPostReleasesTheDay: when Discord fails the post, the claim is released, so that the
// Scheduler's retry posts; the run after that posts nothing.
func TestFailedPostReleasesTheDay(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	clock := statetest.NewClock(reportDay)
	h := onceHandler(t, s, newFakeDiscord(t, http.StatusServiceUnavailable), clock)
	if _, err := h.Handle(context.Background(), json.RawMessage(`{}`)); err == nil || !strings.Contains(err.Error(), "post cost report 2025-10-18") {
		t.Fatalf("Handle with Discord down = %v, want the post's error", err)
	}
	if _, err := h.table.Get(context.Background(), reportKey(testChannelID, "2025-10-18"), nil); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("claim after a failed post: %v, want it released (not found)", err)
	}

	clock.Advance(2 * time.Minute)
	retry := newFakeDiscord(t, 0)
	useDiscord(h, retry)
	res, err := h.Handle(context.Background(), json.RawMessage(`{}`))
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	checkPosts(t, retry.Requests(), 1)

	clock.Advance(time.Hour)
	useDiscord(h, newFakeDiscord(t, 0))
	again, err := h.Handle(context.Background(), json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Already || again.MessageID != res.MessageID {
		t.Errorf("run after the retry = %+v, want the retry's message %s, already posted", again, res.MessageID)
	}
}

// faultyTable is a state.API whose every call fails with err, counting the calls.
type faultyTable struct {
	err   error
	mu    sync.Mutex
	calls []string
}

func (f *faultyTable) record(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	return f.err
}

func (f *faultyTable) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, f.record("GetItem")
}

func (f *faultyTable) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, f.record("PutItem")
}

func (f *faultyTable) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return nil, f.record("DeleteItem")
}

func (f *faultyTable) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, f.record("Query")
}

// TestTableFaults: a throttled or failing table (after the SDK's retries) does not cost the
// day's report: it is posted once, unguarded, with a WARN; a denied claim is a bug that fails
// the invocation before anything is posted.
func TestTableFaults(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	tests := []struct {
		name      string
		err       error
		wantPosts int
		wantErr   string
		wantCalls []string // the table calls made
	}{
		{"throttled", &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate of requests exceeds the allowed throughput."}, 1, "", []string{"PutItem"}},
		{"internal server error", &smithy.GenericAPIError{Code: "InternalServerError", Message: "Internal server error"}, 1, "", []string{"PutItem"}},
		{"denied", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: dynamodb:PutItem"}, 0, "claim cost report 2025-10-18", []string{"PutItem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := statetest.NewClock(reportDay)
			d := newFakeDiscord(t, 0)
			h := onceHandler(t, s, d, clock)
			faults := &faultyTable{err: tt.err}
			h.table = state.New(faults, "chatops-state", clock.Now)
			logs := captureLog(h)

			res, err := h.Handle(context.Background(), json.RawMessage(`{}`))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Handle = %v, want an error containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			checkPosts(t, d.Requests(), tt.wantPosts)
			if tt.wantPosts > 0 {
				if res.MessageID == "" || res.Already {
					t.Errorf("result = %+v, want the new message", res)
				}
				if !strings.Contains(logs.String(), `"level":"WARN","msg":"state table unavailable: posting without the once-only guard"`) {
					t.Errorf("no WARN that the guard was skipped:\n%s", logs)
				}
			}
			if got := strings.Join(faults.calls, " "); got != strings.Join(tt.wantCalls, " ") {
				t.Errorf("table calls = %q, want %q (no release or record of an unguarded post)", got, tt.wantCalls)
			}
		})
	}
}
