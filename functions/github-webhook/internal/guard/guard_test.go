package guard

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/state"
)

// fakeTable is a Table whose calls answer as the test says.
type fakeTable struct {
	claim   func(ctx context.Context, key state.Key, ttl time.Duration, attrs any) error
	release func(ctx context.Context, key state.Key) error
}

func (f fakeTable) Claim(ctx context.Context, key state.Key, ttl time.Duration, attrs any) error {
	return f.claim(ctx, key, ttl, attrs)
}

func (f fakeTable) Release(ctx context.Context, key state.Key) error { return f.release(ctx, key) }

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want state.Key
		ok   bool
	}{
		{id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", want: state.Key{PK: "delivery#72d3162e-cc78-11e3-81ab-4c9367dc0958", SK: "delivery"}, ok: true},
		{id: " 72D3162E-CC78-11E3-81AB-4C9367DC0958 ", want: state.Key{PK: "delivery#72d3162e-cc78-11e3-81ab-4c9367dc0958", SK: "delivery"}, ok: true},
		{id: "  "},
		{id: ""},
	}
	for _, tt := range tests {
		got, ok := Key(tt.id)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Key(%q) = %v, %v; want %v, %v", tt.id, got, ok, tt.want, tt.ok)
		}
	}
}

func TestClaim(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 6, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))
	var got struct {
		ttl   time.Duration
		attrs any
	}
	g := New(fakeTable{claim: func(ctx context.Context, _ state.Key, ttl time.Duration, attrs any) error {
		got.ttl, got.attrs = ttl, attrs
		return nil
	}}, func() time.Time { return now })
	if c := g.Claim(context.Background(), "id-1", "issues"); c.Outcome != First || c.Err != nil {
		t.Errorf("Claim = %+v, want First", c)
	}
	if diff := cmp.Diff(Holder{Event: "issues", ClaimedAt: "2024-05-06T00:00:00Z"}, got.attrs); diff != "" || got.ttl != TTL {
		t.Errorf("claimed for %s with (-want +got):\n%s", got.ttl, diff)
	}

	refused := errors.New("AccessDeniedException")
	g = New(fakeTable{claim: func(context.Context, state.Key, time.Duration, any) error { return refused }}, nil)
	if c := g.Claim(context.Background(), "id-1", "issues"); c.Outcome != Unguarded || !errors.Is(c.Err, refused) {
		t.Errorf("Claim = %+v, want Unguarded with the table's error", c)
	}
	if c := g.Claim(context.Background(), "", "issues"); c.Outcome != Unguarded || !errors.Is(c.Err, ErrNoDeliveryID) {
		t.Errorf("Claim without an id = %+v, want Unguarded, ErrNoDeliveryID", c)
	}
}

// TestReleaseAfterTheBudget shows that a post that failed because the delivery's deadline passed
// still releases its claim, within ReleaseTimeout.
func TestReleaseAfterTheBudget(t *testing.T) {
	t.Parallel()
	var released state.Key
	g := New(fakeTable{release: func(ctx context.Context, key state.Key) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > DefaultReleaseTimeout {
			t.Errorf("release deadline %v (set %v), want within %s", dl, ok, DefaultReleaseTimeout)
		}
		released = key
		return nil
	}}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	if err := g.Release(ctx, "id-1"); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if want, _ := Key("id-1"); released != want {
		t.Errorf("released %v, want %v", released, want)
	}
}
