package state

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

var (
	// ErrNotFound means there is no live item at the key: none, or an expired one.
	ErrNotFound = errors.New("no item")
	// ErrClaimed means a live claim holds the key. Claim returns it as a *ClaimedError.
	ErrClaimed = errors.New("already claimed")
	// ErrConflict means a live item is at the key (Create) or its version moved (Update).
	// Create and Update return it as a *ConflictError.
	ErrConflict = errors.New("version conflict")
)

// ClaimedError is Claim's answer when a live claim holds the key.
type ClaimedError struct {
	// Key is the key claimed.
	Key Key
	// ExpiresAt is when the holder's claim expires; zero when it never does.
	ExpiresAt time.Time

	item map[string]types.AttributeValue
}

// Error says which key is held, and until when.
func (e *ClaimedError) Error() string {
	if e.ExpiresAt.IsZero() {
		return fmt.Sprintf("claim %s: %v", e.Key, ErrClaimed)
	}
	return fmt.Sprintf("claim %s: %v until %s", e.Key, ErrClaimed, e.ExpiresAt.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrClaimed) true.
func (e *ClaimedError) Is(target error) bool { return target == ErrClaimed }

// Holder unmarshals the holder's attributes (the attrs of its Claim) into out.
func (e *ClaimedError) Holder(out any) error { return attributevalue.UnmarshalMap(e.item, out) }

// ConflictError is the answer of Create or Update when the live item is not the one expected.
type ConflictError struct {
	// Key is the item's key.
	Key Key
	// Version is the current item's version.
	Version int64

	item map[string]types.AttributeValue
}

// Error says which key, and its current version.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("write %s: %v: the item is at version %d", e.Key, ErrConflict, e.Version)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Current unmarshals the current item, the one that won, into out.
func (e *ConflictError) Current(out any) error { return attributevalue.UnmarshalMap(e.item, out) }

// Unavailable reports whether err means the table could not answer: throttling, a 5xx status,
// no answer at all (the request could not be sent or the connection broke), or the call's
// deadline passing. The SDK's retryer has already retried these by the time a caller sees
// them, so a caller decides what the guard is worth: post anyway and log that the guard was
// skipped, or fail closed. A failed condition (ErrClaimed, ErrConflict), a validation error,
// a denied call or a cancelled context is not unavailability.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		// The codes with which DynamoDB says it cannot serve a request now: throttling (a 400
		// status) and its server-side errors.
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
		switch apiErr.ErrorCode() {
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
			"InternalServerError", "ServiceUnavailable":
			return true
		}
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500 {
		return true
	}
	var sendErr *smithyhttp.RequestSendError
	return errors.As(err, &sendErr)
}
