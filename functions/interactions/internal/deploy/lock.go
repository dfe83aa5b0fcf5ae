package deploy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	statetable "github.com/discord-chatops/chatops/shared/state"
)

// The deploy lock. While an environment has a deploy or rollback in flight (dispatched from a
// card, its run not finished), a new card for it says so and its Approve button becomes
// "Deploy anyway" (or "Roll back anyway"): approving it is the explicit choice to dispatch
// beside the run in flight. The lock is one item per dispatch in the state table
// (deployrun.LockKey: lock#<environment> / <card message id>), written here when the dispatch
// succeeds and deleted by deploy-notify when the run completes, whatever its conclusion; its
// TTL (deployrun.LockTTL) bounds a lock whose end was never reported. The lock only warns: the
// workflow's concurrency group still runs one deploy of an environment at a time.

// lockTimeout bounds the table calls of the lock: it warns, and must not hold up the card or
// the dispatch's result when the table is slow.
const lockTimeout = 2 * time.Second

// maxLocksShown is how many runs in flight a card lists.
const maxLocksShown = 3

// lock is a deploy lock item: the dispatch that holds it.
type lock struct {
	Kind          Kind      `dynamodbav:"kind"`
	CardChannelID string    `dynamodbav:"card_channel_id"`
	CardMessageID string    `dynamodbav:"card_message_id"`
	Ref           string    `dynamodbav:"ref"`
	SHA           string    `dynamodbav:"sha,omitempty"`
	RunID         int64     `dynamodbav:"run_id,omitempty"`
	URL           string    `dynamodbav:"url,omitempty"` // the run's page
	By            string    `dynamodbav:"by"`            // who approved it
	At            time.Time `dynamodbav:"at"`            // when it was dispatched
}

// holdLock takes the deploy lock of r's environment for run, which the approval by (the
// approver's user id) of the card of correlationID has just dispatched. The dispatch step calls
// it once the dispatch succeeded (a run already started for this card counts: the lock is
// rewritten as it was), with one line in work.go:
//
//	s.holdLock(ctx, r, correlationID, rec.By, run.RunDetails)
//
// A lock that cannot be written is logged: the deploy is dispatched all the same, and the
// concurrency group still orders the runs.
func (s *Service) holdLock(ctx context.Context, r Proposal, correlationID, by string, run RunDetails) {
	table := s.Approvals.Table
	if table == nil {
		return
	}
	channelID, messageID, ok := deployrun.ParseCorrelationID(correlationID)
	if !ok {
		return
	}
	l := lock{Kind: r.Kind, CardChannelID: channelID, CardMessageID: messageID, Ref: r.Ref, SHA: r.SHA, By: by,
		RunID: run.ID, URL: run.HTMLURL, At: s.Now().UTC()}
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	if err := table.Put(ctx, deployrun.LockKey(r.Environment, messageID), deployrun.LockTTL, l); err != nil {
		s.Log.LogAttrs(ctx, slog.LevelWarn, "deploy lock not taken", slog.String("environment", r.Environment), slog.String("error", err.Error()))
	}
}

// warnInFlight is the card msg, made for r, warning in t's language of the runs in flight on
// r's environment, when there are any: its description says which, and its Approve button
// reads "Deploy anyway" ("Roll back anyway"), in red, with the same custom_id, so that the
// approval flow is the same. requestWork calls it on the card it made, with one line in
// work.go:
//
//	msg = s.warnInFlight(ctx, approval.Channel(req), r, msg)
//
// A table that does not answer leaves the card without the warning (logged): the lock only
// warns, and the concurrency group still orders the runs.
func (s *Service) warnInFlight(ctx context.Context, t approval.Texts, r Proposal, msg discord.Message) discord.Message {
	table := s.Approvals.Table
	if table == nil || len(msg.Embeds) == 0 {
		return msg
	}
	locks, err := inFlight(ctx, table, r.Environment)
	if err != nil {
		s.Log.LogAttrs(ctx, slog.LevelWarn, "deploy lock not checked", slog.String("environment", r.Environment), slog.String("error", err.Error()))
		return msg
	}
	if len(locks) == 0 {
		return msg
	}
	p := t.Printer
	button := p.T("deploy.lock.button.deploy")
	if r.Kind == KindRollback {
		button = p.T("deploy.lock.button.rollback")
	}
	runs := make([]string, 0, len(locks))
	for _, l := range locks {
		runs = append(runs, runInFlight(p, l))
	}
	warning := p.T("deploy.lock.warning", i18n.Args{"Environment": discord.Quote(r.Environment), "Runs": strings.Join(runs, ", "), "Button": button})
	embeds := append([]discord.Embed(nil), msg.Embeds...)
	embeds[0].Description = discord.Truncate(warning+"\n\n"+embeds[0].Description, 4096)
	embeds[0].Color = colorOrange
	msg.Embeds = embeds
	msg.Components = anyway(msg.Components, r.Kind.approvePrefix(), button)
	return msg
}

// colorOrange marks a card that asks for a deploy beside one in flight.
const colorOrange = 0xE67E22

// inFlight reads the live deploy locks of environment, newest card first.
func inFlight(ctx context.Context, table *statetable.Table, environment string) ([]lock, error) {
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	var locks []lock
	if _, err := table.Query(ctx, statetable.QueryInput{PK: deployrun.LockPK(environment), Limit: maxLocksShown}, &locks); err != nil {
		return nil, fmt.Errorf("read the deploy locks of %s: %w", environment, err)
	}
	return locks, nil
}

// runInFlight is how a card names a run in flight: what it is and since when, linked to the
// run, and who approved it (shown, not pinged: the card pings nobody).
func runInFlight(p *i18n.Printer, l lock) string {
	id := "deploy.lock.dispatched.deploy"
	if l.Kind == KindRollback {
		id = "deploy.lock.dispatched.rollback"
	}
	run := p.T(id, i18n.Args{"At": fmt.Sprintf("<t:%d:R>", l.At.Unix())})
	if l.URL != "" {
		run = "[" + run + "](" + l.URL + ")"
	}
	if l.By == "" {
		return run
	}
	return p.T("deploy.lock.run", i18n.Args{"Run": run, "Who": discord.Mention(l.By)})
}

// anyway is the card's buttons with the one whose custom_id starts with approvePrefix
// relabelled label, in red.
func anyway(rows []discord.Component, approvePrefix, label string) []discord.Component {
	out := make([]discord.Component, len(rows))
	for i, row := range rows {
		row.Components = append([]discord.Component(nil), row.Components...)
		for j, c := range row.Components {
			if strings.HasPrefix(c.CustomID, approvePrefix) {
				row.Components[j].Label, row.Components[j].Style = label, discord.ButtonDanger
			}
		}
		out[i] = row
	}
	return out
}
