package state_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// start is the test clock's first reading.
var start = time.Date(2025, 10, 18, 9, 30, 0, 0, time.UTC)

// holder is what a claim records about who holds it.
type holder struct {
	Who string `dynamodbav:"who"`
}

// approval is a versioned record, shaped like the approval the interactions function keeps.
type approval struct {
	State string `dynamodbav:"state"`
	By    string `dynamodbav:"by"`
}

// race runs f(i) for i in [0, n) in n goroutines released together, and returns their errors.
func race(n int, f func(i int) error) []error {
	errs := make([]error, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			errs[i] = f(i)
		}()
	}
	close(gate)
	wg.Wait()
	return errs
}

// environments returns n Tables on the table name, each with its own client, as n execution
// environments have. Their calls go through statetest.Serialize (moto's conditional writes are
// not atomic, DynamoDB's are), and each Table's first call, once answered, waits until all n
// have been: an operation that read, then wrote, would have every reader see the same state,
// and more than one would win.
func environments(t *testing.T, moto *mototest.Server, name string, n int) []*state.Table {
	t.Helper()
	clock := statetest.NewClock(start)
	var arrived sync.WaitGroup
	arrived.Add(n)
	envs := make([]*state.Table, n)
	for i := range envs {
		var once sync.Once
		first := func() { once.Do(func() { arrived.Done(); arrived.Wait() }) }
		client := statetest.Serialize(dynamodb.NewFromConfig(moto.Config(t)))
		envs[i] = state.New(hooked{next: client, after: first}, name, clock.Now)
	}
	return envs
}

// hooked is a state.API that calls after once each call has returned.
type hooked struct {
	next  state.API
	after func()
}

func (h hooked) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	defer h.after()
	return h.next.GetItem(ctx, in, optFns...)
}

func (h hooked) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	defer h.after()
	return h.next.PutItem(ctx, in, optFns...)
}

func (h hooked) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	defer h.after()
	return h.next.DeleteItem(ctx, in, optFns...)
}

func (h hooked) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	defer h.after()
	return h.next.Query(ctx, in, optFns...)
}

// winner returns the index of the one nil error in errs, failing the test unless there is
// exactly one.
func winner(t *testing.T, key state.Key, errs []error) int {
	t.Helper()
	won := -1
	for i, err := range errs {
		if err != nil {
			continue
		}
		if won >= 0 {
			t.Fatalf("%s: %d and %d both won", key, won, i)
		}
		won = i
	}
	if won < 0 {
		t.Fatalf("%s: none won: %v", key, errs)
	}
	return won
}

func TestTable(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	ctx := context.Background()

	t.Run("claim: first wins, second is refused with the holder, expiry and release free the key", func(t *testing.T) {
		t.Parallel()
		clock := statetest.NewClock(start)
		table := statetest.New(t, moto, clock.Now)
		key := state.Key{PK: "delivery#72d3162e", SK: "delivery"}
		ttl := 7 * 24 * time.Hour

		if err := table.Claim(ctx, key, ttl, holder{Who: "first"}); err != nil {
			t.Fatalf("first claim: %v", err)
		}
		err := table.Claim(ctx, key, ttl, holder{Who: "second"})
		var claimed *state.ClaimedError
		if !errors.As(err, &claimed) || !errors.Is(err, state.ErrClaimed) {
			t.Fatalf("second claim: got %v, want a *ClaimedError", err)
		}
		if state.Unavailable(err) {
			t.Errorf("Unavailable(%v) = true for a held claim", err)
		}
		var h holder
		if err := claimed.Holder(&h); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(holder{Who: "first"}, h); diff != "" {
			t.Errorf("holder (-want +got):\n%s", diff)
		}
		if want := start.Add(ttl); !claimed.ExpiresAt.Equal(want) {
			t.Errorf("ExpiresAt = %s, want %s", claimed.ExpiresAt, want)
		}

		// One second before expiry the claim still holds; at expiry (expires_at <= now) it is
		// gone, though moto, like DynamoDB, has not deleted it.
		clock.Advance(ttl - time.Second)
		if err := table.Claim(ctx, key, ttl, holder{Who: "early"}); !errors.Is(err, state.ErrClaimed) {
			t.Fatalf("claim a second before expiry: got %v, want ErrClaimed", err)
		}
		clock.Advance(time.Second)
		if err := table.Claim(ctx, key, time.Hour, holder{Who: "after expiry"}); err != nil {
			t.Fatalf("claim at expiry: %v", err)
		}
		if err := table.Release(ctx, key); err != nil {
			t.Fatal(err)
		}
		if err := table.Claim(ctx, key, time.Hour, nil); err != nil {
			t.Fatalf("claim after release: %v", err)
		}
		if err := table.Claim(ctx, key, time.Hour, nil); !errors.Is(err, state.ErrClaimed) {
			t.Fatalf("claim after re-claim: got %v, want ErrClaimed", err)
		}
		if err := table.Release(ctx, state.Key{PK: "delivery#never", SK: "delivery"}); err != nil {
			t.Errorf("release of an absent key: %v", err)
		}
	})

	t.Run("claim without a TTL holds until released", func(t *testing.T) {
		t.Parallel()
		clock := statetest.NewClock(start)
		table := statetest.New(t, moto, clock.Now)
		key := state.Key{PK: "work#1", SK: "dispatch"}
		if err := table.Claim(ctx, key, 0, nil); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * 365 * 24 * time.Hour)
		err := table.Claim(ctx, key, 0, nil)
		var claimed *state.ClaimedError
		if !errors.As(err, &claimed) || !claimed.ExpiresAt.IsZero() {
			t.Fatalf("got %v, want a *ClaimedError that never expires", err)
		}
	})

	t.Run("concurrent claims: exactly one wins", func(t *testing.T) {
		t.Parallel()
		_, name := statetest.Create(t, moto)
		for k := range 5 {
			key := state.Key{PK: fmt.Sprintf("event#%d", k), SK: "event"}
			envs := environments(t, moto, name, 16)
			errs := race(len(envs), func(i int) error {
				return envs[i].Claim(ctx, key, time.Hour, holder{Who: strconv.Itoa(i)})
			})
			won := winner(t, key, errs)
			for i, err := range errs {
				if i != won && !errors.Is(err, state.ErrClaimed) {
					t.Errorf("%s: claim %d: got %v, want ErrClaimed", key, i, err)
				}
			}
		}
	})

	t.Run("versioned: create once, update from the current version only", func(t *testing.T) {
		t.Parallel()
		clock := statetest.NewClock(start)
		table := statetest.New(t, moto, clock.Now)
		key := state.Key{PK: "approval#a1", SK: "approval"}
		ttl := 30 * 24 * time.Hour

		v, err := table.Create(ctx, key, ttl, approval{State: "pending", By: "alice"})
		if err != nil || v != 1 {
			t.Fatalf("create: version %d, %v; want 1, nil", v, err)
		}
		_, err = table.Create(ctx, key, ttl, approval{State: "pending", By: "mallory"})
		var conflict *state.ConflictError
		if !errors.As(err, &conflict) || !errors.Is(err, state.ErrConflict) || conflict.Version != 1 {
			t.Fatalf("second create: got %v, want a *ConflictError at version 1", err)
		}
		var current approval
		if err := conflict.Current(&current); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(approval{State: "pending", By: "alice"}, current); diff != "" {
			t.Errorf("current after a refused create (-want +got):\n%s", diff)
		}

		v, err = table.Update(ctx, key, 1, ttl, approval{State: "approved", By: "bob"})
		if err != nil || v != 2 {
			t.Fatalf("update from 1: version %d, %v; want 2, nil", v, err)
		}
		_, err = table.Update(ctx, key, 1, ttl, approval{State: "denied", By: "carol"})
		if !errors.As(err, &conflict) || conflict.Version != 2 {
			t.Fatalf("stale update: got %v, want a *ConflictError at version 2", err)
		}
		var got approval
		v, err = table.Get(ctx, key, &got)
		if err != nil || v != 2 {
			t.Fatalf("get: version %d, %v; want 2, nil", v, err)
		}
		if diff := cmp.Diff(approval{State: "approved", By: "bob"}, got); diff != "" {
			t.Errorf("item after a stale update (-want +got):\n%s", diff)
		}

		if _, err := table.Update(ctx, state.Key{PK: "approval#none", SK: "approval"}, 1, ttl, approval{}); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("update of an absent item: got %v, want ErrNotFound", err)
		}
		clock.Advance(ttl)
		if _, err := table.Update(ctx, key, 2, ttl, approval{State: "dispatched"}); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("update of an expired item: got %v, want ErrNotFound", err)
		}
		if v, err := table.Create(ctx, key, ttl, approval{State: "pending", By: "dave"}); err != nil || v != 1 {
			t.Errorf("create over an expired item: version %d, %v; want 1, nil", v, err)
		}
	})

	t.Run("concurrent updates from one version: exactly one wins, the losers see it", func(t *testing.T) {
		t.Parallel()
		client, name := statetest.Create(t, moto)
		setup := state.New(client, name, statetest.NewClock(start).Now)
		for k := range 5 {
			key := state.Key{PK: fmt.Sprintf("approval#c%d", k), SK: "approval"}
			if _, err := setup.Create(ctx, key, time.Hour, approval{State: "pending"}); err != nil {
				t.Fatal(err)
			}
			envs := environments(t, moto, name, 16)
			errs := race(len(envs), func(i int) error {
				_, err := envs[i].Update(ctx, key, 1, time.Hour, approval{State: "approved", By: strconv.Itoa(i)})
				return err
			})
			won := winner(t, key, errs)
			want := approval{State: "approved", By: strconv.Itoa(won)}
			for i, err := range errs {
				if i == won {
					continue
				}
				var conflict *state.ConflictError
				if !errors.As(err, &conflict) || conflict.Version != 2 {
					t.Errorf("%s: update %d: got %v, want a *ConflictError at version 2", key, i, err)
					continue
				}
				var seen approval
				if err := conflict.Current(&seen); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, seen); diff != "" {
					t.Errorf("%s: loser %d saw (-winner +seen):\n%s", key, i, diff)
				}
			}
		}
	})

	t.Run("TTL: expires_at is epoch seconds, and an expired item reads as absent", func(t *testing.T) {
		t.Parallel()
		clock := statetest.NewClock(start)
		client, name := statetest.Create(t, moto)
		table := state.New(client, name, clock.Now)
		key := state.Key{PK: "cost#month", SK: "cost"}
		if err := table.Put(ctx, key, 3*time.Hour, map[string]string{"total": "12.34"}); err != nil {
			t.Fatal(err)
		}
		raw, err := client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(name),
			Key:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key.PK}, "sk": &types.AttributeValueMemberS{Value: key.SK}},
		})
		if err != nil {
			t.Fatal(err)
		}
		want := &types.AttributeValueMemberN{Value: strconv.FormatInt(start.Add(3*time.Hour).Unix(), 10)}
		if diff := cmp.Diff(want, raw.Item["expires_at"], cmp.AllowUnexported(types.AttributeValueMemberN{})); diff != "" {
			t.Errorf("stored expires_at (-want +got):\n%s", diff)
		}
		if _, ok := raw.Item["version"]; ok {
			t.Errorf("Put stored a version: %v", raw.Item)
		}

		var got map[string]string
		clock.Advance(3*time.Hour - time.Second)
		if v, err := table.Get(ctx, key, &got); err != nil || v != 0 || got["total"] != "12.34" {
			t.Errorf("get before expiry: %v, version %d, %v", got, v, err)
		}
		clock.Advance(time.Second)
		if _, err := table.Get(ctx, key, &got); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("get at expiry: got %v, want ErrNotFound", err)
		}
		if _, err := table.Get(ctx, state.Key{PK: "cost#none", SK: "cost"}, nil); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("get of an absent item: got %v, want ErrNotFound", err)
		}

		if err := table.Put(ctx, key, 0, map[string]string{"total": "1"}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * 365 * 24 * time.Hour)
		if _, err := table.Get(ctx, key, nil); err != nil {
			t.Errorf("get of an item without TTL, years later: %v", err)
		}
	})

	t.Run("writes refuse an item that sets the table's own attributes", func(t *testing.T) {
		t.Parallel()
		table := statetest.New(t, moto, nil)
		key := state.Key{PK: "cost#x", SK: "cost"}
		for _, attr := range []string{"pk", "sk", "expires_at", "version"} {
			item := map[string]string{attr: "1"}
			if err := table.Put(ctx, key, time.Hour, item); err == nil {
				t.Errorf("Put with %q: no error", attr)
			}
			if err := table.Claim(ctx, key, time.Hour, item); err == nil || errors.Is(err, state.ErrClaimed) {
				t.Errorf("Claim with %q: got %v, want a marshalling error", attr, err)
			}
			if _, err := table.Create(ctx, key, time.Hour, item); err == nil || errors.Is(err, state.ErrConflict) {
				t.Errorf("Create with %q: got %v, want a marshalling error", attr, err)
			}
		}
	})
}

func TestTimeSortKey(t *testing.T) {
	t.Parallel()
	// In time order; RFC3339Nano would write the first as "...:05Z", which sorts last.
	times := []time.Time{
		time.Date(2025, 10, 18, 9, 30, 5, 0, time.UTC),
		time.Date(2025, 10, 18, 9, 30, 5, 100_000_000, time.UTC),
		time.Date(2025, 10, 18, 9, 30, 5, 120_000_000, time.UTC),
		time.Date(2025, 10, 18, 11, 30, 6, 0, time.FixedZone("CEST", 2*3600)), // 09:30:06Z
	}
	for i := 1; i < len(times); i++ {
		a, b := state.TimeSortKey(times[i-1], "z"), state.TimeSortKey(times[i], "a")
		if a >= b {
			t.Errorf("TimeSortKey(%s) = %q sorts at or after TimeSortKey(%s) = %q", times[i-1], a, times[i], b)
		}
	}
	if got, want := state.TimeSortKey(times[3], "id-1"), "2025-10-18T09:30:06.000000000Z#id-1"; got != want {
		t.Errorf("TimeSortKey = %q, want %q", got, want)
	}
}
