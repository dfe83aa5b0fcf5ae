package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/announce"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/feed"
	"github.com/discord-chatops/chatops/shared/apigw"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/google/go-github/v66/github"
)

// maxWrites bounds the tries of a record's conditional write: each lost race re-reads the
// winner and applies the event on top of it.
const maxWrites = 4

// follows reports whether events of the given X-GitHub-Event type change a pull request's or
// issue's message.
func follows(eventType string) bool {
	switch eventType {
	case "pull_request", "issues", "pull_request_review", "check_suite":
		return true
	}
	return false
}

// follow applies a pull request, issue, review or check suite event to its record and its
// message in each channel. Only what decide announces starts a message, in the channels it
// chooses (the repository's subscriptions, or REPO_CHANNELS and the IGNORE_* filters); once a
// channel has one, every change to it edits that message.
func (h *handler) follow(ctx context.Context, log *slog.Logger, eventType, delivery string, payload []byte, botToken string) events.APIGatewayV2HTTPResponse {
	event, err := github.ParseWebHook(eventType, payload)
	if err != nil {
		log.Warn("refused", "status", http.StatusBadRequest, "err", err)
		return apigw.Text(http.StatusBadRequest, "invalid payload")
	}
	change, skip := feed.Read(event, delivery)
	if skip != "" {
		log.Info("ignored", "status", http.StatusNoContent, "reason", skip)
		return apigw.Status(http.StatusNoContent)
	}
	p := h.texts.Printer(h.cfg.Language)
	pk := feed.PK(change.Item, change.Repo, change.Number)
	log = log.With("repo", change.Repo, "record", pk)
	_, channels, notAnnounced := h.decide(ctx, log, event, p)
	// Every channel that has a message already follows every change to it, announced there
	// or not (a bot merging a person's pull request still marks it merged).
	existing, err := h.channelsWithMessages(ctx, pk)
	if err != nil {
		return recordFailed(log, "read records", err)
	}
	type target struct {
		channel string
		mayPost bool
	}
	var targets []target
	for _, c := range channels {
		targets = append(targets, target{c, true})
	}
	for _, c := range existing {
		if !slices.Contains(channels, c) {
			targets = append(targets, target{c, false})
		}
	}
	if len(targets) == 0 {
		log.Info("ignored", "status", http.StatusNoContent, "reason", notAnnounced, "message", "none yet")
		return apigw.Status(http.StatusNoContent)
	}
	return h.once(ctx, log, delivery, eventType, func() events.APIGatewayV2HTTPResponse {
		// A failure in one channel fails the delivery; its redelivery applies the change again
		// everywhere, which changes nothing where it was applied (a step is added once per
		// delivery, an edit from the same record is the same edit).
		var first events.APIGatewayV2HTTPResponse
		for i, t := range targets {
			key := feed.Key(change.Item, change.Repo, change.Number, t.channel)
			resp := h.apply(ctx, log.With("channel", t.channel), key, t.channel, change, t.mayPost, delivery, botToken, p)
			if resp.StatusCode >= http.StatusMultipleChoices && resp.StatusCode != http.StatusNoContent {
				return resp
			}
			if i == 0 || first.StatusCode == http.StatusNoContent {
				first = resp
			}
		}
		return first
	})
}

// channelsWithMessages lists the channels where the pull request or issue of partition pk has
// a message.
func (h *handler) channelsWithMessages(ctx context.Context, pk string) ([]string, error) {
	var recs []struct {
		ChannelID string `dynamodbav:"channel_id"`
	}
	if _, err := h.records.Query(ctx, state.QueryInput{PK: pk, Limit: maxChannels}, &recs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.ChannelID)
	}
	return out, nil
}

// maxChannels bounds the channels one pull request or issue is followed in.
const maxChannels = 50

// apply reads the record, applies the change and writes it back on the version it read, then
// posts the first message or edits it. The message is rendered from the record alone, so an
// edit repeated after a failure is the same edit. A lost race (a conflict) re-reads the winner
// and applies the change on top; a record that cannot be read or written fails the delivery
// (502) rather than post without it, which would post a second message.
func (h *handler) apply(ctx context.Context, log *slog.Logger, key state.Key, channel string, c feed.Change, mayPost bool, delivery, botToken string, p *i18n.Printer) events.APIGatewayV2HTTPResponse {
	dc := h.discordClient(botToken)
	for attempt := 1; ; attempt++ {
		var rec feed.Record
		version, err := h.records.Get(ctx, key, &rec)
		switch {
		case errors.Is(err, state.ErrNotFound) && !mayPost:
			log.Info("ignored", "status", http.StatusNoContent, "reason", "no message yet")
			return apigw.Status(http.StatusNoContent)
		case errors.Is(err, state.ErrNotFound):
			rec = feed.Record{Item: c.Item, Repo: c.Repo, Number: c.Number, ChannelID: channel}
			version = 0
		case err != nil:
			return recordFailed(log, "read record", err)
		}
		if c.HeadSHA != "" && c.HeadSHA != rec.Snapshot.HeadSHA {
			log.Info("ignored", "status", http.StatusNoContent, "reason", "check suite on another commit than the head")
			return apigw.Status(http.StatusNoContent)
		}
		changed := feed.Apply(&rec, c)
		log := log.With("channel", rec.ChannelID, "status_line", string(rec.Status()))

		if version == 0 {
			msg := feed.Message(rec, p)
			msg.Nonce, msg.EnforceNonce = feed.Nonce(key), true
			posted, err := dc.CreateMessage(ctx, rec.ChannelID, msg)
			if err != nil {
				log.Error("post message", "status", http.StatusBadGateway, "err", err)
				return apigw.Text(http.StatusBadGateway, "could not post the message; redeliver it")
			}
			rec.MessageID = posted.ID
			version, err = h.records.Create(ctx, key, feed.TTL, rec)
			if errors.Is(err, state.ErrConflict) && attempt < maxWrites {
				continue // another delivery created it first; the nonce gave both one message
			}
			if err != nil {
				// The message stands; a redelivery within minutes gets it back by its nonce.
				return recordFailed(log.With("message", rec.MessageID), "create record", err)
			}
			log.Info("posted", "message", rec.MessageID)
		} else {
			if changed {
				version, err = h.records.Update(ctx, key, version, feed.TTL, rec)
				if errors.Is(err, state.ErrConflict) && attempt < maxWrites {
					continue
				}
				if err != nil {
					return recordFailed(log, "update record", err)
				}
			}
			if resp, ok := h.edit(ctx, log, dc, key, rec, version, p); !ok {
				return resp
			}
		}
		if c.Note != nil {
			if resp, ok := h.inThread(ctx, log, dc, key, &rec, version, feed.NoteMessage(*c.Note, p, announce.Nonce(delivery)), c.Note.What); !ok {
				return resp
			}
		}
		if c.Ping != nil && h.people != nil {
			if resp, ok := h.ping(ctx, log, dc, key, &rec, version, *c.Ping, delivery, p); !ok {
				return resp
			}
		}
		return apigw.JSON(http.StatusOK, map[string]string{"message_id": rec.MessageID})
	}
}

// edit shows rec in its message. When another delivery moved the record meanwhile, its edit
// may have landed first: the latest record is shown again, so the last edit is the latest.
func (h *handler) edit(ctx context.Context, log *slog.Logger, dc discordAPI, key state.Key, rec feed.Record, version int64, p *i18n.Printer) (events.APIGatewayV2HTTPResponse, bool) {
	if _, err := dc.EditMessage(ctx, rec.ChannelID, rec.MessageID, feed.Message(rec, p)); err != nil {
		log.Error("edit message", "status", http.StatusBadGateway, "message", rec.MessageID, "err", err)
		return apigw.Text(http.StatusBadGateway, "could not edit the message; redeliver it"), false
	}
	var latest feed.Record
	if v, err := h.records.Get(ctx, key, &latest); err == nil && v > version {
		if _, err := dc.EditMessage(ctx, latest.ChannelID, latest.MessageID, feed.Message(latest, p)); err != nil {
			log.Warn("edit message again", "message", rec.MessageID, "err", err)
		}
	}
	log.Info("edited", "message", rec.MessageID)
	return events.APIGatewayV2HTTPResponse{}, true
}

// inThread posts msg (a review's body, a failed check, a ping) in the message's thread,
// starting the thread the first time. msg's nonce comes from the delivery, so a retried post
// appears once.
func (h *handler) inThread(ctx context.Context, log *slog.Logger, dc discordAPI, key state.Key, rec *feed.Record, version int64, msg discord.Message, what string) (events.APIGatewayV2HTTPResponse, bool) {
	thread := rec.ThreadID
	if thread == "" {
		t, err := dc.StartThread(ctx, rec.ChannelID, rec.MessageID, feed.ThreadName(*rec))
		var derr *rest.Error
		switch {
		case errors.As(err, &derr) && derr.Code == rest.ErrCodeThreadExists:
			thread = rec.MessageID // a thread started from a message has the message's id
		case err != nil:
			log.Error("start thread", "status", http.StatusBadGateway, "message", rec.MessageID, "err", err)
			return apigw.Text(http.StatusBadGateway, "could not start the thread; redeliver it"), false
		default:
			thread = t.ID
		}
		// Kept so that the next note goes straight to the thread. A write lost to a race
		// costs the next note one more start, which Discord answers with ErrCodeThreadExists.
		rec.ThreadID = thread
		if _, err := h.records.Update(ctx, key, version, feed.TTL, *rec); err != nil {
			log.Warn("keep thread id", "thread", thread, "err", err)
		}
	}
	if _, err := dc.CreateMessage(ctx, thread, msg); err != nil {
		log.Error("post in thread", "status", http.StatusBadGateway, "thread", thread, "err", err)
		return apigw.Text(http.StatusBadGateway, "could not post in the thread; redeliver it"), false
	}
	log.Info("noted", "thread", thread, "note", what)
	return events.APIGatewayV2HTTPResponse{}, true
}

// ping mentions, in the thread, the member who linked the login pg names (a requested reviewer,
// an assignee), and nobody else; a login nobody linked is only named on the message. When the
// links cannot be read the delivery fails (502), and its redelivery, which changes nothing else,
// pings.
func (h *handler) ping(ctx context.Context, log *slog.Logger, dc discordAPI, key state.Key, rec *feed.Record, version int64, pg feed.Ping, delivery string, p *i18n.Printer) (events.APIGatewayV2HTTPResponse, bool) {
	ids, err := h.people(ctx, []string{pg.Login})
	if err != nil {
		return recordFailed(log, "read linked members", err), false
	}
	id := ids[strings.ToLower(pg.Login)]
	if id == "" {
		return events.APIGatewayV2HTTPResponse{}, true
	}
	return h.inThread(ctx, log, dc, key, rec, version, feed.PingMessage(pg, id, p, announce.Nonce("ping"+delivery)), "ping "+pg.What)
}

// recordFailed answers a delivery whose record could not be read or written: 502, so that
// GitHub records it as failed and it can be redelivered. Throttling and 5xx are passing
// faults (warn); anything else, a denial or a bug, needs someone to look.
func recordFailed(log *slog.Logger, what string, err error) events.APIGatewayV2HTTPResponse {
	if state.Unavailable(err) {
		log.Warn(what, "status", http.StatusBadGateway, "err", err)
	} else {
		log.Error(what, "status", http.StatusBadGateway, "err", err)
	}
	return apigw.Text(http.StatusBadGateway, "could not save the pull request's state; redeliver it")
}
