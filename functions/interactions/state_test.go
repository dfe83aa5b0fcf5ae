package main

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// sharedMoto is one moto_server for the tests that need only a state table (the deploy
// worlds, of which there are dozens): each gets a table of its own in it, under a name no
// other test uses. A server per world would cost more than the tests.
var sharedMoto struct {
	once sync.Once
	srv  *mototest.Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedMoto.srv != nil {
		sharedMoto.srv.Close()
	}
	os.Exit(code)
}

// tableServer is the shared moto_server, started on first use.
func tableServer(tb testing.TB) *mototest.Server {
	tb.Helper()
	sharedMoto.once.Do(func() { sharedMoto.srv, sharedMoto.err = mototest.New() })
	if sharedMoto.err != nil {
		tb.Fatal(sharedMoto.err)
	}
	return sharedMoto.srv
}

// stateTable is a fresh state table in the shared moto_server, its calls serialized as
// DynamoDB serializes writes to an item (statetest.Serialize), measuring time by now.
func stateTable(tb testing.TB, now func() time.Time) *state.Table {
	tb.Helper()
	return statetest.New(tb, tableServer(tb), now)
}

// faultyAPI passes the table's calls on to next, except those fail answers: fail sees each
// call's name ("GetItem", "PutItem", "DeleteItem", "Query") and input and returns the error to
// answer with, or nil to pass the call on. Set fail before the handler runs, or through
// setFail while it does.
type faultyAPI struct {
	next state.API
	mu   sync.Mutex
	fail func(op string, in any) error
}

func (f *faultyAPI) setFail(fail func(op string, in any) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

func (f *faultyAPI) fault(op string, in any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		return nil
	}
	return f.fail(op, in)
}

func (f *faultyAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := f.fault("GetItem", in); err != nil {
		return nil, err
	}
	return f.next.GetItem(ctx, in, optFns...)
}

func (f *faultyAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := f.fault("PutItem", in); err != nil {
		return nil, err
	}
	return f.next.PutItem(ctx, in, optFns...)
}

func (f *faultyAPI) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if err := f.fault("DeleteItem", in); err != nil {
		return nil, err
	}
	return f.next.DeleteItem(ctx, in, optFns...)
}

func (f *faultyAPI) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if err := f.fault("Query", in); err != nil {
		return nil, err
	}
	return f.next.Query(ctx, in, optFns...)
}

// throttled is DynamoDB's answer once the SDK's retries are spent on a throttled request.
var throttled = &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate of requests exceeds the allowed throughput."}

// failReads throttles every read (GetItem) and lets the writes through.
func failReads(op string, _ any) error {
	if op == "GetItem" {
		return throttled
	}
	return nil
}

// putOf is the pk of a PutItem, and its state attribute when it has one.
func putOf(in any) (pk, st string) {
	p, ok := in.(*dynamodb.PutItemInput)
	if !ok {
		return "", ""
	}
	if v, ok := p.Item["pk"].(*types.AttributeValueMemberS); ok {
		pk = v.Value
	}
	if v, ok := p.Item["state"].(*types.AttributeValueMemberS); ok {
		st = v.Value
	}
	return pk, st
}
