package audit

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/discord-chatops/chatops/shared/state"
)

// PK is the partition of every audit entry in the state table.
const PK = "audit"

// WriteTimeout bounds the table write of one entry. Entries are also written on the
// acknowledgement path, within Discord's 3 seconds: an approving click's answer may take the
// approval record's write (approval.DecideTimeout, 1 s), this write and the asynchronous Invoke
// (1.5 s), which add up to 3 s only if the decision succeeds just before its deadline (one that
// times out hands nothing to the worker: 1.5 s). A PutItem takes milliseconds in the Region;
// half a second leaves the SDK room for a retry, and a table that takes longer loses the
// entry's durable copy, not the answer.
const WriteTimeout = 500 * time.Millisecond

// Table is the part of *state.Table a Trail uses.
type Table interface {
	Put(ctx context.Context, key state.Key, ttl time.Duration, v any) error
	Query(ctx context.Context, in state.QueryInput, out any) (truncated bool, err error)
}

// Trail is the audit trail in the state table: a Sink, and the query /audit reads. Build it
// once per execution environment; it is safe for concurrent use.
type Trail struct {
	table     Table
	retention time.Duration
	// env and seq make each entry's key unique: env is this execution environment's, seq
	// counts its entries, so that entries of one environment stamped with the same time keep
	// their order.
	env string
	seq atomic.Uint64
}

// NewTrail returns the trail in table, keeping each entry for retention (RetentionFromEnv).
func NewTrail(table Table, retention time.Duration) *Trail {
	return &Trail{table: table, retention: retention, env: rand.Text()[:10]}
}

// Key is the item key of an entry made at at, with id unique among the entries of that
// instant: audit / state.TimeSortKey(at, id), so that a query reads the newest first.
func Key(at time.Time, id string) state.Key {
	return state.Key{PK: PK, SK: state.TimeSortKey(at, id)}
}

// Write puts e in the table, expiring after the retention, within WriteTimeout.
func (t *Trail) Write(ctx context.Context, e Entry) error {
	ctx, cancel := context.WithTimeout(ctx, WriteTimeout)
	defer cancel()
	id := fmt.Sprintf("%010d.%s", t.seq.Add(1), t.env)
	return t.table.Put(ctx, Key(e.At, id), t.retention, e)
}

// Filter narrows Recent; an empty field matches every entry.
type Filter struct {
	Environment string // the deploy environment
	UserID      string // the Discord user id of who acted
}

// condition is f as a DynamoDB filter; unset when f matches everything.
func (f Filter) condition() expression.ConditionBuilder {
	var c expression.ConditionBuilder
	and := func(next expression.ConditionBuilder) {
		if c.IsSet() {
			c = c.And(next)
		} else {
			c = next
		}
	}
	if f.Environment != "" {
		and(expression.Name("environment").Equal(expression.Value(f.Environment)))
	}
	if f.UserID != "" {
		and(expression.Name("user_id").Equal(expression.Value(f.UserID)))
	}
	return c
}

// Recent returns at most limit live entries matching f, newest first. The filter runs in the
// query (a DynamoDB filter expression), over at most state.DefaultMaxPages pages:
// truncated says the search stopped there, so older matches may exist.
func (t *Trail) Recent(ctx context.Context, f Filter, limit int32) (entries []Entry, truncated bool, err error) {
	truncated, err = t.table.Query(ctx, state.QueryInput{PK: PK, Limit: limit, Filter: f.condition()}, &entries)
	if err != nil {
		return nil, false, fmt.Errorf("audit trail: %w", err)
	}
	return entries, truncated, nil
}
