package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Entry is one audit record: the log line's attributes and the table item's (dynamodbav).
type Entry struct {
	// At is when the action was taken; Record sets it when it is zero.
	At time.Time `dynamodbav:"at"`
	// Action is what was asked: "deploy.request", "deploy.approve", "deploy.cancel",
	// "deploy.dispatch", "deploy.result", "rollback.*", "scale.*", "assign", "audit.view".
	Action string `dynamodbav:"action"`
	// Target is what it was asked of: "prod@main", "ecs prod/web -> 4", "acme/web#42 -> octocat".
	Target string `dynamodbav:"target,omitempty"`
	// Outcome is how it ended: "requested", "approved", "dispatched", "cancelled", "denied",
	// "refused", "failed", "success", ...
	Outcome string `dynamodbav:"outcome"`
	// Detail is a denial reason, an error summary, a run URL.
	Detail string `dynamodbav:"detail,omitempty"`

	// UserID and User are who acted: the Discord user id and username. A deploy result has
	// the name its run gives (User) and no id.
	UserID string `dynamodbav:"user_id,omitempty"`
	User   string `dynamodbav:"user,omitempty"`

	// GuildID, ChannelID and Environment are where: the server, the channel, and the deploy
	// environment when the action has one.
	GuildID     string `dynamodbav:"guild_id,omitempty"`
	ChannelID   string `dynamodbav:"channel_id,omitempty"`
	Environment string `dynamodbav:"environment,omitempty"`

	// RequestID is the Lambda request id of the invocation that recorded the entry, which its
	// other log lines carry too.
	RequestID string `dynamodbav:"request_id,omitempty"`
}

// By is e with who acted and where filled in from the interaction in, and the request id of
// the invocation handling it.
func (e Entry) By(in discord.Interaction, requestID string) Entry {
	e.RequestID, e.GuildID, e.ChannelID = requestID, in.GuildID, in.ChannelID
	if u := in.Invoker(); u != nil {
		e.UserID, e.User = u.ID, u.Username
	}
	return e
}

// Sink stores entries durably; *Trail is the one the functions use.
type Sink interface {
	Write(ctx context.Context, e Entry) error
}

// Recorder records entries: the log line, then the sink. Build it once per execution
// environment; it is safe for concurrent use when its sink is.
type Recorder struct {
	sink Sink
	log  *slog.Logger
	now  func() time.Time
}

// NewRecorder returns a Recorder logging to log and writing to sink (nil: the log line only).
// now stamps each entry; nil means time.Now.
func NewRecorder(sink Sink, log *slog.Logger, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{sink: sink, log: log, now: now}
}

// Record logs e as one line ("audit") at INFO, denials, refusals and failures at WARN, then
// writes it to the sink. A failed write is logged at WARN ("audit entry not stored") and
// otherwise ignored: the action it records has been taken already and stands, and the log
// line keeps the entry.
func (r *Recorder) Record(ctx context.Context, e Entry) {
	if e.At.IsZero() {
		e.At = r.now()
	}
	e.At = e.At.UTC()
	level := slog.LevelInfo
	switch e.Outcome {
	case "denied", "refused", "failed":
		level = slog.LevelWarn
	}
	r.log.LogAttrs(ctx, level, "audit",
		slog.String("request_id", e.RequestID),
		slog.String("action", e.Action),
		slog.String("target", e.Target),
		slog.String("user_id", e.UserID),
		slog.String("user", e.User),
		slog.String("guild_id", e.GuildID),
		slog.String("channel_id", e.ChannelID),
		slog.String("environment", e.Environment),
		slog.String("outcome", e.Outcome),
		slog.String("detail", e.Detail),
	)
	if r.sink == nil {
		return
	}
	if err := r.sink.Write(ctx, e); err != nil {
		r.log.LogAttrs(ctx, slog.LevelWarn, "audit entry not stored", slog.String("request_id", e.RequestID),
			slog.String("action", e.Action), slog.String("target", e.Target), slog.String("outcome", e.Outcome),
			slog.String("error", err.Error()))
	}
}
