package deployrun

import (
	"time"

	"github.com/discord-chatops/chatops/shared/state"
)

// LockTTL bounds how long a deploy lock holds when its run never reports its end (a lost
// event): a job of the deploy workflow runs at most 6 hours on GitHub's runners (the example
// workflow sets no timeout-minutes, so the default 360 minutes applies), and the margin covers
// the time the run waits in its concurrency group or for a runner.
//
// See https://docs.github.com/en/actions/administering-github-actions/usage-limits-billing-and-administration#usage-limits
const LockTTL = 6*time.Hour + 30*time.Minute

// LockPK is the partition of the deploy locks of environment in the state table: one item per
// deploy or rollback dispatched from a card and not yet finished (LockKey). The interactions
// function writes an item when its dispatch succeeds and reads the partition when it makes a
// new card; deploy-notify deletes the item when the run completes.
func LockPK(environment string) string { return "lock#" + environment }

// LockKey is the deploy lock of the run dispatched from the card with message id
// cardMessageID: each dispatch holds its own item, so that the end of one run releases only
// its own lock, never that of a run dispatched anyway beside it.
func LockKey(environment, cardMessageID string) state.Key {
	return state.Key{PK: LockPK(environment), SK: cardMessageID}
}
