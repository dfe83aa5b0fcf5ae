package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
)

func TestLogSink(t *testing.T) {
	t.Parallel()
	inGuild := discord.Interaction{GuildID: "g1", Member: &discord.Member{User: &discord.User{ID: "7", Username: "user7"}}}
	inDM := discord.Interaction{User: &discord.User{ID: "8", Username: "user8"}}
	tests := []struct {
		name string
		e    Entry
		want map[string]any
	}{
		{"denial at WARN", Entry{Action: "deploy.approve", Target: "prod@main", Outcome: "denied", Detail: "same-person"}.By(inGuild, "req-1"),
			map[string]any{"level": "WARN", "msg": "audit", "request_id": "req-1", "action": "deploy.approve", "target": "prod@main",
				"user_id": "7", "user": "user7", "guild_id": "g1", "outcome": "denied", "detail": "same-person"}},
		{"failure at WARN", Entry{Action: "assign", Target: "o/r#1 -> x", Outcome: "failed", Detail: "boom"}.By(inDM, "req-2"),
			map[string]any{"level": "WARN", "msg": "audit", "request_id": "req-2", "action": "assign", "target": "o/r#1 -> x",
				"user_id": "8", "user": "user8", "guild_id": "", "outcome": "failed", "detail": "boom"}},
		{"approval at INFO", Entry{Action: "scale.approve", Target: "ecs prod/web -> 4", Outcome: "approved"}.By(inGuild, "req-3"),
			map[string]any{"level": "INFO", "msg": "audit", "request_id": "req-3", "action": "scale.approve", "target": "ecs prod/web -> 4",
				"user_id": "7", "user": "user7", "guild_id": "g1", "outcome": "approved", "detail": ""}},
		{"nobody", Entry{Action: "deploy.request", Outcome: "requested"}.By(discord.Interaction{}, ""),
			map[string]any{"level": "INFO", "msg": "audit", "request_id": "", "action": "deploy.request", "target": "",
				"user_id": "", "user": "", "guild_id": "", "outcome": "requested", "detail": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			NewRecorder(LogSink{Log: log}, log).Record(context.Background(), tt.e)
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("not one JSON line: %q", buf.String())
			}
			delete(line, "time")
			if diff := cmp.Diff(tt.want, line); diff != "" {
				t.Errorf("audit line (-want +got):\n%s", diff)
			}
		})
	}
}

// sinkFunc is a Sink from a function.
type sinkFunc func(context.Context, Entry) error

func (f sinkFunc) Write(ctx context.Context, e Entry) error { return f(ctx, e) }

func TestRecorderSinkFailure(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var got []Entry
	r := NewRecorder(sinkFunc(func(_ context.Context, e Entry) error {
		got = append(got, e)
		return errors.New("table unavailable")
	}), slog.New(slog.NewJSONHandler(&buf, nil)))
	e := Entry{RequestID: "req-1", Action: "scale.apply", Target: "ecs prod/web -> 4", Outcome: "scaled"}
	r.Record(context.Background(), e)
	if diff := cmp.Diff([]Entry{e}, got); diff != "" {
		t.Errorf("sink got (-want +got):\n%s", diff)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	delete(line, "time")
	want := map[string]any{"level": "ERROR", "msg": "audit record not stored", "request_id": "req-1", "action": "scale.apply",
		"target": "ecs prod/web -> 4", "outcome": "scaled", "error": "table unavailable"}
	if diff := cmp.Diff(want, line); diff != "" {
		t.Errorf("log line (-want +got):\n%s", diff)
	}
}
