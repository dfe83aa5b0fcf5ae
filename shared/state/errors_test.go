package state_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/discord-chatops/chatops/shared/state"
)

// status wraps err as the SDK does an answer with an HTTP status.
func status(code int, err error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}},
		Err:      err,
	}}
}

// operation wraps err as the SDK returns every failed call, after its retries.
func operation(err error) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "PutItem", Err: &retry.MaxAttemptsError{Attempt: 3, Err: err}}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"provisioned throughput exceeded", operation(status(400, &types.ProvisionedThroughputExceededException{})), true},
		{"request limit exceeded", operation(status(400, &types.RequestLimitExceeded{})), true},
		{"throttling", operation(status(400, &types.ThrottlingException{})), true},
		{"throttling by code", &smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{"internal server error", operation(status(500, &types.InternalServerError{})), true},
		{"service unavailable by code", &smithy.GenericAPIError{Code: "ServiceUnavailable"}, true},
		{"bare 503", operation(status(503, errors.New("unexpected EOF"))), true},
		{"bare 502", status(502, errors.New("bad gateway")), true},
		{"connection refused", operation(&smithyhttp.RequestSendError{Err: errors.New("dial tcp: connection refused")}), true},
		{"call deadline passed", operation(&smithy.CanceledError{Err: context.DeadlineExceeded}), true},
		{"caller cancelled", operation(&smithy.CanceledError{Err: context.Canceled}), false},
		{"condition failed", operation(status(400, &types.ConditionalCheckFailedException{})), false},
		{"validation", operation(status(400, &smithy.GenericAPIError{Code: "ValidationException"})), false},
		{"access denied", operation(status(400, &smithy.GenericAPIError{Code: "AccessDeniedException"})), false},
		{"no table", operation(status(400, &types.ResourceNotFoundException{})), false},
		{"claimed", &state.ClaimedError{}, false},
		{"conflict", &state.ConflictError{}, false},
		{"not found", state.ErrNotFound, false},
		{"wrapped throttling", fmt.Errorf("claim delivery#1/delivery: %w", operation(status(400, &types.ProvisionedThroughputExceededException{}))), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := state.Unavailable(tt.err); got != tt.want {
				t.Errorf("Unavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// failing is a state.API whose every call fails with err.
type failing struct{ err error }

func (f failing) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, f.err
}

func (f failing) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, f.err
}

func (f failing) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return nil, f.err
}

func (f failing) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, f.err
}

// TestFaultsReachTheCaller checks that every operation returns a table fault as one, and
// never as a held claim, a conflict or an absent item.
func TestFaultsReachTheCaller(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := state.Key{PK: "approval#1", SK: "approval"}
	ops := map[string]func(*state.Table) error{
		"Get":     func(tb *state.Table) error { _, err := tb.Get(ctx, key, nil); return err },
		"Put":     func(tb *state.Table) error { return tb.Put(ctx, key, time.Hour, nil) },
		"Claim":   func(tb *state.Table) error { return tb.Claim(ctx, key, time.Hour, nil) },
		"Release": func(tb *state.Table) error { return tb.Release(ctx, key) },
		"Create":  func(tb *state.Table) error { _, err := tb.Create(ctx, key, time.Hour, nil); return err },
		"Update":  func(tb *state.Table) error { _, err := tb.Update(ctx, key, 1, time.Hour, nil); return err },
		"Query": func(tb *state.Table) error {
			var out []map[string]any
			_, err := tb.Query(ctx, state.QueryInput{PK: "audit", Limit: 20}, &out)
			return err
		},
	}
	faults := map[string]error{
		"throttled": operation(status(400, &types.ProvisionedThroughputExceededException{})),
		"5xx":       operation(status(500, &types.InternalServerError{})),
	}
	for op, call := range ops {
		for fault, err := range faults {
			t.Run(op+" "+fault, func(t *testing.T) {
				t.Parallel()
				got := call(state.New(failing{err: err}, "chatops", nil))
				if !state.Unavailable(got) {
					t.Errorf("Unavailable(%v) = false", got)
				}
				if !errors.Is(got, err) {
					t.Errorf("%v does not wrap the SDK's error", got)
				}
				for _, sentinel := range []error{state.ErrClaimed, state.ErrConflict, state.ErrNotFound} {
					if errors.Is(got, sentinel) {
						t.Errorf("%v is %v", got, sentinel)
					}
				}
			})
		}
	}
}

// TestSDKErrors runs the real client against a server answering as DynamoDB does, to check
// that the errors the SDK builds from the wire are classified, that the SDK retries a fault
// (3 attempts) and the package adds no retries of its own, and that a failed condition
// carries the holder (ReturnValuesOnConditionCheckFailure) and is not retried.
func TestSDKErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		status        int
		body          string
		wantRequests  int32
		wantFault     bool
		wantHolderWho string
	}{
		{
			name:         "throttled",
			status:       400,
			body:         `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}`,
			wantRequests: 3,
			wantFault:    true,
		},
		{
			name:         "request limit",
			status:       400,
			body:         `{"__type":"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded","message":"Throughput exceeds the current throughput limit for your account."}`,
			wantRequests: 3,
			wantFault:    true,
		},
		{
			name:         "internal server error",
			status:       500,
			body:         `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}`,
			wantRequests: 3,
			wantFault:    true,
		},
		{
			name:         "503 without a body",
			status:       503,
			body:         ``,
			wantRequests: 3,
			wantFault:    true,
		},
		{
			name:          "condition failed",
			status:        400,
			body:          `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"delivery#1"},"sk":{"S":"delivery"},"expires_at":{"N":"4102444800"},"who":{"S":"other"}}}`,
			wantRequests:  1,
			wantHolderWho: "other",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				body, _ := io.ReadAll(r.Body)
				if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.PutItem" || !strings.Contains(string(body), `"ReturnValuesOnConditionCheckFailure":"ALL_OLD"`) {
					t.Errorf("unexpected request %s %s", r.Header.Get("X-Amz-Target"), body)
				}
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			client := dynamodb.New(dynamodb.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(srv.URL),
				Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
				// The standard retryer, without waiting between attempts.
				Retryer: retry.AddWithMaxBackoffDelay(retry.NewStandard(), 0),
			})
			table := state.New(client, "chatops", func() time.Time { return start })

			err := table.Claim(context.Background(), state.Key{PK: "delivery#1", SK: "delivery"}, time.Hour, holder{Who: "me"})
			if got := requests.Load(); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
			if got := state.Unavailable(err); got != tt.wantFault {
				t.Errorf("Unavailable(%v) = %v, want %v", err, got, tt.wantFault)
			}
			if tt.wantHolderWho == "" {
				return
			}
			var claimed *state.ClaimedError
			if !errors.As(err, &claimed) {
				t.Fatalf("got %v, want a *ClaimedError", err)
			}
			var h holder
			if err := claimed.Holder(&h); err != nil || h.Who != tt.wantHolderWho {
				t.Errorf("holder %+v, %v; want who %q", h, err, tt.wantHolderWho)
			}
		})
	}
}
