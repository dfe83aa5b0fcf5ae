package audit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/audit/audittest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

var start = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// TestTrail writes 25 entries through a Recorder, a minute apart, in two environments and by
// three members, and reads them back as /audit does.
func TestTrail(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	clock := statetest.NewClock(start)
	client, name := statetest.Create(t, moto)
	retention := 90 * 24 * time.Hour
	trail := audit.NewTrail(state.New(client, name, clock.Now), retention)
	rec := audit.NewRecorder(trail, slog.New(slog.DiscardHandler), clock.Now)
	ctx := context.Background()

	users := []string{"1001", "1002", "1003"}
	var all []audit.Entry // newest first
	for i := range 25 {
		e := audit.Entry{Action: "deploy.request", Target: fmt.Sprintf("prod@v%d", i), Outcome: "requested",
			UserID: users[i%3], User: "user" + users[i%3], GuildID: "g1", ChannelID: "c1", Environment: []string{"prod", "dev"}[i%2],
			RequestID: "req-" + strconv.Itoa(i)}
		if i%5 == 4 {
			// A scale has no environment and a detail.
			e = audit.Entry{Action: "scale.apply", Target: "ecs prod/web -> 4", Outcome: "scaled", Detail: "2 -> 4", UserID: users[i%3],
				User: "user" + users[i%3], GuildID: "g1", ChannelID: "c1", RequestID: "req-" + strconv.Itoa(i)}
		}
		rec.Record(ctx, e)
		e.At = clock.Now()
		all = append([]audit.Entry{e}, all...)
		clock.Advance(time.Minute)
	}
	// Two entries in one instant keep the order they were recorded in.
	same := []audit.Entry{
		{At: clock.Now(), Action: "deploy.approve", Target: "dev@main", Outcome: "approved", UserID: "1001", Environment: "dev"},
		{At: clock.Now(), Action: "deploy.dispatch", Target: "dev@main", Outcome: "dispatched", UserID: "1001", Environment: "dev"},
	}
	for _, e := range same {
		rec.Record(ctx, e)
	}
	all = append([]audit.Entry{same[1], same[0]}, all...)

	keep := func(f audit.Filter, n int) []audit.Entry {
		out := []audit.Entry{}
		for _, e := range all {
			if (f.Environment == "" || e.Environment == f.Environment) && (f.UserID == "" || e.UserID == f.UserID) && len(out) < n {
				out = append(out, e)
			}
		}
		return out
	}
	tests := []struct {
		name   string
		filter audit.Filter
		limit  int32
	}{
		{"the last 20, newest first", audit.Filter{}, 20},
		{"by environment", audit.Filter{Environment: "prod"}, 20},
		{"by member", audit.Filter{UserID: "1002"}, 20},
		{"by environment and member", audit.Filter{Environment: "dev", UserID: "1001"}, 20},
		{"by member, limited", audit.Filter{UserID: "1003"}, 3},
		{"nothing matches", audit.Filter{Environment: "qa"}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, truncated, err := trail.Recent(ctx, tt.filter, tt.limit)
			if err != nil || truncated {
				t.Fatalf("Recent: truncated %v, %v", truncated, err)
			}
			want := keep(tt.filter, int(tt.limit))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if tt.name == "the last 20, newest first" && len(got) != 20 {
				t.Errorf("%d entries, want 20 of %d", len(got), len(all))
			}
		})
	}

	t.Run("kept for the retention", func(t *testing.T) {
		// Each item expires the retention after it was written: the first at start.
		exp := audittest.Expiries(t, client, name)
		first, last := start.Add(retention).Unix(), clock.Now().Add(retention).Unix()
		if len(exp) != len(all) {
			t.Errorf("%d items, want %d", len(exp), len(all))
		}
		for sk, v := range exp {
			if v < first || v > last || (strings.HasPrefix(sk, state.TimeSortKey(start, "")) && v != first) {
				t.Errorf("%s expires at %d, want %d..%d (90 days after its write)", sk, v, first, last)
			}
		}
	})
}

// TestTrailExpired checks that an entry past its retention is not read back, though DynamoDB
// deletes it only days later.
func TestTrailExpired(t *testing.T) {
	t.Parallel()
	clock := statetest.NewClock(start)
	trail := audit.NewTrail(statetest.New(t, mototest.Start(t), clock.Now), 24*time.Hour)
	ctx := context.Background()
	old := audit.Entry{At: start, Action: "assign", Target: "o/r#1 -> x", Outcome: "assigned"}
	if err := trail.Write(ctx, old); err != nil {
		t.Fatal(err)
	}
	clock.Advance(23 * time.Hour)
	recent := audit.Entry{At: clock.Now(), Action: "assign", Target: "o/r#2 -> x", Outcome: "assigned"}
	if err := trail.Write(ctx, recent); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	got, _, err := trail.Recent(ctx, audit.Filter{}, 20)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]audit.Entry{recent}, got); diff != "" {
		t.Errorf("entries a day after the first (-want +got):\n%s", diff)
	}
}

// stuckTable is a table whose every call waits until its context ends.
type stuckTable struct{}

func (stuckTable) Put(ctx context.Context, _ state.Key, _ time.Duration, _ any) error {
	<-ctx.Done()
	return ctx.Err()
}

func (stuckTable) Query(ctx context.Context, _ state.QueryInput, _ any) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

// TestTrailWriteBounded checks that a table that does not answer holds a write for
// WriteTimeout at most, whatever the caller's deadline, and that the error says the table was
// unavailable.
func TestTrailWriteBounded(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	began := time.Now()
	err := audit.NewTrail(stuckTable{}, time.Hour).Write(ctx, audit.Entry{At: start, Action: "deploy.approve"})
	if !errors.Is(err, context.DeadlineExceeded) || !state.Unavailable(err) {
		t.Errorf("Write = %v, want the deadline passed", err)
	}
	if took := time.Since(began); took >= time.Minute {
		t.Errorf("Write took %v: the caller's deadline, not WriteTimeout", took)
	}
}
