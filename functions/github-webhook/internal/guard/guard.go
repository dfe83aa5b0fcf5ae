// Package guard makes a GitHub webhook delivery take effect once, however often it is
// redelivered, by claiming its X-GitHub-Delivery id in the state table (shared/state) before
// the delivery is posted or forwarded.
//
// GitHub keeps the id when a delivery is redelivered, and lets a delivery of the past 3 days be
// redelivered, so a claim lives for 7 days.
//
// Upstream references:
//   - X-GitHub-Delivery: https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers
//   - Redelivering: https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/redelivering-webhooks
package guard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/state"
)

// TTL is how long a claim holds: beyond GitHub's redelivery window of 3 days.
const TTL = 7 * 24 * time.Hour

// DefaultTimeout is the share of a delivery's budget that a claim may take, so that a table
// that hangs cannot eat the time the post needs.
const DefaultTimeout = 2 * time.Second

// DefaultReleaseTimeout is how long a release may take. It runs after a failed post, possibly
// once the delivery's budget (8 s) is spent, and must end before GitHub stops waiting (10 s).
const DefaultReleaseTimeout = time.Second

// Table is the part of *state.Table a Guard uses.
type Table interface {
	Claim(ctx context.Context, key state.Key, ttl time.Duration, attrs any) error
	Release(ctx context.Context, key state.Key) error
}

// Outcome is what a claim decided.
type Outcome int

const (
	// First means this attempt holds the claim: post, and Release if the post fails.
	First Outcome = iota
	// Duplicate means an earlier attempt holds the claim: post nothing.
	Duplicate
	// Unguarded means the claim could not be made (the error says why): post anyway, since an
	// announcement matters more than a duplicate, and Release if the post fails, in case the
	// claim was written after all.
	Unguarded
)

// Holder is what a claim records, and what a duplicate learns of the attempt that holds it.
type Holder struct {
	// Event is the X-GitHub-Event of the delivery.
	Event string `dynamodbav:"event"`
	// ClaimedAt is when the holder claimed it, RFC 3339 UTC.
	ClaimedAt string `dynamodbav:"claimed_at"`
}

// Claim is the answer of Guard.Claim.
type Claim struct {
	Outcome Outcome
	// Holder is the earlier attempt, for a Duplicate.
	Holder Holder
	// Err is why the claim could not be made, for Unguarded.
	Err error
}

// Guard claims deliveries in the state table.
type Guard struct {
	table Table
	now   func() time.Time
	// Timeout bounds a claim (DefaultTimeout); ReleaseTimeout a release (DefaultReleaseTimeout).
	// Tests shorten them.
	Timeout, ReleaseTimeout time.Duration
}

// New returns a Guard on table; now stamps the claims (nil means time.Now).
func New(table Table, now func() time.Time) *Guard {
	if now == nil {
		now = time.Now
	}
	return &Guard{table: table, now: now, Timeout: DefaultTimeout, ReleaseTimeout: DefaultReleaseTimeout}
}

// ErrNoDeliveryID is the Err of an Unguarded claim for a delivery without X-GitHub-Delivery.
var ErrNoDeliveryID = errors.New("no X-GitHub-Delivery id")

// Claim claims the delivery id, of type event, within g.Timeout of ctx.
func (g *Guard) Claim(ctx context.Context, id, event string) Claim {
	key, ok := Key(id)
	if !ok {
		return Claim{Outcome: Unguarded, Err: ErrNoDeliveryID}
	}
	ctx, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	err := g.table.Claim(ctx, key, TTL, Holder{Event: event, ClaimedAt: g.now().UTC().Format(time.RFC3339)})
	var held *state.ClaimedError
	switch {
	case err == nil:
		return Claim{Outcome: First}
	case errors.As(err, &held):
		c := Claim{Outcome: Duplicate}
		// The holder only informs the log: a claim written by another version may lack it.
		_ = held.Holder(&c.Holder)
		return c
	default:
		return Claim{Outcome: Unguarded, Err: err}
	}
}

// Release gives up the claim on the delivery id, so that a redelivery can post it. It has
// g.ReleaseTimeout of its own, apart from ctx's deadline: a post that failed because the
// delivery's budget ran out must still be released.
func (g *Guard) Release(ctx context.Context, id string) error {
	key, ok := Key(id)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.ReleaseTimeout)
	defer cancel()
	if err := g.table.Release(ctx, key); err != nil {
		return fmt.Errorf("release delivery %s: %w", id, err)
	}
	return nil
}

// Key is the state table's key for a delivery id: pk delivery#<id> (trimmed, in lower case, as
// a GUID may be written in either case), sk delivery. It reports false for an empty id.
func Key(id string) (state.Key, bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return state.Key{}, false
	}
	return state.Key{PK: "delivery#" + id, SK: "delivery"}, true
}
