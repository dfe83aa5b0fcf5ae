package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/discord-chatops/chatops/functions/deploy-notify/internal/notify"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
)

// eventSource is the source github-webhook puts GitHub events on the bus with.
const eventSource = "chatops.github"

// secretTTL is how long the bot token is reused; a rotated token is picked up within it.
const secretTTL = 15 * time.Minute

// deadlineMargin is kept free before Lambda's deadline, so that an invocation running out of
// time fails with Discord's last answer rather than being killed.
const deadlineMargin = 2 * time.Second

// tokenSource hands out secrets by short name; *secrets.Store is one.
type tokenSource interface {
	String(ctx context.Context, name string) (string, error)
}

// handler reports one EventBridge event per invocation.
type handler struct {
	cfg     config
	tokens  tokenSource
	discord *rest.BotClients // one client per token, kept across invocations for its rate limits
	table   *state.Table
	texts   *notify.Texts // the reports in cfg.language
	// audit records each finished deploy in the audit trail (shared/audit).
	audit *audit.Recorder
	log   *slog.Logger
}

// newHandler builds the handler. It makes no network call: the token is read on the first
// event.
func newHandler(cfg config, tokens tokenSource, table *state.Table, log *slog.Logger) *handler {
	return &handler{
		cfg:    cfg,
		tokens: tokens,
		// Each of the at most three calls (read card, edit it, post) retries a 429 or 5xx
		// three times within 8 s of waiting; the function's timeout bounds the whole.
		discord: rest.NewBotClients(rest.Options{BaseURL: cfg.discordAPIURL, HTTPClient: &http.Client{Timeout: 5 * time.Second}, MaxRetries: 3, MaxWait: 8 * time.Second}),
		table:   table,
		audit:   audit.NewRecorder(audit.NewTrail(table, cfg.auditRetention), log, time.Now),
		texts:   notify.NewTexts(texts(), cfg.language),
		log:     log,
	}
}

// texts is the function's message catalog, in English and Korean (shared/i18n). It parses its
// files on the first report.
func texts() *i18n.Catalog {
	return i18n.NewCatalog(notify.Messages())
}

// PublishError is an event that could not be reported: the step that failed and why. It is a
// named type so that the Lambda runtime reports errorType "PublishError" rather than a
// fmt.Errorf wrap's "wrapError".
//
// See https://docs.aws.amazon.com/lambda/latest/dg/golang-exceptions.html
type PublishError struct {
	Step string // "discord bot token", "report <detail-type> <status>"
	Err  error
}

func (e *PublishError) Error() string { return e.Step + ": " + e.Err.Error() }

func (e *PublishError) Unwrap() error { return e.Err }

// Handle reports a workflow_run or deployment_status event in Discord, and replies to the card
// of a run that finished (finish). An event that cannot be read, or is not reported, is logged
// and acknowledged: retrying cannot change it; so is a copy of an event or run state already
// reported (notify.Once). A failure to read the token, to reach Discord or to read who approved
// a finished run releases the event's claims and is returned, so that Lambda retries the event
// and then parks it in the dead-letter queue.
func (h *handler) Handle(ctx context.Context, e events.EventBridgeEvent) error {
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-deadlineMargin))
		defer cancel()
	}
	log := h.log.With("event_id", e.ID, "detail_type", e.DetailType)
	if id := requestID(ctx); id != "" {
		log = log.With("request_id", id)
	}
	if e.Source != eventSource {
		log.Warn("ignored", "reason", fmt.Sprintf("source %q is not %s", e.Source, eventSource))
		return nil
	}
	r, skip, err := notify.Decide(e.DetailType, e.Detail, h.cfg.deployWorkflow)
	switch {
	case err != nil:
		log.Warn("ignored", "reason", "malformed event", "err", err)
		return nil
	case skip != "":
		log.Info("ignored", "reason", skip)
		return nil
	}
	log = log.With("status", r.Status, "environment", r.Environment, "run_id", r.RunID, "attempt", r.Attempt,
		"deployment_id", r.DeploymentID, "card", r.CardChannelID+"/"+r.CardMessageID)

	claim, err := notify.Once{Table: h.table}.Claim(ctx, e.ID, r)
	switch {
	case err != nil:
		return &PublishError{Step: "claim event", Err: err}
	case claim.Duplicate != "":
		log.Info("ignored", "reason", claim.Duplicate)
		return nil
	case claim.Skipped != nil:
		log.Warn("guard skipped", "reason", "state table unavailable: reporting without the duplicate check", "err", claim.Skipped)
	}

	token, err := h.tokens.String(ctx, secrets.DiscordBotToken)
	if err != nil {
		return unclaim(ctx, claim, &PublishError{Step: "discord bot token", Err: err})
	}
	p := notify.Publisher{Discord: h.discord.Client(token), ChannelID: h.cfg.channelID, ApplicationID: h.cfg.applicationID, Texts: h.texts}
	res, err := p.Publish(ctx, r)
	if err != nil {
		return unclaim(ctx, claim, &PublishError{Step: fmt.Sprintf("report %s %s", e.DetailType, r.Status), Err: err})
	}
	log.Info(string(res.Action), "channel", res.ChannelID, "message", res.MessageID, "reason", res.Reason)
	if pe := h.finish(ctx, log, p, r, res); pe != nil {
		return unclaim(ctx, claim, pe)
	}
	if !r.Running() {
		// Once per result: a copy of the event was taken for a duplicate above, and a failed
		// report is retried before it is recorded.
		e := r.AuditEntry()
		e.RequestID = requestID(ctx)
		e.ChannelID = res.ChannelID
		h.audit.Record(ctx, e)
	}
	return nil
}

// finish tells the people of a run approved on a card that it has finished: it releases the
// card's deploy lock and replies to the message that shows the result, mentioning who
// requested and who approved it (pinging them unless it succeeded, notify.Report.Pings); a
// report posted to the channel in place of the card gets a reply only when it has someone to
// mention. The lock is released first and best effort: a lock left behind lapses after
// deployrun.LockTTL and only asks the next deploy for a "Deploy anyway", while a lost reply is
// a failure nobody hears of. A table that could not say who approved, or a reply Discord did not take, is
// returned, for the event to be retried: the card then shows the result already (Current),
// and the reply's nonce makes a post that did land the same message.
func (h *handler) finish(ctx context.Context, log *slog.Logger, p notify.Publisher, r notify.Report, res notify.Result) *PublishError {
	if r.Source != notify.SourceRun || r.Running() || r.CardMessageID == "" {
		return nil
	}
	if err := notify.ReleaseLock(ctx, h.table, r); err != nil {
		log.Warn("deploy lock not released", "reason", "it lapses after its TTL", "err", err)
	}
	if !res.Current {
		log.Info("not replied", "reason", "the card shows a newer state")
		return nil
	}
	who, err := notify.PeopleOf(ctx, h.table, r)
	switch {
	case state.Unavailable(err):
		return &PublishError{Step: "read approval", Err: err}
	case err != nil:
		log.Warn("approval unreadable", "reason", "replying without mentions", "err", err)
	}
	if res.Action == notify.Posted && who == (notify.People{}) {
		// The report itself is the newest message in the channel, and there is nobody to
		// mention: a reply would only repeat it.
		return nil
	}
	reply, err := p.Reply(ctx, r, who, res)
	if err != nil {
		return &PublishError{Step: fmt.Sprintf("reply %s", r.Status), Err: err}
	}
	log.Info("replied", "channel", res.ChannelID, "message", reply.ID, "requester", who.RequesterID, "approver", who.ApproverID, "ping", r.Pings())
	return nil
}

// requestID is the Lambda request id of the invocation handling ctx; "" outside Lambda.
func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// unclaim releases the claims of an event that could not be reported, so that Lambda's retry
// finds them free, and returns pe, with the release's error added when that failed too (the
// retry will then take the event for a duplicate). The release has its own deadline within
// deadlineMargin: the invocation's may be what ran out.
func unclaim(ctx context.Context, c notify.Claim, pe *PublishError) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deadlineMargin/2)
	defer cancel()
	if err := c.Release(ctx); err != nil {
		pe.Err = errors.Join(pe.Err, fmt.Errorf("release claims: %w", err))
	}
	return pe
}
