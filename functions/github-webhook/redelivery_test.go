package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/guard"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
)

// testMoto is the moto_server of this test binary: every testEnv creates its own state table
// in it (statetest.New), so that tests share a process, not a table.
var testMoto *mototest.Server

func TestMain(m *testing.M) {
	s, err := mototest.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testMoto = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}

// forgetNonces replaces the env's Discord with a fresh one, which has seen no nonce: what
// Discord is once its nonce window (minutes) has passed. It returns the new Discord.
func (e *testEnv) forgetNonces(t *testing.T) *discordtest.Server {
	t.Helper()
	e.discord = newFakeDiscord(t)
	e.h.mu.Lock()
	defer e.h.mu.Unlock()
	e.h.newDiscord, e.h.discord = testDiscordClient(e.discord.URL), nil
	return e.discord
}

// claimOf reads the delivery's claim from the env's table: the holder, or an error wrapping
// state.ErrNotFound when the delivery is not claimed.
func (e *testEnv) claimOf(t *testing.T, id string) (guard.Holder, error) {
	t.Helper()
	key, _ := guard.Key(id)
	var h guard.Holder
	_, err := e.table.Get(context.Background(), key, &h)
	return h, err
}

// TestRedelivery redelivers deliveries against the state table in moto. Each redelivery comes
// to a Discord that has forgotten the nonce, so that only the claim can stop a second post.
func TestRedelivery(t *testing.T) {
	t.Parallel()
	pr := githubapptest.Payload(t, "pull_request.opened")

	t.Run("posted once, however late the redelivery", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t, nil)
		first := e.serve(t, delivery{event: "pull_request", body: pr}.request())
		if first.StatusCode != http.StatusOK || len(e.discord.Created("")) != 1 {
			t.Fatalf("first delivery: status %d, %d posted; want 200 and one", first.StatusCode, len(e.discord.Created("")))
		}
		if h, err := e.claimOf(t, testDelivery); err != nil || h.Event != "pull_request" || h.ClaimedAt != "2024-05-06T09:00:00Z" {
			t.Errorf("claim %+v, %v; want the pull_request's, at the clock's time", h, err)
		}
		// Within a minute, 3 hours later, and at the end of GitHub's 3-day redelivery window.
		for _, later := range []time.Duration{30 * time.Second, 3 * time.Hour, 3*24*time.Hour - 3*time.Hour - 30*time.Second} {
			e.clock.Advance(later)
			discord := e.forgetNonces(t)
			e.logs.Reset()
			resp := e.serve(t, delivery{event: "pull_request", body: pr}.request())
			if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "duplicate") {
				t.Errorf("redelivery at %s: status %d %q, want 200 saying duplicate", e.clock.Now().Format(time.RFC3339), resp.StatusCode, resp.Body)
			}
			if n := len(discord.Requests()); n != 0 {
				t.Errorf("redelivery at %s: %d requests reached Discord, want none", e.clock.Now().Format(time.RFC3339), n)
			}
			if r := findLog(t, e, "duplicate"); r == nil || r["level"] != "INFO" || r["delivery"] != testDelivery {
				t.Errorf("redelivery logged %v, want an INFO duplicate with the delivery id; logs:\n%s", r, e.logs)
			}
		}
		// The claim outlives GitHub's window; once it has expired the key is free again.
		e.clock.Advance(4*24*time.Hour + time.Second)
		if _, err := e.claimOf(t, testDelivery); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("claim after 7 days: %v, want it expired", err)
		}
	})

	t.Run("a failed post releases the claim", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t, nil)
		e.discord.Intercept(always(discordtest.ServerError(http.StatusInternalServerError)))
		if resp := e.serve(t, delivery{event: "pull_request", body: pr}.request()); resp.StatusCode != http.StatusBadGateway {
			t.Fatalf("status %d, want 502 as before the claim", resp.StatusCode)
		}
		if _, err := e.claimOf(t, testDelivery); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("claim after the failed post: %v, want it released", err)
		}
		e.clock.Advance(3 * time.Hour)
		discord := e.forgetNonces(t)
		if resp := e.serve(t, delivery{event: "pull_request", body: pr}.request()); resp.StatusCode != http.StatusOK {
			t.Errorf("redelivery: status %d %q, want 200", resp.StatusCode, resp.Body)
		}
		if n := len(discord.Created("")); n != 1 {
			t.Errorf("redelivery posted %d messages, want 1", n)
		}
	})

	t.Run("distinct deliveries about one pull request edit its one message", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t, nil)
		for _, id := range []string{testDelivery, "9a7e4c00-cc78-11e3-81ab-4c9367dc0958"} {
			if resp := e.serve(t, delivery{event: "pull_request", id: id, body: pr}.request()); resp.StatusCode != http.StatusOK {
				t.Fatalf("delivery %s: status %d %q, want 200", id, resp.StatusCode, resp.Body)
			}
		}
		if n := len(e.discord.Created("")); n != 1 {
			t.Errorf("%d messages posted, want 1", n)
		}
		if n := len(recordsOf(e.discord, discordtest.KindEdit)); n != 1 {
			t.Errorf("%d edits, want 1: the second delivery edits the first one's message", n)
		}
	})

	t.Run("forwarded once", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t, nil)
		run := githubapptest.Payload(t, "workflow_run.completed")
		e.bus.answer = func() (*eventbridge.PutEventsOutput, error) { return nil, errors.New("ResourceNotFoundException") }
		if resp := e.serve(t, delivery{event: "workflow_run", body: run}.request()); resp.StatusCode != http.StatusBadGateway {
			t.Fatalf("bus failing: status %d, want 502", resp.StatusCode)
		}
		e.bus.answer = nil
		// The redelivery that the failure called for, then two more.
		for i, want := range []int{http.StatusAccepted, http.StatusOK, http.StatusOK} {
			e.clock.Advance(3 * time.Hour)
			if resp := e.serve(t, delivery{event: "workflow_run", body: run}.request()); resp.StatusCode != want {
				t.Errorf("redelivery %d: status %d %q, want %d", i+1, resp.StatusCode, resp.Body, want)
			}
		}
		if n := len(e.bus.Entries()); n != 2 {
			t.Errorf("%d PutEvents entries, want 2: the failed one and the one redelivery that put it", n)
		}
	})

	t.Run("two environments at once post once", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t, nil)
		other := newHandler(e.h.cfg, e.secrets, e.h.bus, e.h.guard, e.h.records, testDiscordClient(e.discord.URL), e.h.log)
		req := delivery{event: "pull_request", body: pr}.request()
		var wg sync.WaitGroup
		answers := make([]events.APIGatewayV2HTTPResponse, 2)
		for i, h := range []*handler{e.h, other} {
			wg.Go(func() {
				resp, err := h.handle(context.Background(), req)
				if err != nil {
					t.Errorf("handle: %v", err)
				}
				answers[i] = resp
			})
		}
		wg.Wait()
		if n := len(e.discord.Requests()); n != 1 {
			t.Errorf("%d requests reached Discord, want 1", n)
		}
		for _, a := range answers {
			if a.StatusCode != http.StatusOK {
				t.Errorf("status %d %q, want 200 for both", a.StatusCode, a.Body)
			}
		}
	})
}

// fakeDynamoDB is a state.API whose item calls answer as the test says. A call without an
// answer fails the test.
type fakeDynamoDB struct {
	t          *testing.T
	putItem    func(context.Context, *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	deleteItem func(context.Context, *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error)
}

func (f *fakeDynamoDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if f.putItem == nil {
		f.t.Errorf("unexpected PutItem %v", in.Item)
		return nil, errors.New("unexpected call")
	}
	return f.putItem(ctx, in)
}

func (f *fakeDynamoDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if f.deleteItem == nil {
		f.t.Errorf("unexpected DeleteItem %v", in.Key)
		return nil, errors.New("unexpected call")
	}
	return f.deleteItem(ctx, in)
}

func (f *fakeDynamoDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.t.Error("unexpected GetItem")
	return nil, errors.New("unexpected call")
}

func (f *fakeDynamoDB) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.t.Error("unexpected Query")
	return nil, errors.New("unexpected call")
}

func putFails(err error) func(context.Context, *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
	return func(context.Context, *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) { return nil, err }
}

func putOK(context.Context, *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{}, nil
}

// TestTableFaults runs deliveries against a table that throttles, fails, hangs or refuses: an
// announcement is still posted, once, and the log says the guard was skipped.
func TestTableFaults(t *testing.T) {
	t.Parallel()
	throttled := &types.ProvisionedThroughputExceededException{Message: aws.String("Rate of requests exceeds the allowed throughput.")}
	tests := []struct {
		name    string
		db      func(t *testing.T, fake *fakeDynamoDB)
		discord func(*discordtest.Server)
		id      *string // X-GitHub-Delivery when not testDelivery
		// timeout shortens the claim's share of the budget (guard.DefaultTimeout when zero).
		timeout time.Duration
		status  int
		// wantLog is the message and level of the line that must be logged with the delivery id.
		wantLog, wantLevel string
	}{
		{
			name: "throttled", status: http.StatusOK, wantLog: "guard skipped", wantLevel: "WARN",
			db: func(t *testing.T, f *fakeDynamoDB) {
				f.putItem = func(ctx context.Context, _ *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
					// The claim has a share of the budget, not all of it.
					if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > guard.DefaultTimeout {
						t.Errorf("claim deadline %v (set %v), want within %s", dl, ok, guard.DefaultTimeout)
					}
					return nil, throttled
				}
			},
		},
		{
			name: "server error", status: http.StatusOK, wantLog: "guard skipped", wantLevel: "WARN",
			db: func(_ *testing.T, f *fakeDynamoDB) {
				f.putItem = putFails(&smithy.GenericAPIError{Code: "InternalServerError", Message: "Internal server error"})
			},
		},
		{
			name: "hangs until the claim's deadline", status: http.StatusOK, wantLog: "guard skipped", wantLevel: "WARN",
			timeout: 50 * time.Millisecond,
			db: func(_ *testing.T, f *fakeDynamoDB) {
				f.putItem = func(ctx context.Context, _ *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
					<-ctx.Done()
					return nil, ctx.Err()
				}
			},
		},
		{
			name: "access denied", status: http.StatusOK, wantLog: "guard skipped", wantLevel: "ERROR",
			db: func(_ *testing.T, f *fakeDynamoDB) {
				f.putItem = putFails(&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"})
			},
		},
		{
			name: "no delivery id: nothing to claim", id: aws.String(""), status: http.StatusOK,
			wantLog: "guard skipped", wantLevel: "WARN", db: func(*testing.T, *fakeDynamoDB) {},
		},
		{
			name: "post fails, release throttled", status: http.StatusBadGateway, wantLog: "release claim", wantLevel: "ERROR",
			db: func(_ *testing.T, f *fakeDynamoDB) {
				f.putItem = putOK
				f.deleteItem = func(context.Context, *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
					return nil, throttled
				}
			},
			discord: func(d *discordtest.Server) {
				d.Intercept(always(discordtest.Error(http.StatusForbidden, 50001, "Missing Access")))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, nil)
			fake := &fakeDynamoDB{t: t}
			tt.db(t, fake)
			g := guard.New(state.New(fake, "chatops", e.clock.Now), e.clock.Now)
			if tt.timeout != 0 {
				g.Timeout = tt.timeout
			}
			e.h.guard = g
			if tt.discord != nil {
				tt.discord(e.discord)
			}
			d := delivery{event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened")}
			id := testDelivery
			if tt.id != nil {
				id = *tt.id
				d.headers = map[string]string{"x-github-delivery": id}
			}
			resp := e.serve(t, d.request())
			if resp.StatusCode != tt.status {
				t.Errorf("status %d %q, want %d; logs:\n%s", resp.StatusCode, resp.Body, tt.status, e.logs)
			}
			want := 0
			if tt.status == http.StatusOK {
				want = 1
			}
			if n := len(e.discord.Created("")); n != want {
				t.Errorf("%d messages posted, want %d", n, want)
			}
			r := findLog(t, e, tt.wantLog)
			if r == nil || r["level"] != tt.wantLevel || r["delivery"] != id {
				t.Errorf("logged %v, want %q at %s with delivery %q; logs:\n%s", r, tt.wantLog, tt.wantLevel, id, e.logs)
			}
		})
	}

	// Deliveries that post nothing need no claim: the table is never called.
	t.Run("no claim for what is not posted", func(t *testing.T) {
		t.Parallel()
		for _, d := range []delivery{
			{event: "ping", body: githubapptest.Payload(t, "ping")},
			{event: "installation", body: githubapptest.Payload(t, "installation.created")},
			{event: "pull_request", body: githubapptest.Payload(t, "pull_request.closed")},
			{event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened"), signature: sign("another secret", nil)},
		} {
			e := newTestEnv(t, nil)
			e.h.guard = guard.New(state.New(&fakeDynamoDB{t: t}, "chatops", nil), nil)
			if resp := e.serve(t, d.request()); resp.StatusCode/100 == 5 {
				t.Errorf("%s: status %d", d.event, resp.StatusCode)
			}
		}
	})
}

// findLog returns the last line the env logged with message msg, or nil.
func findLog(t *testing.T, e *testEnv, msg string) map[string]any {
	t.Helper()
	var found map[string]any
	sc := bufio.NewScanner(strings.NewReader(e.logs.String()))
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if r["msg"] == msg {
			found = r
		}
	}
	return found
}

// recordsOf returns what the fake Discord kept of one kind, oldest first.
func recordsOf(d *discordtest.Server, kind string) []discordtest.Record {
	var out []discordtest.Record
	for _, r := range d.Records() {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}
