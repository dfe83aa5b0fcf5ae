package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
)

var at = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestRecordLogLine(t *testing.T) {
	t.Parallel()
	inGuild := discord.Interaction{GuildID: "g1", ChannelID: "c1", Member: &discord.Member{User: &discord.User{ID: "7", Username: "user7"}}}
	inDM := discord.Interaction{User: &discord.User{ID: "8", Username: "user8"}}
	line := func(level, requestID, action, target, userID, user, guild, channel, env, outcome, detail string) map[string]any {
		return map[string]any{"level": level, "msg": "audit", "request_id": requestID, "action": action, "target": target,
			"user_id": userID, "user": user, "guild_id": guild, "channel_id": channel, "environment": env, "outcome": outcome, "detail": detail}
	}
	tests := []struct {
		name string
		e    Entry
		want map[string]any
	}{
		{"denial at WARN", Entry{Action: "deploy.approve", Target: "prod@main", Environment: "prod", Outcome: "denied", Detail: "same-person"}.By(inGuild, "req-1"),
			line("WARN", "req-1", "deploy.approve", "prod@main", "7", "user7", "g1", "c1", "prod", "denied", "same-person")},
		{"failure at WARN", Entry{Action: "assign", Target: "o/r#1 -> x", Outcome: "failed", Detail: "boom"}.By(inDM, "req-2"),
			line("WARN", "req-2", "assign", "o/r#1 -> x", "8", "user8", "", "", "", "failed", "boom")},
		{"refusal at WARN", Entry{Action: "scale.request", Target: "ecs prod/web -> 4", Outcome: "refused", Detail: "untagged"}.By(inGuild, "req-3"),
			line("WARN", "req-3", "scale.request", "ecs prod/web -> 4", "7", "user7", "g1", "c1", "", "refused", "untagged")},
		{"approval at INFO", Entry{Action: "scale.approve", Target: "ecs prod/web -> 4", Outcome: "approved"}.By(inGuild, "req-4"),
			line("INFO", "req-4", "scale.approve", "ecs prod/web -> 4", "7", "user7", "g1", "c1", "", "approved", "")},
		{"nobody", Entry{Action: "deploy.request", Outcome: "requested"}.By(discord.Interaction{}, ""),
			line("INFO", "", "deploy.request", "", "", "", "", "", "", "requested", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			NewRecorder(nil, slog.New(slog.NewJSONHandler(&buf, nil)), nil).Record(context.Background(), tt.e)
			var got map[string]any
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("not one JSON line: %q", buf.String())
			}
			delete(got, "time")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("audit line (-want +got):\n%s", diff)
			}
		})
	}
}

// sinkFunc is a Sink from a function.
type sinkFunc func(context.Context, Entry) error

func (f sinkFunc) Write(ctx context.Context, e Entry) error { return f(ctx, e) }

// TestRecordSink checks that the sink gets the entry stamped by the recorder's clock, after
// the log line, and that a failed write is a warning beside the log line, not a lost entry.
func TestRecordSink(t *testing.T) {
	t.Parallel()
	for _, fail := range []bool{false, true} {
		t.Run(map[bool]string{false: "stored", true: "not stored"}[fail], func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			var got []Entry
			r := NewRecorder(sinkFunc(func(_ context.Context, e Entry) error {
				got = append(got, e)
				if fail {
					return errors.New("table unavailable")
				}
				return nil
			}), slog.New(slog.NewJSONHandler(&buf, nil)), func() time.Time { return at.In(time.FixedZone("KST", 9*3600)) })
			e := Entry{RequestID: "req-1", Action: "scale.apply", Target: "ecs prod/web -> 4", Outcome: "scaled"}
			r.Record(context.Background(), e)
			e.At = at
			if diff := cmp.Diff([]Entry{e}, got); diff != "" {
				t.Errorf("sink got (-want +got):\n%s", diff)
			}
			var msgs []string
			var warning map[string]any
			for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
				var line map[string]any
				if err := json.Unmarshal(l, &line); err != nil {
					t.Fatalf("not a JSON line: %q", l)
				}
				msgs = append(msgs, line["msg"].(string))
				if line["msg"] == "audit entry not stored" {
					delete(line, "time")
					warning = line
				}
			}
			want := []string{"audit"}
			if fail {
				want = append(want, "audit entry not stored")
			}
			if diff := cmp.Diff(want, msgs); diff != "" {
				t.Errorf("log lines (-want +got):\n%s", diff)
			}
			if !fail {
				return
			}
			wantWarning := map[string]any{"level": "WARN", "msg": "audit entry not stored", "request_id": "req-1", "action": "scale.apply",
				"target": "ecs prod/web -> 4", "outcome": "scaled", "error": "table unavailable"}
			if diff := cmp.Diff(wantWarning, warning); diff != "" {
				t.Errorf("warning (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetentionFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", 400 * 24 * time.Hour, false},
		{" 90 ", 90 * 24 * time.Hour, false},
		{"36500", 36500 * 24 * time.Hour, false},
		{"0", 0, true},
		{"-1", 0, true},
		{"30.5", 0, true},
		{"36501", 0, true},
		{"a year", 0, true},
	}
	for _, tt := range tests {
		got, err := RetentionFromEnv(func(name string) string {
			if name != "AUDIT_RETENTION_DAYS" {
				t.Errorf("read %s", name)
			}
			return tt.value
		})
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("RetentionFromEnv(%q) = %v, %v; want %v, error %v", tt.value, got, err, tt.want, tt.wantErr)
		}
	}
}
