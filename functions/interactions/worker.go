package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
)

const (
	// tokenLife is how long the worker may use an interaction token: Discord honours it for 15
	// minutes after the interaction; a minute is kept back for clock skew and the edit itself.
	tokenLife = 14 * time.Minute
	// editReserve is kept back from the work for the edit of the original response, so that a
	// slow piece of work still ends with a message rather than "thinking..." forever: the rest
	// client's longest wait for rate limits and backoff (rest.DefaultMaxWait, 8 s) and the call.
	// The stack gives the function 40 s, so the work gets 30.
	editReserve = 10 * time.Second
)

// work does the deferred part of an interaction and edits the original response with its
// result, or with a plain failure message when the work fails or panics. Failures of the work
// are the user's answer, not an error: only a failed edit, or work that another invocation is
// doing (command.ErrRetry), is returned, for Lambda to retry.
func (h *Handler) work(ctx context.Context, p workPayload) error {
	requestID := invocationID(ctx)
	log := func(level slog.Level, msg string, attrs ...slog.Attr) {
		h.log.LogAttrs(ctx, level, msg, append([]slog.Attr{slog.String("request_id", requestID),
			slog.String("ack_request_id", p.AckRequest)}, attrs...)...)
	}
	in, err := discord.ParseInteraction(p.Interaction)
	if err != nil || in.Token == "" {
		log(slog.LevelError, "work payload without a usable interaction", slog.Any("error", err))
		return nil // a retry would read the same payload
	}
	left := p.ReceivedAt.Add(tokenLife).Sub(h.now())
	if left <= 0 {
		log(slog.LevelError, "interaction token expired before the work started",
			slog.String("interaction_id", in.ID), slog.Time("received_at", p.ReceivedAt))
		return nil
	}
	editCtx, cancel := context.WithTimeout(ctx, left)
	defer cancel()
	workCtx, cancelWork := context.WithTimeout(editCtx, workBudget(editCtx))
	defer cancelWork()

	start := h.now()
	req := h.request(in, p.ReceivedAt, requestID)
	req.Private = p.Private
	msg, err := h.router.Work(workCtx, req)
	outcome := "ok"
	if errors.Is(err, command.ErrRetry) {
		// Another invocation is doing this work and edits the response itself.
		log(slog.LevelWarn, "work left for a retry", slog.String("interaction_id", in.ID), slog.String("route", routeName(in)),
			slog.String("error", err.Error()))
		return &RetryError{InteractionID: in.ID, Err: err}
	}
	if err != nil {
		outcome = "failed"
		log(slog.LevelError, "work failed", slog.String("interaction_id", in.ID), slog.String("route", routeName(in)),
			slog.String("error", err.Error()))
	}
	if err := h.editOriginal(editCtx, p.ReceivedAt, in.Token, msg); err != nil {
		// rest errors show the route with "{token}" in place of the token.
		return &EditError{InteractionID: in.ID, Err: err}
	}
	log(slog.LevelInfo, "work done", slog.String("interaction_id", in.ID), slog.String("route", routeName(in)),
		slog.String("outcome", outcome), slog.Duration("took", h.now().Sub(start)))
	return nil
}

// earlyEditWindow is how long after the interaction a 404 Unknown Webhook on the edit means
// that Discord has not yet seen the acknowledgement: the asynchronous invocation can start, and
// finish quick work, before the deferred response reaches Discord. Later, it means the token
// is gone, and retrying cannot help.
const earlyEditWindow = 5 * time.Second

// editOriginal edits the original response, waiting and trying again (at most 4 more times,
// from 100 ms doubling) while Discord answers Unknown Webhook within earlyEditWindow of the
// interaction.
func (h *Handler) editOriginal(ctx context.Context, received time.Time, token string, msg discord.Message) error {
	wait := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		_, err := h.editor.EditOriginal(ctx, h.applicationID, token, msg)
		var re *rest.Error
		if err == nil || attempt == 4 || !errors.As(err, &re) || re.Status != http.StatusNotFound ||
			re.Code != unknownWebhook || h.now().Sub(received) > earlyEditWindow {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait *= 2
	}
}

// unknownWebhook is Discord's JSON error code for an interaction token it does not know (yet).
// See https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
const unknownWebhook = 10015

// workBudget is how long the work may take: what is left of ctx, the earlier of the token's
// life and the invocation's, less editReserve for the edit, or half of it when that is less
// than twice the reserve.
func workBudget(ctx context.Context) time.Duration {
	deadline, _ := ctx.Deadline() // the edit context always has one
	left := time.Until(deadline)
	if left < 2*editReserve {
		return left / 2
	}
	return left - editReserve
}
