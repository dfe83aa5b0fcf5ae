package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/announce"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/feed"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/forward"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/guard"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/remind"
	"github.com/discord-chatops/chatops/shared/apigw"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
)

// budget is how long one delivery may take, secrets, retries and all: GitHub counts a delivery
// as failed when it has no answer within 10 seconds, and the answer must still travel back.
const budget = 8 * time.Second

// secretsTTL is how long the secrets stay cached in an execution environment. A rotated
// webhook secret takes effect within it.
const secretsTTL = 15 * time.Minute

// secretStore is the part of *secrets.Store the handler uses.
type secretStore interface {
	Get(ctx context.Context, names ...string) (map[string]string, error)
}

// discordAPI is the part of *rest.Client the handler uses.
type discordAPI interface {
	CreateMessage(ctx context.Context, channelID string, m discord.Message) (discord.Message, error)
	EditMessage(ctx context.Context, channelID, messageID string, m discord.Message) (discord.Message, error)
	StartThread(ctx context.Context, channelID, messageID, name string) (rest.Thread, error)
}

// recordTable is the part of *state.Table that keeps the pull requests' and issues' records.
type recordTable interface {
	Get(ctx context.Context, key state.Key, out any) (int64, error)
	Create(ctx context.Context, key state.Key, ttl time.Duration, v any) (int64, error)
	Update(ctx context.Context, key state.Key, expected int64, ttl time.Duration, v any) (int64, error)
	Query(ctx context.Context, in state.QueryInput, out any) (bool, error)
}

// forwarder is the part of *forward.Forwarder the handler uses.
type forwarder interface {
	Forward(ctx context.Context, eventType string, payload []byte) error
}

// handler answers GitHub's webhook deliveries on POST /github.
type handler struct {
	cfg     config
	budget  time.Duration
	secrets secretStore
	bus     forwarder
	// guard claims each delivery before it is posted or forwarded, so that a redelivery does
	// nothing more.
	guard *guard.Guard
	// records keeps one record per pull request or issue and channel (internal/feed): its
	// message, state and thread.
	records recordTable
	// subs are the repositories' subscriptions (/subscribe); nil posts by the configuration alone.
	subs *subscriptions
	// reminders holds the claims on each channel's review reminder of the day and reads every
	// subscription; pulls lists a repository's pull requests as the App's installation; people
	// maps reviewers' logins to linked Discord members (nil: by login). See reminders.go.
	reminders claimTable
	pulls     func(ctx context.Context, owner, repo string) (pullRequests, error)
	people    peopleFunc
	// now is the clock of the review reminder's day.
	now func() time.Time
	// texts is the function's message catalog; announcements are in cfg.Language.
	texts *i18n.Catalog
	log   *slog.Logger
	// newDiscord builds a Discord client for a bot token; the handler keeps one per token.
	newDiscord func(botToken string) discordAPI

	mu         sync.Mutex
	discord    discordAPI
	discordFor string // the token discord was built with
}

func newHandler(cfg config, store secretStore, bus forwarder, g *guard.Guard, records recordTable, newDiscord func(string) discordAPI, log *slog.Logger) *handler {
	return &handler{cfg: cfg, budget: budget, secrets: store, bus: bus, guard: g, records: records, texts: texts(), newDiscord: newDiscord, log: log, now: time.Now}
}

// texts is the function's message catalog, in English and Korean (shared/i18n). It parses its
// files on the first announcement, never for a ping or a forwarded event.
func texts() *i18n.Catalog {
	return i18n.NewCatalog(announce.Messages(), feed.Messages(), remind.Messages())
}

// discordOptions are the Discord client's settings, chosen so that retries fit the budget: a
// try is cut off after 3 s, and at most 3.5 s go to waiting between tries, enough for the
// three retries of a server error (0.5 + 1 + 2 s) or a short rate limit. A longer rate limit
// fails the delivery at once, and GitHub records it for redelivery.
func discordOptions(baseURL string) rest.Options {
	return rest.Options{
		BaseURL:    baseURL,
		HTTPClient: &http.Client{Timeout: 3 * time.Second},
		MaxRetries: 3,
		MaxWait:    3500 * time.Millisecond,
	}
}

// restClient returns the Discord client for a bot token, with options o. The client is kept
// across deliveries, and with it the rate limits Discord reported, while the token stays the same.
func restClient(o rest.Options) func(string) discordAPI {
	bots := rest.NewBotClients(o)
	return func(token string) discordAPI { return bots.Client(token) }
}

// handle verifies a delivery, then announces it, forwards it to the bus or ignores it.
func (h *handler) handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, h.budget)
	defer cancel()
	eventType := apigw.Header(req, "X-GitHub-Event")
	delivery := apigw.Header(req, "X-GitHub-Delivery")
	log := h.log.With("delivery", delivery, "event", eventType)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}

	body, err := apigw.Body(req)
	switch {
	case errors.Is(err, apigw.ErrTooLarge):
		log.Warn("refused", "status", http.StatusRequestEntityTooLarge, "err", err)
		return apigw.Text(http.StatusRequestEntityTooLarge, "payload too large"), nil
	case err != nil:
		log.Warn("refused", "status", http.StatusBadRequest, "err", err)
		return apigw.Text(http.StatusBadRequest, "invalid body"), nil
	}
	sec, err := h.secrets.Get(ctx, secrets.GitHubWebhookSecret, secrets.DiscordBotToken)
	if err != nil {
		log.Error("load secrets", "status", http.StatusInternalServerError, "err", err)
		return apigw.Text(http.StatusInternalServerError, "internal error"), nil
	}
	payload, err := githubapp.ValidateWebhook([]byte(sec[secrets.GitHubWebhookSecret]),
		apigw.Header(req, "Content-Type"), apigw.Header(req, "X-Hub-Signature-256"), body)
	switch {
	case errors.Is(err, githubapp.ErrBadSignature):
		log.Warn("refused", "status", http.StatusUnauthorized, "err", err)
		return apigw.Text(http.StatusUnauthorized, "invalid signature"), nil
	case errors.Is(err, githubapp.ErrBadPayload):
		log.Warn("refused", "status", http.StatusBadRequest, "err", err)
		return apigw.Text(http.StatusBadRequest, "invalid payload"), nil
	case err != nil:
		log.Error("verify delivery", "status", http.StatusInternalServerError, "err", err)
		return apigw.Text(http.StatusInternalServerError, "internal error"), nil
	}

	switch {
	case eventType == "ping":
		log.Info("ping", "status", http.StatusOK)
		return apigw.Text(http.StatusOK, "pong"), nil
	case forward.Wants(eventType):
		return h.once(ctx, log, delivery, eventType, func() events.APIGatewayV2HTTPResponse {
			return h.forward(ctx, log, eventType, payload)
		}), nil
	case follows(eventType):
		return h.follow(ctx, log, eventType, delivery, payload, sec[secrets.DiscordBotToken]), nil
	default:
		log.Info("ignored", "status", http.StatusNoContent, "reason", "event not handled")
		return apigw.Status(http.StatusNoContent), nil
	}
}

func (h *handler) forward(ctx context.Context, log *slog.Logger, eventType string, payload []byte) events.APIGatewayV2HTTPResponse {
	err := h.bus.Forward(ctx, eventType, payload)
	switch {
	case errors.Is(err, forward.ErrInvalidDetail):
		log.Warn("refused", "status", http.StatusBadRequest, "err", err)
		return apigw.Text(http.StatusBadRequest, "invalid payload")
	case err != nil:
		log.Error("forward to bus", "status", http.StatusBadGateway, "err", err)
		return apigw.Text(http.StatusBadGateway, "could not forward the event; redeliver it")
	}
	log.Info("forwarded", "status", http.StatusAccepted)
	return apigw.Status(http.StatusAccepted)
}

// once runs post, which posts or forwards the delivery, unless an earlier attempt at the same
// delivery claimed it: then it answers 200 and does nothing. When post does not answer 2xx, the
// claim is released so that a redelivery can post. When the claim cannot be made, the delivery
// is posted anyway, unguarded: a lost announcement is worse than a duplicate.
func (h *handler) once(ctx context.Context, log *slog.Logger, delivery, eventType string, post func() events.APIGatewayV2HTTPResponse) events.APIGatewayV2HTTPResponse {
	c := h.guard.Claim(ctx, delivery, eventType)
	switch {
	case c.Outcome == guard.Duplicate:
		log.Info("duplicate", "status", http.StatusOK, "claimed_at", c.Holder.ClaimedAt)
		return apigw.Text(http.StatusOK, "duplicate delivery: already handled, nothing posted")
	case c.Outcome == guard.Unguarded && (state.Unavailable(c.Err) || errors.Is(c.Err, guard.ErrNoDeliveryID)):
		log.Warn("guard skipped", "err", c.Err)
	case c.Outcome == guard.Unguarded:
		// Not a passing fault but a denial, a missing table or a bug: someone must look.
		log.Error("guard skipped", "err", c.Err)
	}
	resp := post()
	if resp.StatusCode/100 == 2 {
		return resp
	}
	if err := h.guard.Release(ctx, delivery); err != nil {
		if c.Outcome == guard.First {
			// The claim stands: a redelivery will find it and post nothing.
			log.Error("release claim", "err", err)
		} else {
			log.Warn("release claim", "err", err)
		}
	}
	return resp
}

// discordClient returns the client for the current bot token, building a new one when the
// token was rotated.
func (h *handler) discordClient(token string) discordAPI {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.discord == nil || h.discordFor != token {
		h.discord, h.discordFor = h.newDiscord(token), token
	}
	return h.discord
}
