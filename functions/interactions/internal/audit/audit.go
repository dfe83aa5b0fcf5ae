// Package audit records who did what to which target through the bot, and how it ended: one
// Entry per request, approval, cancel, refusal and change of /deploy, /rollback, /scale and
// /assign. A Recorder writes each entry to its Sink; today that is the function's JSON log
// (LogSink), one line with the message "audit" that docs/COMMANDS.md describes.
package audit

import (
	"context"
	"log/slog"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Entry is one audit record.
type Entry struct {
	// RequestID is the Lambda request id of the invocation that decided, which its other log
	// lines carry too.
	RequestID string
	Action    string // "deploy.request", "deploy.approve", "deploy.cancel", "scale.approve", "assign", ...
	Target    string // "prod@main", "ecs demo/web -> 3", ...
	UserID    string
	User      string // the Discord username
	GuildID   string
	Outcome   string // "requested", "approved", "dispatched", "cancelled", "denied", "failed", ...
	Detail    string // a denial reason, an error summary, a run URL
}

// By is e with who acted filled in from the interaction in, and the request id of the
// invocation handling it.
func (e Entry) By(in discord.Interaction, requestID string) Entry {
	e.RequestID, e.GuildID = requestID, in.GuildID
	if u := in.Invoker(); u != nil {
		e.UserID, e.User = u.ID, u.Username
	}
	return e
}

// Sink stores entries. LogSink writes them to the log; a durable store satisfies it too.
type Sink interface {
	Write(ctx context.Context, e Entry) error
}

// Recorder records entries in its sink. Build it once per execution environment; it is safe
// for concurrent use when its sink is.
type Recorder struct {
	sink Sink
	log  *slog.Logger
}

// NewRecorder returns a Recorder writing to sink; a failure of the sink is logged to log, as
// the decision it records has been taken already and stands.
func NewRecorder(sink Sink, log *slog.Logger) *Recorder {
	return &Recorder{sink: sink, log: log}
}

// Record writes e to the sink.
func (r *Recorder) Record(ctx context.Context, e Entry) {
	if err := r.sink.Write(ctx, e); err != nil {
		r.log.LogAttrs(ctx, slog.LevelError, "audit record not stored", slog.String("request_id", e.RequestID),
			slog.String("action", e.Action), slog.String("target", e.Target), slog.String("outcome", e.Outcome),
			slog.String("error", err.Error()))
	}
}

// LogSink writes each entry as one structured line ("audit") at INFO, denials and failures at
// WARN.
type LogSink struct {
	Log *slog.Logger
}

// Write logs e; it never fails.
func (s LogSink) Write(ctx context.Context, e Entry) error {
	level := slog.LevelInfo
	if e.Outcome == "denied" || e.Outcome == "failed" {
		level = slog.LevelWarn
	}
	s.Log.LogAttrs(ctx, level, "audit",
		slog.String("request_id", e.RequestID),
		slog.String("action", e.Action),
		slog.String("target", e.Target),
		slog.String("user_id", e.UserID),
		slog.String("user", e.User),
		slog.String("guild_id", e.GuildID),
		slog.String("outcome", e.Outcome),
		slog.String("detail", e.Detail),
	)
	return nil
}
