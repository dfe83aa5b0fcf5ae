package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
)

// Discord is the part of *rest.Client a Publisher uses.
type Discord interface {
	GetMessage(ctx context.Context, channelID, messageID string) (discord.Message, error)
	EditMessage(ctx context.Context, channelID, messageID string, m discord.Message) (discord.Message, error)
	CreateMessage(ctx context.Context, channelID string, m discord.Message) (discord.Message, error)
}

// Action is what Publish did.
type Action string

// Actions of a Result.
const (
	// Edited: the card now shows the report.
	Edited Action = "edited"
	// Posted: the report is a message in the channel (Discord answers a repeated nonce with
	// the message created first).
	Posted Action = "posted"
	// Unchanged: the card already shows this status or a newer one.
	Unchanged Action = "unchanged"
)

// Result is what Publish did and where.
type Result struct {
	Action    Action
	ChannelID string
	MessageID string
	// Reason says why a card's report was posted to the channel instead, or what the card
	// showed when it was left unchanged.
	Reason string
	// Current says that the message shows this very report: edited or posted now, or left
	// unchanged because it showed it already (a retry after a later step failed). It is false
	// when the card shows a newer state, which a reply about this one would contradict.
	Current bool
}

// Publisher shows reports in Discord.
type Publisher struct {
	Discord Discord
	// ChannelID is DISCORD_CHANNEL_ID: where runs without a card, deployments, and the runs
	// of a card that is gone are posted.
	ChannelID string
	// ApplicationID is the application's id, which is also its bot user's: a card another
	// author posted cannot be edited (Discord error 50005). Empty skips the check.
	ApplicationID string
	// Texts write the reports in the channel's language and read back the card's status
	// embed in any. Required.
	Texts *Texts
}

// Publish puts a run on its card, or posts the report to the channel. A Discord failure that
// outlasted the client's retries is returned: the event should be retried.
func (p Publisher) Publish(ctx context.Context, r Report) (Result, error) {
	if r.CardMessageID == "" {
		return p.post(ctx, r, "")
	}
	return p.editCard(ctx, r)
}

// editCard reads the card, and replaces its status embed and buttons unless it already shows
// a newer state. The card's other embeds (the approval, owned by the interactions function)
// and its content are kept.
func (p Publisher) editCard(ctx context.Context, r Report) (Result, error) {
	channelID, messageID := r.CardChannelID, r.CardMessageID
	card, err := p.Discord.GetMessage(ctx, channelID, messageID)
	switch {
	case unavailable(err):
		return p.post(ctx, r, fmt.Sprintf("card unreadable: %v", err))
	case err != nil:
		return Result{}, fmt.Errorf("read card %s/%s: %w", channelID, messageID, err)
	case p.ApplicationID != "" && (card.Author == nil || card.Author.ID != p.ApplicationID):
		return p.post(ctx, r, "card not posted by this application")
	}
	embeds := make([]discord.Embed, 0, len(card.Embeds)+1)
	for _, e := range card.Embeds {
		s, ok := p.Texts.statusOf(e)
		if !ok {
			embeds = append(embeds, e)
			continue
		}
		if !r.supersedes(s) {
			return Result{Action: Unchanged, ChannelID: channelID, MessageID: messageID, Reason: "card shows " + e.Footer.Text,
				Current: r.shows(s)}, nil
		}
	}
	embeds = append(embeds[:min(len(embeds), discord.MaxEmbeds-1)], r.Embed(p.Texts.Printer()))
	components := r.Components(p.Texts.Printer())
	if components == nil {
		components = []discord.Component{} // removes whatever buttons the card still had
	}
	edited, err := p.Discord.EditMessage(ctx, channelID, messageID, discord.Message{Embeds: embeds, Components: components})
	switch {
	case unavailable(err):
		return p.post(ctx, r, fmt.Sprintf("card not editable: %v", err))
	case err != nil:
		return Result{}, fmt.Errorf("edit card %s/%s: %w", channelID, messageID, err)
	}
	return Result{Action: Edited, ChannelID: channelID, MessageID: edited.ID, Current: true}, nil
}

func (p Publisher) post(ctx context.Context, r Report, reason string) (Result, error) {
	posted, err := p.Discord.CreateMessage(ctx, p.ChannelID, r.Message(p.Texts.Printer()))
	if err != nil {
		return Result{}, fmt.Errorf("post to channel %s: %w", p.ChannelID, err)
	}
	return Result{Action: Posted, ChannelID: p.ChannelID, MessageID: posted.ID, Reason: reason, Current: true}, nil
}

// codeCannotEditOthers is Discord's "Cannot edit a message authored by another user".
//
// See https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes
const codeCannotEditOthers = 50005

// unavailable reports whether err says the card cannot be read or edited at all: gone (404:
// message or channel deleted), out of reach (403: the bot lost access) or not the bot's. Such
// an error never clears on retry.
func unavailable(err error) bool {
	var e *rest.Error
	return errors.As(err, &e) &&
		(e.Status == http.StatusNotFound || e.Status == http.StatusForbidden || e.Code == codeCannotEditOthers)
}
