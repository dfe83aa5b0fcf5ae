package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/discord-chatops/chatops/shared/state"
)

// reportClaimTTL is how long a day's report claim is kept: past the Scheduler's retries (an
// hour) and any backfill of the last month ({"now": ...} a few weeks back), after which a post
// for that day would be a deliberate re-run.
const reportClaimTTL = 40 * 24 * time.Hour

// alarmClaimTTL is how long an alarm event's claim is kept: EventBridge retries a target for at
// most the rule's maximum event age (an hour), and a redrive from the dead-letter queue within
// the week still finds the claim.
const alarmClaimTTL = 7 * 24 * time.Hour

// reportKey is the claim on the report of day (YYYY-MM-DD in REPORT_TIMEZONE) in a channel.
func reportKey(channelID, day string) state.Key {
	return state.Key{PK: "report#" + channelID, SK: day}
}

// alarmKey is the claim on one alarm state change event. cost-cron's role may write report#*
// and cost#* keys only (infra/state.go), so the alarm's claims live under report#alarm-.
func alarmKey(eventID string) state.Key {
	return state.Key{PK: "report#alarm-" + eventID, SK: "alarm"}
}

// postClaim is what a claim holds once its message is posted.
type postClaim struct {
	MessageID string `dynamodbav:"message_id,omitempty"`
}

// postOnce runs post under the claim on key, so that however many invocations carry the same
// report or event, one posts. It returns the message id, and already=true (with the earlier
// message id, where it was recorded) when an earlier invocation holds the claim.
//
//   - A failed post releases the claim, so that the retry the returned error causes can post.
//   - When the table is unavailable (throttled, 5xx, no answer after the SDK's retries), post
//     goes ahead unguarded and the skipped guard is logged at WARN: a report or an alarm is not
//     lost for the table's sake, and Discord's nonce still guards the next few minutes.
//   - Any other failure to claim (a denied call, a bad key) fails the invocation.
//
// what names the post in errors: "cost report 2025-10-18 to channel 1300...".
func (h *handler) postOnce(ctx context.Context, log *slog.Logger, key state.Key, ttl time.Duration, what string, post func(context.Context) (string, error)) (id string, already bool, err error) {
	guarded := true
	if err := h.table.Claim(ctx, key, ttl, nil); err != nil {
		var held *state.ClaimedError
		switch {
		case errors.As(err, &held):
			var c postClaim
			if err := held.Holder(&c); err != nil {
				log.Warn("already posted; the claim's message id is unreadable", "key", key.String(), "err", err)
			}
			log.Info("already posted", "key", key.String(), "message_id", c.MessageID)
			return c.MessageID, true, nil
		case state.Unavailable(err):
			log.Warn("state table unavailable: posting without the once-only guard", "key", key.String(), "post", what, "err", err)
			guarded = false
		default:
			return "", false, &ReportError{Step: "claim " + what, Err: err}
		}
	}

	id, err = post(ctx)
	if err != nil {
		if guarded {
			// The invocation may be out of time: the release must still be tried.
			if rerr := h.table.Release(context.WithoutCancel(ctx), key); rerr != nil {
				err = errors.Join(err, fmt.Errorf("the claim is still held, so a retry will not post: %w", rerr))
			}
		}
		return "", false, &ReportError{Step: "post " + what, Err: err}
	}
	if guarded {
		if perr := h.table.Put(ctx, key, ttl, postClaim{MessageID: id}); perr != nil {
			log.Warn("posted; the message id was not recorded in the claim", "key", key.String(), "message_id", id, "err", perr)
		}
	}
	return id, false, nil
}
