package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/state"
)

// flakyTable fails the next calls of a kind with a throttling error, as DynamoDB does once the
// SDK's retries are spent.
type flakyTable struct {
	recordTable
	mu                              sync.Mutex
	failGet, failCreate, failUpdate int
}

var errThrottled = errors.New("ProvisionedThroughputExceededException: rate of requests exceeds the allowed throughput")

func (f *flakyTable) fail(n *int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *n > 0 {
		*n--
		return true
	}
	return false
}

func (f *flakyTable) Get(ctx context.Context, key state.Key, out any) (int64, error) {
	if f.fail(&f.failGet) {
		return 0, errThrottled
	}
	return f.recordTable.Get(ctx, key, out)
}

func (f *flakyTable) Create(ctx context.Context, key state.Key, ttl time.Duration, v any) (int64, error) {
	if f.fail(&f.failCreate) {
		return 0, errThrottled
	}
	return f.recordTable.Create(ctx, key, ttl, v)
}

func (f *flakyTable) Update(ctx context.Context, key state.Key, expected int64, ttl time.Duration, v any) (int64, error) {
	if f.fail(&f.failUpdate) {
		return 0, errThrottled
	}
	return f.recordTable.Update(ctx, key, expected, ttl, v)
}

// TestFeedFaults: under Discord's and the table's failures a delivery answers 502, its claim
// is released, and its redelivery completes it: nothing lost, nothing posted twice.
func TestFeedFaults(t *testing.T) {
	t.Parallel()
	life := prLife(t)
	tests := []struct {
		name string
		// upTo deliveries of the life go through first; then fault breaks delivery upTo.
		upTo int
		// fault breaks things; Discord's scripted failures hold while broken is true.
		fault func(e *testEnv, f *flakyTable, broken *atomic.Bool)
	}{
		{name: "post fails with 5xx", upTo: 0, fault: func(e *testEnv, _ *flakyTable, broken *atomic.Bool) {
			e.discord.Intercept(while(broken, func(discordtest.Request) bool { return true }, discordtest.ServerError(http.StatusInternalServerError)))
		}},
		{name: "record not created after the post", upTo: 0, fault: func(_ *testEnv, f *flakyTable, _ *atomic.Bool) { f.failCreate = 1 }},
		{name: "record not read", upTo: 1, fault: func(_ *testEnv, f *flakyTable, _ *atomic.Bool) { f.failGet = 1 }},
		{name: "record not updated", upTo: 1, fault: func(_ *testEnv, f *flakyTable, _ *atomic.Bool) { f.failUpdate = 1 }},
		{name: "edit rate limited beyond the budget", upTo: 1, fault: func(e *testEnv, _ *flakyTable, broken *atomic.Bool) {
			e.discord.Intercept(while(broken, func(discordtest.Request) bool { return true }, discordtest.RateLimited(time.Minute, false)))
		}},
		{name: "thread not started", upTo: 4, fault: func(e *testEnv, _ *flakyTable, broken *atomic.Bool) {
			e.discord.Intercept(while(broken, func(r discordtest.Request) bool { return strings.HasSuffix(r.Path, "/threads") },
				discordtest.ServerError(http.StatusBadGateway)))
		}},
		{name: "note not posted", upTo: 4, fault: func(e *testEnv, _ *flakyTable, broken *atomic.Bool) {
			e.discord.Intercept(while(broken, func(r discordtest.Request) bool {
				return r.Method == http.MethodPost && r.ChannelID != defaultChannel && !strings.HasSuffix(r.Path, "/threads")
			}, discordtest.ServerError(http.StatusInternalServerError)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, nil)
			flaky := &flakyTable{recordTable: e.h.records}
			e.h.records = flaky
			for _, s := range life[:tt.upTo] {
				if resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request()); resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d %q", s.id, resp.StatusCode, resp.Body)
				}
			}
			var broken atomic.Bool
			broken.Store(true)
			tt.fault(e, flaky, &broken)
			s := life[tt.upTo]
			if resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request()); resp.StatusCode != http.StatusBadGateway {
				t.Fatalf("under the fault: status %d %q, want 502; logs:\n%s", resp.StatusCode, resp.Body, e.logs.String())
			}
			broken.Store(false)
			// A new execution environment, or the rate limit's wait over: a client that
			// forgets the limit the fault reported.
			e.h.discord, e.h.newDiscord = nil, testDiscordClient(e.discord.URL)
			for _, s := range life[tt.upTo:] {
				if resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request()); resp.StatusCode != http.StatusOK {
					t.Fatalf("%s after the fault: status %d %q; logs:\n%s", s.id, resp.StatusCode, resp.Body, e.logs.String())
				}
			}
			created := e.discord.Created(defaultChannel)
			if len(created) != 1 {
				t.Fatalf("%d messages in the channel, want 1", len(created))
			}
			if n := len(e.discord.Created(created[0].ID)); n != 3 {
				t.Errorf("%d notes in the thread, want 3", n)
			}
			sameAsGolden(t, "life.message.en.discord.json", mustJSON(t, created[0].Embeds))
		})
	}
}

// TestFeedConcurrent delivers a pull request's opening and its marking ready for review at
// once, to two execution environments: both find no record and post, with the record's nonce,
// so Discord keeps one message; one creates the record, the other loses the race, re-reads
// and edits. The message shows both.
func TestFeedConcurrent(t *testing.T) {
	t.Parallel()
	life := prLife(t)
	for range 5 {
		e := newTestEnv(t, nil)
		other := newHandler(e.h.cfg, e.secrets, e.h.bus, e.h.guard, e.h.records, testDiscordClient(e.discord.URL), e.h.log)
		var wg sync.WaitGroup
		answers := make([]events.APIGatewayV2HTTPResponse, 2)
		for i, h := range []*handler{e.h, other} {
			req := delivery{event: life[i*2].event, id: life[i*2].id, body: life[i*2].body}.request()
			wg.Go(func() {
				resp, err := h.handle(context.Background(), req)
				if err != nil {
					t.Errorf("handle: %v", err)
				}
				answers[i] = resp
			})
		}
		wg.Wait()
		for i, a := range answers {
			if a.StatusCode != http.StatusOK {
				t.Fatalf("delivery %d: status %d %q", i, a.StatusCode, a.Body)
			}
		}
		created := e.discord.Created(defaultChannel)
		if len(created) != 1 {
			t.Fatalf("%d messages, want 1", len(created))
		}
		m, _ := e.discord.Message(created[0].ID)
		history := m.Embeds[0].Fields[len(m.Embeds[0].Fields)-1].Value
		for _, want := range []string{"Opened by Codertocat", "Marked ready for review by Codertocat"} {
			if !strings.Contains("\n"+history, "\n"+want+" ") {
				t.Errorf("history %q lacks %q", history, want)
			}
		}
	}
}

// while answers the requests that match with reply as long as broken holds.
func while(broken *atomic.Bool, match func(discordtest.Request) bool, reply discordtest.Reply) func(discordtest.Request) (discordtest.Reply, bool) {
	return func(r discordtest.Request) (discordtest.Reply, bool) {
		return reply, broken.Load() && match(r)
	}
}
