package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/state"
)

// People are the Discord users a result's reply names: who asked for the deploy on its card
// and who approved it (the same member where self-approval is allowed). Either id may be
// empty when the approval record does not say.
type People struct {
	RequesterID string
	ApproverID  string
}

// ids are the distinct user ids of p, requester first.
func (p People) ids() []string {
	var ids []string
	for _, id := range []string{p.RequesterID, p.ApproverID} {
		if discord.IsSnowflake(id) && (len(ids) == 0 || ids[0] != id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// Records reads items of the state table; *state.Table is one.
type Records interface {
	Get(ctx context.Context, key state.Key, out any) (int64, error)
}

// approvalRecord is the part of the interactions function's approval record
// (functions/interactions/internal/approval.Record, approval#<card message id>) that names the
// people: by (the member who approved) and the proposal's RequesterID (its Go field name, as
// the proposal is marshalled without tags). See docs/STATE.md.
type approvalRecord struct {
	By       string `dynamodbav:"by"`
	Proposal struct {
		RequesterID string `dynamodbav:"RequesterID"`
	} `dynamodbav:"proposal"`
}

// ApprovalKey is the approval record of the card with message id.
func ApprovalKey(cardMessageID string) state.Key {
	return state.Key{PK: "approval#" + cardMessageID, SK: "approval"}
}

// PeopleOf reads who requested and approved the deploy of r's card from its approval record.
// A card without a record (gone after its 30 days, or made before records existed) has no
// people: the reply then names the run's requester without a ping.
func PeopleOf(ctx context.Context, table Records, r Report) (People, error) {
	var rec approvalRecord
	_, err := table.Get(ctx, ApprovalKey(r.CardMessageID), &rec)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return People{}, nil
	case err != nil:
		return People{}, fmt.Errorf("read the approval of card %s: %w", r.CardMessageID, err)
	}
	return People{RequesterID: rec.Proposal.RequesterID, ApproverID: rec.By}, nil
}

// Pings says whether the reply to a finished run pings its people: every result but success.
// A failure, a cancellation or a timeout means the change is not live and someone must act; a
// success is what everyone expected, and a ping for each would teach the team to ignore the
// pings that matter. A success is still replied to, with the names shown: the reply is what
// shows in the channel when the card has scrolled out of view.
func (r Report) Pings() bool { return r.Status != "success" }

// Reply is the one-line reply, in p's language, to the message that shows the result of a
// finished run (its card, or the post that stands in for it, to): the result, the run by its
// number and link, the commit as a short linked SHA, and who requested and approved it. Its
// allowed_mentions name just those people, and only when the result Pings; its nonce differs
// from the status post's, so that a retried reply posts nothing new.
func (r Report) Reply(p *i18n.Printer, who People, to Result) discord.Message {
	parts := []string{r.Title(p)}
	if run := r.runLink(p); run != "" {
		parts = append(parts, run)
	}
	if c := r.commit(); c != "" {
		parts = append(parts, c)
	}
	if names := r.names(p, who); names != "" {
		parts = append(parts, names)
	}
	mentions := discord.NoMentions()
	if r.Pings() {
		mentions.Users = who.ids()
	}
	notFound := false
	return discord.Message{
		Content:         strings.Join(parts, " · "),
		AllowedMentions: mentions,
		Reference:       &discord.MessageReference{MessageID: to.MessageID, ChannelID: to.ChannelID, FailIfNotExists: &notFound},
		Nonce:           r.nonce("dr"),
		EnforceNonce:    true,
	}
}

// names says who requested and approved the deploy: mentions of the people where the record
// names them, else the requester's name as the run gives it.
func (r Report) names(p *i18n.Printer, who People) string {
	requester, approver := who.RequesterID, who.ApproverID
	switch {
	case requester != "" && (approver == "" || approver == requester):
		if approver == requester {
			return p.T("notify.reply.self", i18n.Args{"Who": discord.Mention(requester)})
		}
		return p.T("notify.reply.requester", i18n.Args{"Requester": discord.Mention(requester)})
	case requester != "":
		return p.T("notify.reply.people", i18n.Args{"Requester": discord.Mention(requester), "Approver": discord.Mention(approver)})
	case approver != "":
		return p.T("notify.reply.approver", i18n.Args{"Approver": discord.Mention(approver)})
	case r.RequestedBy != "":
		return p.T("notify.reply.requester", i18n.Args{"Requester": discord.Escape(r.RequestedBy)})
	}
	return ""
}

// runLink is the run as it is shown everywhere: its number, linked to the run ("[run
// #163](https://github.com/...)"); its number alone without a URL.
func (r Report) runLink(p *i18n.Printer) string {
	if r.Source != SourceRun || r.RunNumber <= 0 {
		return ""
	}
	text := p.T("notify.run.number", i18n.Args{"Number": r.RunNumber})
	if r.URL == "" {
		return text
	}
	return "[" + text + "](" + r.URL + ")"
}

// Reply posts r's reply to the message that shows it (to), in that message's channel. A
// Discord failure that outlasted the client's retries is returned, for the event to be
// retried: the nonce makes the retry's post the same message.
func (p Publisher) Reply(ctx context.Context, r Report, who People, to Result) (discord.Message, error) {
	m, err := p.Discord.CreateMessage(ctx, to.ChannelID, r.Reply(p.Texts.Printer(), who, to))
	if err != nil {
		return discord.Message{}, fmt.Errorf("reply to %s/%s: %w", to.ChannelID, to.MessageID, err)
	}
	return m, nil
}

// Locks releases deploy locks; *state.Table is one.
type Locks interface {
	Release(ctx context.Context, key state.Key) error
}

// ReleaseLock gives up the deploy lock of r's environment that the dispatch from r's card took
// (deployrun.LockKey): the run has finished, whatever its conclusion. Only that card's lock is
// released: a run dispatched anyway beside it keeps its own. Releasing a lock never taken (a
// card from before locks, a lapsed one) is not an error.
func ReleaseLock(ctx context.Context, locks Locks, r Report) error {
	if r.Source != SourceRun || r.Running() || r.Environment == "" || r.CardMessageID == "" {
		return nil
	}
	return locks.Release(ctx, deployrun.LockKey(r.Environment, r.CardMessageID))
}
