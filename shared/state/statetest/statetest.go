// Package statetest gives tests a state table in a moto_server (shared/mototest) with exactly
// the stack's schema, and a settable clock for TTLs: a redelivery "hours apart" is a clock
// advanced by hours, not a test that waits.
//
// moto's conditional writes are not atomic: moto 5.2.1 reads the current item, evaluates the
// condition and stores the new item without a lock (moto/dynamodb/models/table.py, put_item),
// and moto_server answers requests in threads, so two concurrent claims can both win there.
// DynamoDB serializes the writes to an item. Serialize restores that for tests of concurrency.
package statetest

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
)

// Create creates a table with the stack's schema in s under a name no other test uses, and
// returns a client aimed at s and the table's name (for CHATOPS_TABLE).
func Create(tb testing.TB, s *mototest.Server) (*dynamodb.Client, string) {
	tb.Helper()
	client := dynamodb.NewFromConfig(s.Config(tb))
	// A random suffix: tests that share a server, or one test creating two tables, never share one.
	name := "chatops-" + tableName(tb.Name()) + "-" + rand.Text()[:10]
	if err := state.CreateTable(context.Background(), client, name); err != nil {
		tb.Fatal(err)
	}
	return client, name
}

// New creates a table like Create and returns a state.Table on it, through Serialize,
// measuring time by now (nil means time.Now).
func New(tb testing.TB, s *mototest.Server, now func() time.Time) *state.Table {
	tb.Helper()
	client, name := Create(tb, s)
	return state.New(Serialize(client), name, now)
}

// serial is the one lock every Serialize wrapper takes, so that two Tables standing for two
// execution environments exclude each other as two writers to one DynamoDB item do.
var serial sync.Mutex

// Serialize returns api with its calls made one at a time across the process, for moto, whose
// conditional writes are not atomic under concurrent requests (see the package comment).
// Concurrency in the code under test is untouched: a read-then-write that is not one
// conditional write still interleaves between its two calls.
func Serialize(api state.API) state.API { return serialized{api} }

type serialized struct{ next state.API }

func (s serialized) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	serial.Lock()
	defer serial.Unlock()
	return s.next.GetItem(ctx, in, optFns...)
}

func (s serialized) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	serial.Lock()
	defer serial.Unlock()
	return s.next.PutItem(ctx, in, optFns...)
}

func (s serialized) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	serial.Lock()
	defer serial.Unlock()
	return s.next.DeleteItem(ctx, in, optFns...)
}

func (s serialized) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	serial.Lock()
	defer serial.Unlock()
	return s.next.Query(ctx, in, optFns...)
}

// tableName keeps the characters a DynamoDB table name allows ([a-zA-Z0-9_.-]) and at most
// 200 of them (the limit is 255).
func tableName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '-'
	}, s)
	return s[:min(len(s), 200)]
}

// Clock is a settable time source; its Now is what state.New takes.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
