// Package approval keeps the decision on a card (/deploy, /rollback, /scale) in the state table,
// so that of two clicks at the same instant exactly one decides, and so that the worker acts
// only on a recorded approval, once, however often Lambda delivers its invocation.
//
// A card's record is approval#<card message id> / approval. No record means the card is open.
// The quick handler of a click creates it in its decided state (approved, cancelled or expired)
// with one conditional write: the first click wins, the others read the winner from the failed
// condition. The worker of an approval reads the record, not the card, claims
// work#<interaction id> / <step> for the length of one invocation, does the step, and records
// its result (dispatched, applied or failed), so that a retried invocation only shows it again.
//
// See docs/STATE.md for the table and docs/COMMANDS.md for what members see.
package approval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/state"
)

// State is where a card's decision stands.
type State string

// The states of a record. A card without a record is open.
const (
	Approved   State = "approved"   // a member approved; the worker has not finished
	Cancelled  State = "cancelled"  // closed without a change
	Expired    State = "expired"    // clicked after the approval window
	Dispatched State = "dispatched" // the workflow was dispatched (deploy, rollback)
	Applied    State = "applied"    // the change was made, or found made (scale)
	Failed     State = "failed"     // the worker tried and failed; nothing more is tried
)

// Done says whether the worker has finished with a record in state s.
func (s State) Done() bool { return s == Dispatched || s == Applied || s == Failed }

// Record is a card's decision, and what the worker did with it. P is what the card asks for
// (deploy.Proposal, scale.Proposal), read from the card by the click that decided: the worker
// acts on this copy.
type Record[P any] struct {
	Kind     string `dynamodbav:"kind"` // "deploy", "rollback", "scale"
	State    State  `dynamodbav:"state"`
	Proposal P      `dynamodbav:"proposal"`
	// By is the Discord user id of the member who decided, At when (the click's arrival).
	By string    `dynamodbav:"by"`
	At time.Time `dynamodbav:"at"`
	// InteractionID is the deciding click's: its worker is the one that acts.
	InteractionID string `dynamodbav:"interaction_id"`
	// Result is what the worker did, once State is Done.
	Result *Result `dynamodbav:"result,omitempty"`
}

// Result is the outcome of a worker's step.
type Result struct {
	At        time.Time `dynamodbav:"at"`
	RunID     int64     `dynamodbav:"run_id,omitempty"`
	URL       string    `dynamodbav:"url,omitempty"`
	Text      string    `dynamodbav:"text,omitempty"` // what the card says of it, in the channel's language
	RequestID string    `dynamodbav:"request_id,omitempty"`
}

// TTL is how long a record is kept: long after its card's buttons stop working (15 minutes),
// for deploy-notify and for questions about a card.
const TTL = 30 * 24 * time.Hour

// DecideTimeout bounds the one conditional write in a click's acknowledgement, which has
// Discord's 3 seconds for it and for the asynchronous Invoke (1.5 s) after it. A PutItem takes
// milliseconds in the Region; the second leaves room for the SDK's retries.
const DecideTimeout = time.Second

// workLease is how long a worker holds the claim of its step: longer than one invocation may
// run (the stack gives the function 40 s; raise this with it), so that a claim lapses only
// when its holder has died, and shorter than Lambda's wait before its first retry (a minute),
// so that the retry of an invocation that died mid-step can take the step over.
const workLease = 50 * time.Second

// Key is the record of the card with message id.
func Key(id string) state.Key { return state.Key{PK: "approval#" + id, SK: "approval"} }

// workKey is the claim of a step of the work of an interaction.
func workKey(interactionID, step string) state.Key {
	return state.Key{PK: "work#" + interactionID, SK: step}
}

// Records reads and writes the records of cards asking for P. The zero Records has no table:
// every call fails, and the callers fail closed.
type Records[P any] struct {
	Table *state.Table
	Log   *slog.Logger
}

// errNoTable is the answer of a Records without a table.
var errNoTable = errors.New("no state table configured (CHATOPS_TABLE)")

// Decide records rec as the decision on the card id unless one is recorded already. It
// returns the record that stands: rec when this click decided, or the earlier decision; won
// is true when the record that stands is this click's (a redelivered click wins again). An
// error means nothing could be recorded: the click must change nothing.
func (r Records[P]) Decide(ctx context.Context, id string, rec Record[P]) (stands Record[P], won bool, err error) {
	if r.Table == nil {
		return Record[P]{}, false, errNoTable
	}
	ctx, cancel := context.WithTimeout(ctx, DecideTimeout)
	defer cancel()
	_, err = r.Table.Create(ctx, Key(id), TTL, rec)
	var conflict *state.ConflictError
	if errors.As(err, &conflict) {
		var current Record[P]
		if err := conflict.Current(&current); err != nil {
			return Record[P]{}, false, fmt.Errorf("read the decision on card %s: %w", id, err)
		}
		return current, current.InteractionID == rec.InteractionID, nil
	}
	if err != nil {
		return Record[P]{}, false, fmt.Errorf("record the decision on card %s: %w", id, err)
	}
	return rec, true, nil
}

// ErrUnconfirmed means the worker found no approval by its click to act on: the record is
// missing, unreadable (the table did not answer), or records another decision. The worker
// must not act.
var ErrUnconfirmed = errors.New("approval not confirmed")

// ErrBusy means another invocation of the same work holds its claim and is at work: this one
// must neither act nor edit, and is retried later (it wraps command.ErrRetry).
var ErrBusy = fmt.Errorf("another invocation is doing this work: %w", command.ErrRetry)

// Step does the approved change of rec once and returns rec with its State (Dispatched,
// Applied or Failed) and Result set.
type Step[P any] func(ctx context.Context, rec Record[P]) Record[P]

// Run does step for the approval of the card id by the click interactionID, once. It reads
// the record; when the work is already done it returns the record and done true, doing
// nothing. Otherwise it claims work#<interaction id>/<name>, does the step and records its
// result. It returns ErrUnconfirmed (wrapped) when there is no approval by this click to act
// on, ErrBusy when another invocation holds the claim. A result that could not be recorded is
// logged and returned all the same: the change was made, and the claim, left to expire, keeps
// a second invocation from making it again during this one; the step's own guard (a run
// already started, a count already set) covers a later one.
func (r Records[P]) Run(ctx context.Context, id, interactionID, name string, step Step[P]) (rec Record[P], done bool, err error) {
	if r.Table == nil {
		return Record[P]{}, false, fmt.Errorf("%w: %w", ErrUnconfirmed, errNoTable)
	}
	version, err := r.Table.Get(ctx, Key(id), &rec)
	switch {
	case err != nil:
		return Record[P]{}, false, fmt.Errorf("%w: read the record of card %s: %w", ErrUnconfirmed, id, err)
	case rec.State.Done():
		if rec.Result == nil {
			rec.Result = &Result{At: rec.At}
		}
		return rec, true, nil
	case rec.State != Approved || rec.InteractionID != interactionID:
		return rec, false, fmt.Errorf("%w: card %s records %s by %s (interaction %s)", ErrUnconfirmed, id, rec.State, rec.By, rec.InteractionID)
	}
	switch err := r.Table.Claim(ctx, workKey(interactionID, name), workLease, nil); {
	case errors.Is(err, state.ErrClaimed):
		return rec, false, ErrBusy
	case err != nil:
		return rec, false, fmt.Errorf("%w: claim the work: %w", ErrUnconfirmed, err)
	}
	out := step(ctx, rec)
	if _, err := r.Table.Update(ctx, Key(id), version, TTL, out); err != nil {
		r.log().LogAttrs(ctx, slog.LevelWarn, "record the result of an approval", slog.String("card", id),
			slog.String("state", string(out.State)), slog.String("error", err.Error()))
	}
	return out, false, nil
}

func (r Records[P]) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Already is the answer, only to the clicker and in p's language, to a click on a card that
// rec decided first: who decided, and when.
func Already[P any](p *i18n.Printer, rec Record[P]) string {
	args := i18n.Args{"Who": discord.Mention(rec.By), "When": fmt.Sprintf("<t:%d:T>", rec.At.Unix())}
	switch rec.State {
	case Cancelled:
		return p.T("approval.already.cancelled", args)
	case Expired:
		return p.T("approval.already.expired", args)
	}
	return p.T("approval.already.approved", args)
}

// NotRecorded is the answer, only to the clicker and in p's language, when the click's
// decision could not be recorded: the card is left as it is and nothing is done.
func NotRecorded(p *i18n.Printer) string { return p.T("approval.notrecorded") }

// Texts are the words of a card (/deploy, /rollback, /scale): Printer, the channel's
// language, writes them, and the names of the card's fields are read back in every language of
// Catalog, so that a card made before CHATOPS_LANGUAGE changed still reads.
type Texts struct {
	Catalog *i18n.Catalog
	Printer *i18n.Printer
}

// Channel is the Texts of what req's channel sees: its cards, their history, the results.
func Channel(req command.Request) Texts { return Texts{Catalog: req.Texts, Printer: req.Channel()} }

// IsField says whether name is the name of the card field id (a message id) in one of the
// languages.
func (t Texts) IsField(name, id string) bool {
	for _, l := range i18n.Languages() {
		if name == t.Catalog.Printer(l).T(id) {
			return true
		}
	}
	return false
}

// Field is the value of the field id of e, "" when e has none.
func (t Texts) Field(e discord.Embed, id string) string {
	for _, f := range e.Fields {
		if t.IsField(f.Name, id) {
			return f.Value
		}
	}
	return ""
}
