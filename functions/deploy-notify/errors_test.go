package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// tokensFunc is a tokenSource from a function.
type tokensFunc func(ctx context.Context, name string) (string, error)

func (f tokensFunc) String(ctx context.Context, name string) (string, error) { return f(ctx, name) }

// TestHandleErrorType checks that an event that could not be reported returns a
// *PublishError naming the step, which the Lambda runtime reports as errorType
// "PublishError" (the name of the pointed-to type, as aws-lambda-go's getErrorType takes it).
func TestHandleErrorType(t *testing.T) {
	t.Parallel()
	// Discord refusing the bot's token: not retried, so one request.
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message": "401: Unauthorized", "code": 0}`))
	}))
	t.Cleanup(refusing.Close)
	tests := []struct {
		name     string
		tokenErr error
		wantStep string
		cause    error
	}{
		{"no bot token", secrets.ErrNotFound, "discord bot token", secrets.ErrNotFound},
		{"Discord refuses the post", nil, "report workflow_run failure", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			table := statetest.New(t, motoServer, nil)
			cfg, err := loadConfig(func(k string) string {
				return map[string]string{"DISCORD_API_URL": refusing.URL, "DISCORD_CHANNEL_ID": testChannelID,
					"DISCORD_APPLICATION_ID": testAppID, "DEPLOY_WORKFLOW": "test.yml", "CHATOPS_TABLE": table.Name()}[k]
			})
			if err != nil {
				t.Fatal(err)
			}
			h := newHandler(cfg, tokensFunc(func(context.Context, string) (string, error) { return testBotToken, tt.tokenErr }),
				table, slog.New(slog.DiscardHandler))
			err = h.Handle(context.Background(), envelope(t, "workflow_run", githubapptest.Payload(t, "workflow_run.completed.failure.derived")))
			var pe *PublishError
			if !errors.As(err, &pe) || reflect.TypeOf(err).Elem().Name() != "PublishError" {
				t.Fatalf("Handle error %T %v, want a *PublishError", err, err)
			}
			if pe.Step != tt.wantStep || !strings.HasPrefix(err.Error(), tt.wantStep+": ") {
				t.Errorf("step %q (%v), want %q", pe.Step, err, tt.wantStep)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("error %v does not unwrap to %v", err, tt.cause)
			}
		})
	}
}
