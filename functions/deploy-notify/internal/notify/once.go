package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/discord-chatops/chatops/shared/state"
)

// ClaimTTL is how long an event's claims are kept: longer than GitHub's redelivery window (3
// days back) and than a DLQ redrive is likely to wait, so that a late copy still finds them.
const ClaimTTL = 7 * 24 * time.Hour

// Claims is the part of *state.Table that Once uses.
type Claims interface {
	Claim(ctx context.Context, key state.Key, ttl time.Duration, attrs any) error
	Release(ctx context.Context, key state.Key) error
}

// Once makes each report one update in Discord however often its event arrives: it claims the
// EventBridge event's id, then the run state the report shows (RunKey), in the state table.
// EventBridge delivers at least once and GitHub redelivers on request, as a new event with the
// same payload; Discord's nonce covers a few minutes only.
type Once struct {
	Table Claims
}

// Claim is what Once.Claim holds for one event.
type Claim struct {
	// Duplicate, when not empty, says which earlier event made this update: report nothing.
	Duplicate string
	// Skipped is the table's error when it could not answer (state.Unavailable, after the
	// SDK's retries): the report goes ahead unguarded rather than being lost.
	Skipped error

	table Claims
	held  []state.Key // in the order claimed
}

// holder is what a claim records: the event that made it.
type holder struct {
	EventID string `dynamodbav:"event_id"`
}

// EventKey is the claim of one EventBridge event.
func EventKey(eventID string) state.Key {
	return state.Key{PK: "event#" + eventID, SK: "event"}
}

// RunKey is the claim of the update a report makes. A run: run#<run id> and
// <attempt>#<status>#<conclusion>, status one of requested, in_progress, completed, except that
// a run without a card has one "running" state, as its channel post has one nonce for both. A
// deployment: run#deployment-<deployment id> and its state as reported (the pending states
// count as in_progress, as in its nonce).
func RunKey(r Report) state.Key {
	if r.Source == SourceDeployment {
		return state.Key{PK: fmt.Sprintf("run#deployment-%d", r.DeploymentID), SK: r.Status}
	}
	status, conclusion := r.Status, ""
	switch {
	case !r.Running():
		status, conclusion = "completed", r.Status
	case r.CardMessageID == "":
		status = "running"
	}
	return state.Key{PK: fmt.Sprintf("run#%d", r.RunID), SK: fmt.Sprintf("%d#%s#%s", r.Attempt, status, conclusion)}
}

// Claim claims the event and the run state of r. A key another event holds makes the event a
// duplicate. A table that cannot answer leaves the rest unclaimed and says so in Skipped. Any
// other table error is returned, with what was claimed released, so that the event is retried.
func (o Once) Claim(ctx context.Context, eventID string, r Report) (Claim, error) {
	c := Claim{table: o.Table}
	for _, key := range []state.Key{EventKey(eventID), RunKey(r)} {
		err := o.Table.Claim(ctx, key, ClaimTTL, holder{EventID: eventID})
		var held *state.ClaimedError
		switch {
		case err == nil:
			c.held = append(c.held, key)
		case errors.As(err, &held):
			c.Duplicate = "event delivered again"
			var h holder
			if key != EventKey(eventID) && held.Holder(&h) == nil {
				c.Duplicate = fmt.Sprintf("%s already reported by event %s", key, h.EventID)
			}
			return c, nil
		case state.Unavailable(err):
			c.Skipped = err
			return c, nil
		default:
			if rerr := c.Release(ctx); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return Claim{}, err
		}
	}
	return c, nil
}

// Release gives up what the claim holds, latest first, so that a retry of the event can claim
// it again. It tries every key and returns their errors joined.
func (c Claim) Release(ctx context.Context) error {
	var errs []error
	for i := len(c.held) - 1; i >= 0; i-- {
		if err := c.table.Release(ctx, c.held[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
