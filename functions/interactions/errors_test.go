package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
)

// errorType is the errorType the Lambda runtime reports for err: the name of its type, of the
// pointed-to type for a pointer (aws-lambda-go's getErrorType).
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// TestInvokeErrors checks that the errors leaving the handler have named types, so that the
// runtime's errorType says what failed.
func TestInvokeErrors(t *testing.T) {
	t.Parallel()
	editFailed := errors.New("discord unreachable")
	router, err := command.NewRouter(command.Command{Name: "status",
		Quick: func(context.Context, command.Request) command.Reply { return command.Defer(false) },
		Work: func(context.Context, command.Request) (discord.Message, error) {
			return discord.Message{Content: "ok"}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{router: router, applicationID: testAppID, texts: catalog.Texts(), log: slog.New(slog.DiscardHandler), now: func() time.Time { return testNow },
		editor: editorFunc(func(context.Context, string, string, discord.Message) (discord.Message, error) {
			return discord.Message{}, editFailed
		})}
	work, err := json.Marshal(workEvent(t, "status-ecs", "", testNow.Add(-time.Minute)).workPayload)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		payload  []byte
		wantType string
		wantText string
		cause    error
	}{
		{"undecodable event", []byte(`{"version":`), "EventError", "decode event: ", nil},
		{"failed edit", work, "EditError", "edit original response of interaction ", editFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := h.Invoke(lambdaContext(), tt.payload)
			if err == nil {
				t.Fatal("Invoke succeeded")
			}
			if got := errorType(err); got != tt.wantType {
				t.Errorf("errorType %q, want %q (%v)", got, tt.wantType, err)
			}
			if got := err.Error(); len(got) < len(tt.wantText) || got[:len(tt.wantText)] != tt.wantText {
				t.Errorf("error %q, want it to start with %q", got, tt.wantText)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("error %v does not unwrap to %v", err, tt.cause)
			}
		})
	}
}
