package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/costreport"
)

// tokensFunc is a tokenSource from a function.
type tokensFunc func(ctx context.Context, name string) (string, error)

func (f tokensFunc) String(ctx context.Context, name string) (string, error) { return f(ctx, name) }

// TestHandleErrorType checks that a failed invocation returns a *ReportError naming the step,
// which the Lambda runtime reports as errorType "ReportError" (the name of the pointed-to
// type, as aws-lambda-go's getErrorType takes it).
func TestHandleErrorType(t *testing.T) {
	t.Parallel()
	noToken := errors.New("parameter not found")
	ceDown := errors.New("AccessDeniedException: not allowed")
	tests := []struct {
		name     string
		event    string
		ceErr    error
		wantStep string
		cause    error
	}{
		{"unreadable event", `{"now": 3}`, nil, "read the event", nil},
		{"Cost Explorer fails", `{}`, ceDown, "build cost report", ceDown},
		{"no bot token", `{}`, nil, "discord bot token", noToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &handler{
				reporter: costreport.New(failingCE{usageErr: tt.ceErr}, costreport.Options{Location: time.UTC}),
				tokens:   tokensFunc(func(context.Context, string) (string, error) { return "", noToken }),
				now:      func() time.Time { return time.Date(2025, 10, 18, 0, 0, 0, 0, time.UTC) },
				log:      slog.New(slog.DiscardHandler),
			}
			_, err := h.Handle(context.Background(), json.RawMessage(tt.event))
			var re *ReportError
			if !errors.As(err, &re) || reflect.TypeOf(err).Elem().Name() != "ReportError" {
				t.Fatalf("Handle error %T %v, want a *ReportError", err, err)
			}
			if re.Step != tt.wantStep || !strings.HasPrefix(err.Error(), tt.wantStep+": ") {
				t.Errorf("step %q (%v), want %q", re.Step, err, tt.wantStep)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("error %v does not unwrap to %v", err, tt.cause)
			}
		})
	}
}
