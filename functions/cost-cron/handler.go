package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
)

// secretTTL is how long the bot token is reused: a warm environment may live into the next
// day's run, and a rotated token should be picked up by then.
const secretTTL = time.Hour

// discordMaxRetries bounds the retries of a Discord 429 or 5xx within one invocation; beyond
// them the invocation fails and the Scheduler's own retry policy takes over.
const discordMaxRetries = 3

// tokenSource hands out secrets by short name; *secrets.Store is one.
type tokenSource interface {
	String(ctx context.Context, name string) (string, error)
}

// handler posts the day's cost report, or the dead-letter alarm's state change, once.
type handler struct {
	reporter    *costreport.Reporter
	tokens      tokenSource
	discord     *rest.BotClients // one client per token, kept across invocations for its rate limits
	table       *state.Table     // the claims that make each post happen once (once.go)
	queues      queueAttributes  // reads the dead-letter queues' sizes (alarm.go)
	deadLetters []deadLetterQueue
	channelID   string
	texts       *i18n.Catalog // the posts' messages, parsed on the first post
	language    i18n.Language // CHATOPS_LANGUAGE: the channel's; "" is English
	now         func() time.Time
	log         *slog.Logger
}

// newHandler builds the handler and its clients. It makes no network call: the token is read
// on the first invocation.
func newHandler(c config, awsCfg aws.Config, log *slog.Logger) *handler {
	return &handler{
		reporter:    costreport.New(costreport.NewCostExplorerClient(awsCfg), c.report),
		tokens:      secrets.New(ssm.NewFromConfig(awsCfg), c.parameterPrefix, secretTTL),
		discord:     rest.NewBotClients(rest.Options{BaseURL: c.discordAPIURL, HTTPClient: &http.Client{Timeout: 10 * time.Second}, MaxRetries: discordMaxRetries}),
		table:       state.New(dynamodb.NewFromConfig(awsCfg), c.table, time.Now),
		queues:      sqs.NewFromConfig(awsCfg),
		deadLetters: c.deadLetters,
		channelID:   c.channelID,
		texts:       texts(),
		language:    c.language,
		now:         time.Now,
		log:         log,
	}
}

// event is the Scheduler's input: {} for now, or {"now": RFC 3339} to stand in for the
// current time (backfills, tests).
type event struct {
	Now string `json:"now"`
}

// result is what an invocation returns, for whoever invoked it by hand.
type result struct {
	MessageID string `json:"message_id"`
	Nonce     string `json:"nonce"`
	Period    string `json:"period,omitempty"`
	// Already is true when an earlier invocation posted this report or alarm; MessageID is
	// then the earlier message's, where it was recorded.
	Already bool `json:"already,omitempty"`
}

// Handle posts what the event asks for: the cost report for the event's time ({} or
// {"now": ...}, from the Scheduler or by hand), or the dead-letter alarm's state change (an
// EventBridge event from CloudWatch). Every failure is returned, so that the invocation is
// retried (Lambda retries asynchronous invocations) and finally lands in the dead-letter
// queue; a claim in the state table keeps any run from posting the same report or alarm twice
// (once.go).
func (h *handler) Handle(ctx context.Context, raw json.RawMessage) (result, error) {
	in, err := h.read(raw)
	if err != nil {
		return result{}, &ReportError{Step: "read the event", Err: err}
	}
	log := h.log
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	if in.alarm != nil {
		return h.postAlarm(ctx, log, in.alarm)
	}
	return h.report(ctx, log, in.now)
}

// report builds the report for now and posts it, once per channel and day.
func (h *handler) report(ctx context.Context, log *slog.Logger, now time.Time) (result, error) {

	rep, err := h.reporter.Build(ctx, now)
	if err != nil {
		return result{}, &ReportError{Step: "build cost report", Err: err}
	}
	if !rep.Forecast.Available {
		log.Warn("forecast unavailable", "reason", rep.Forecast.Reason, "err", rep.Forecast.Err)
	}

	token, err := h.tokens.String(ctx, secrets.DiscordBotToken)
	if err != nil {
		return result{}, &ReportError{Step: "discord bot token", Err: err}
	}
	m := rep.Message(h.printer())
	m.Nonce = nonce(rep.Key(), h.channelID)
	m.EnforceNonce = true
	res := result{Nonce: m.Nonce, Period: rep.Period.String()}
	what := fmt.Sprintf("cost report %s to channel %s", rep.Key(), h.channelID)
	id, already, err := h.postOnce(ctx, log, reportKey(h.channelID, rep.Key()), reportClaimTTL, what, func(ctx context.Context) (string, error) {
		posted, err := h.discord.Client(token).CreateMessage(ctx, h.channelID, m)
		return posted.ID, err
	})
	if err != nil {
		return result{}, err
	}
	res.MessageID, res.Already = id, already
	if !already {
		log.Info("cost report posted", "date", rep.Key(), "period", rep.Period.String(), "total", rep.Total,
			"forecast", rep.Forecast.Mean, "over_budget", rep.OverBudget(), "message_id", id)
	}
	return res, nil
}

// printer speaks the channel's language, which every post is for.
func (h *handler) printer() *i18n.Printer { return h.texts.Printer(h.language) }

// ReportError is a failed invocation: the step that failed and why. It is a named type so
// that the Lambda runtime reports errorType "ReportError" rather than a fmt.Errorf wrap's
// "wrapError".
//
// See https://docs.aws.amazon.com/lambda/latest/dg/golang-exceptions.html
type ReportError struct {
	Step string // "read the event", "build cost report", "discord bot token", "claim ...", "post cost report ...", "post dead-letter alarm ..."
	Err  error
}

func (e *ReportError) Error() string { return e.Step + ": " + e.Err.Error() }

func (e *ReportError) Unwrap() error { return e.Err }

// parse reads the event's time; an empty or null payload means now, as {} does.
func (h *handler) parse(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return h.now(), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var e event
	if err := dec.Decode(&e); err != nil {
		return time.Time{}, fmt.Errorf(`event %s: want {} or {"now": "<RFC 3339 time>"}: %w`, raw, err)
	}
	if e.Now == "" {
		return h.now(), nil
	}
	now, err := time.Parse(time.RFC3339, e.Now)
	if err != nil {
		return time.Time{}, fmt.Errorf("event \"now\" %q is not an RFC 3339 time such as 2025-10-18T09:00:00+09:00", e.Now)
	}
	return now, nil
}

// nonce identifies the day's report in a channel, so that Discord answers a retried post with
// the message already created: "cost-20251018-1a2b3c4d", 22 characters of the 25 allowed.
// Discord remembers a nonce for a few minutes only: retries must come within them.
//
// See https://discord.com/developers/docs/resources/message#create-message-jsonform-params
func nonce(date, channelID string) string {
	h := fnv.New32a()
	h.Write([]byte(channelID))
	return fmt.Sprintf("cost-%s-%08x", strings.ReplaceAll(date, "-", ""), h.Sum32())
}
