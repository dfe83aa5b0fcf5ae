package state_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// entry is an audit entry as a query reads it back.
type entry struct {
	SK          string `dynamodbav:"sk"`
	Action      string `dynamodbav:"action"`
	Environment string `dynamodbav:"environment"`
	Member      string `dynamodbav:"member"`
}

// pageCounter counts the Query calls a Table makes.
type pageCounter struct {
	state.API

	mu    sync.Mutex
	pages int
}

func (c *pageCounter) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.mu.Lock()
	c.pages++
	c.mu.Unlock()
	return c.API.Query(ctx, in, optFns...)
}

func (c *pageCounter) Pages() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pages
}

func TestQuery(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	ctx := context.Background()
	clock := statetest.NewClock(start)
	client, name := statetest.Create(t, moto)
	writer := state.New(client, name, clock.Now)

	// 30 entries a minute apart; environments cycle prod, staging, dev; members alternate.
	// Entries 0-5 were written with a one-hour TTL: expired by the time the queries run.
	var all []entry
	envs := []string{"prod", "staging", "dev"}
	for i := range 30 {
		e := entry{
			SK:          state.TimeSortKey(start.Add(time.Duration(i)*time.Minute), fmt.Sprintf("id%02d", i)),
			Action:      fmt.Sprintf("action %d", i),
			Environment: envs[i%3],
			Member:      []string{"alice", "bob"}[i%2],
		}
		ttl := 400 * 24 * time.Hour
		if i < 6 {
			ttl = time.Hour
		}
		item := map[string]string{"action": e.Action, "environment": e.Environment, "member": e.Member}
		if err := writer.Put(ctx, state.Key{PK: "audit", SK: e.SK}, ttl, item); err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	if err := writer.Put(ctx, state.Key{PK: "other", SK: "x"}, 0, map[string]string{"environment": "prod"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)

	// newest returns the live entries (6..29) newest first that keep says to keep, at most n.
	newest := func(n int, keep func(entry) bool) []entry {
		var out []entry
		for i := len(all) - 1; i >= 6 && len(out) < n; i-- {
			if keep(all[i]) {
				out = append(out, all[i])
			}
		}
		return out
	}
	any := func(entry) bool { return true }
	env := func(v string) func(entry) bool { return func(e entry) bool { return e.Environment == v } }
	prod := expression.Name("environment").Equal(expression.Value("prod"))

	tests := []struct {
		name          string
		in            state.QueryInput
		want          []entry
		wantTruncated bool
		wantPages     int
	}{
		{
			name:      "newest first, limited, one page",
			in:        state.QueryInput{PK: "audit", Limit: 5},
			want:      newest(5, any),
			wantPages: 1,
		},
		{
			name:      "a limit beyond the partition returns every live entry, no expired one",
			in:        state.QueryInput{PK: "audit", Limit: 100},
			want:      newest(100, any),
			wantPages: 1,
		},
		{
			name:      "filtered, default page size",
			in:        state.QueryInput{PK: "audit", Limit: 20, Filter: prod},
			want:      newest(20, env("prod")),
			wantPages: 1,
		},
		{
			// Pages of 4 hold one or two prod entries, so 5 matches take 4 pages.
			name:      "filtered across pages until the limit",
			in:        state.QueryInput{PK: "audit", Limit: 5, Filter: prod, PageSize: 4},
			want:      newest(5, env("prod")),
			wantPages: 4,
		},
		{
			name:          "the page bound stops the search and says so",
			in:            state.QueryInput{PK: "audit", Limit: 5, Filter: prod, PageSize: 4, MaxPages: 2},
			want:          []entry{all[27], all[24]}, // the prod entries among 29..22
			wantTruncated: true,
			wantPages:     2,
		},
		{
			name:      "filter by member, to the end of the partition",
			in:        state.QueryInput{PK: "audit", Limit: 20, Filter: expression.Name("member").Equal(expression.Value("bob")), PageSize: 7},
			want:      newest(20, func(e entry) bool { return e.Member == "bob" }),
			wantPages: 5, // 30 items in pages of 7
		},
		{
			name:      "no match",
			in:        state.QueryInput{PK: "audit", Limit: 20, Filter: expression.Name("environment").Equal(expression.Value("qa"))},
			want:      []entry{},
			wantPages: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			counter := &pageCounter{API: client}
			table := state.New(counter, name, clock.Now)
			var got []entry
			truncated, err := table.Query(ctx, tt.in, &got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if truncated != tt.wantTruncated {
				t.Errorf("truncated = %v, want %v", truncated, tt.wantTruncated)
			}
			if counter.Pages() != tt.wantPages {
				t.Errorf("read %d pages, want %d", counter.Pages(), tt.wantPages)
			}
		})
	}

	t.Run("a limit that is not positive is an error", func(t *testing.T) {
		t.Parallel()
		var got []entry
		if _, err := writer.Query(ctx, state.QueryInput{PK: "audit"}, &got); err == nil {
			t.Error("no error")
		}
	})
}
