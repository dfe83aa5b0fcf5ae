package rest_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
)

// Bodies as Discord sends them (errors-ratelimits.json: RatelimitedResponse, ErrorResponse).
const (
	limited      = `{"message":"You are being rate limited.","retry_after":1.5,"global":false,"code":0}`
	limitedLong  = `{"message":"You are being rate limited.","retry_after":30,"global":false,"code":0}`
	globalLimit  = `{"message":"You are being rate limited.","retry_after":2,"global":true,"code":0}`
	unknownMsg   = `{"message":"Unknown Message","code":10008}`
	unauthorized = `{"message":"401: Unauthorized","code":0}`
	missingPerms = `{"message":"Missing Permissions","code":50013}`
	invalidForm  = `{"code":50035,"errors":{"embeds":{"0":{"description":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 4096 or fewer in length."}]}}},"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}},"message":"Invalid Form Body"}`
)

func createMessage(c *rest.Client) error {
	_, err := c.CreateMessage(context.Background(), channelID, discord.Message{Content: "hello"})
	return err
}

func TestRetries(t *testing.T) {
	t.Parallel()
	ok := answer(http.StatusOK, messageResponse)
	tests := []struct {
		name      string
		opts      func(*rest.Options)
		handler   http.HandlerFunc
		wantCalls int
		wantSlept []time.Duration
		wantErr   error // nil for success; else compared with cmp after errors.As
	}{
		{
			name:      "429 waits the body's retry_after",
			handler:   sequence(answer(http.StatusTooManyRequests, limited, "Retry-After", "1", "X-RateLimit-Scope", "user"), ok),
			wantCalls: 2,
			wantSlept: []time.Duration{1500 * time.Millisecond},
		},
		{
			name:      "429 waits the Retry-After header when it is longer",
			handler:   sequence(answer(http.StatusTooManyRequests, limited, "Retry-After", "3"), ok),
			wantCalls: 2,
			wantSlept: []time.Duration{3 * time.Second},
		},
		{
			name:      "429 from a proxy, header only",
			handler:   sequence(answer(http.StatusTooManyRequests, `<html>slow down</html>`, "Retry-After", "2"), ok),
			wantCalls: 2,
			wantSlept: []time.Duration{2 * time.Second},
		},
		{
			name:      "429 global",
			handler:   sequence(answer(http.StatusTooManyRequests, globalLimit, "X-RateLimit-Global", "true", "Retry-After", "2"), ok),
			wantCalls: 2,
			wantSlept: []time.Duration{2 * time.Second},
		},
		{
			name:      "429 beyond the wait budget returns at once",
			handler:   answer(http.StatusTooManyRequests, limitedLong, "Retry-After", "30"),
			wantCalls: 1,
			wantErr:   &rest.RateLimitError{RetryAfter: 30 * time.Second, Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
		{
			name:      "the budget covers all waits of a call",
			opts:      func(o *rest.Options) { o.MaxWait = 2 * time.Second },
			handler:   answer(http.StatusTooManyRequests, limited),
			wantCalls: 2,
			wantSlept: []time.Duration{1500 * time.Millisecond},
			wantErr:   &rest.RateLimitError{RetryAfter: 1500 * time.Millisecond, Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
		{
			name:      "429 until the retries run out",
			opts:      func(o *rest.Options) { o.MaxRetries = 2; o.MaxWait = time.Minute },
			handler:   answer(http.StatusTooManyRequests, limited),
			wantCalls: 3,
			wantSlept: []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond},
			wantErr:   &rest.RateLimitError{RetryAfter: 1500 * time.Millisecond, Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
		{
			name:      "no retries when MaxRetries is negative",
			opts:      func(o *rest.Options) { o.MaxRetries = -1 },
			handler:   answer(http.StatusTooManyRequests, limited),
			wantCalls: 1,
			wantErr:   &rest.RateLimitError{RetryAfter: 1500 * time.Millisecond, Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
		{
			name:      "5xx retried with backoff",
			handler:   sequence(answer(http.StatusBadGateway, `<html>502</html>`), answer(http.StatusInternalServerError, `{"message":"500: Internal Server Error","code":0}`), ok),
			wantCalls: 3,
			wantSlept: []time.Duration{500 * time.Millisecond, time.Second},
		},
		{
			name:      "5xx until the retries run out",
			handler:   answer(http.StatusServiceUnavailable, `upstream connect error`),
			wantCalls: 4,
			wantSlept: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second},
			wantErr:   &rest.Error{Status: 503, Message: "Service Unavailable", Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
		{
			name:      "5xx backoff beyond the budget",
			opts:      func(o *rest.Options) { o.MaxWait = time.Second },
			handler:   answer(http.StatusInternalServerError, `{"message":"500: Internal Server Error","code":0}`),
			wantCalls: 2,
			wantSlept: []time.Duration{500 * time.Millisecond},
			wantErr:   &rest.Error{Status: 500, Message: "500: Internal Server Error", Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
		{
			name:      "400 not retried, field errors decoded",
			handler:   answer(http.StatusBadRequest, invalidForm),
			wantCalls: 1,
			wantErr: &rest.Error{Status: 400, Code: 50035, Message: "Invalid Form Body", Method: "POST", Path: "/channels/" + channelID + "/messages",
				Fields: []string{"content: Must be 2000 or fewer in length.", "embeds.0.description: Must be 4096 or fewer in length."}},
		},
		{
			name:      "401 not retried",
			handler:   answer(http.StatusUnauthorized, unauthorized),
			wantCalls: 1,
			wantErr:   &rest.Error{Status: 401, Message: "401: Unauthorized", Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
		{
			name:      "403 not retried",
			handler:   answer(http.StatusForbidden, missingPerms),
			wantCalls: 1,
			wantErr:   &rest.Error{Status: 403, Code: 50013, Message: "Missing Permissions", Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
		{
			name:      "404 not retried",
			handler:   answer(http.StatusNotFound, unknownMsg),
			wantCalls: 1,
			wantErr:   &rest.Error{Status: 404, Code: 10008, Message: "Unknown Message", Method: "POST", Path: "/channels/" + channelID + "/messages"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, clk := setup(t, tt.opts)
			seen := record(t, mux, "POST /channels/{channel}/messages", tt.handler)
			err := createMessage(client)
			if got := len(seen()); got != tt.wantCalls {
				t.Errorf("%d requests, want %d", got, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantSlept, clk.Slept()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("error = %v, want success", err)
				}
			case *rest.RateLimitError:
				checkAs(t, err, want)
			case *rest.Error:
				checkAs(t, err, want)
			}
		})
	}
}

// checkAs checks that err is, or wraps, an error of want's type equal to want.
func checkAs[E error](t *testing.T, err error, want E) {
	t.Helper()
	var got E
	if !errors.As(err, &got) {
		t.Fatalf("error = %v, want a %T", err, want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%T (-want +got):\n%s", want, diff)
	}
}

func TestGlobalLimitHoldsOtherRoutes(t *testing.T) {
	t.Parallel()
	client, mux, clk := setup(t, func(o *rest.Options) { o.MaxRetries = -1 })
	record(t, mux, "POST /channels/{channel}/messages", answer(http.StatusTooManyRequests, globalLimit, "X-RateLimit-Global", "true"))
	edits := record(t, mux, "PATCH /webhooks/{app}/{token}/messages/@original", answer(http.StatusOK, messageResponse))

	var rl *rest.RateLimitError
	if err := createMessage(client); !errors.As(err, &rl) || !rl.Global {
		t.Fatalf("CreateMessage error = %v, want a global *RateLimitError", err)
	}
	if len(clk.Slept()) != 0 {
		t.Fatalf("waited %v with no retries allowed", clk.Slept())
	}
	if _, err := client.EditOriginal(context.Background(), appID, interactionToken, discord.Message{Content: "x"}); err != nil {
		t.Fatalf("EditOriginal: %v", err)
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second}, clk.Slept()); diff != "" {
		t.Errorf("another route did not wait out the global limit (-want +got):\n%s", diff)
	}
	if len(edits()) != 1 {
		t.Errorf("%d edits, want 1", len(edits()))
	}
}

func TestSpentBucketWaitsBeforeNextCall(t *testing.T) {
	t.Parallel()
	client, mux, clk := setup(t)
	record(t, mux, "POST /channels/{channel}/messages", answer(http.StatusOK, messageResponse,
		"X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "0.75", "X-RateLimit-Bucket", "80c17d2f203122d936070c88c8d10f33"))
	record(t, mux, "PATCH /channels/{channel}/messages/{message}", answer(http.StatusOK, messageResponse,
		"X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "4", "X-RateLimit-Reset-After", "1"))

	if err := createMessage(client); err != nil {
		t.Fatal(err)
	}
	if len(clk.Slept()) != 0 {
		t.Fatalf("first call waited %v", clk.Slept())
	}
	if _, err := client.EditMessage(context.Background(), channelID, "1", discord.Message{Content: "x"}); err != nil {
		t.Fatal(err)
	}
	if len(clk.Slept()) != 0 {
		t.Fatalf("a call on another route waited %v", clk.Slept())
	}
	if err := createMessage(client); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{750 * time.Millisecond}, clk.Slept()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestSpentBucketBeyondBudget(t *testing.T) {
	t.Parallel()
	client, mux, clk := setup(t)
	calls := record(t, mux, "POST /channels/{channel}/messages", answer(http.StatusOK, messageResponse,
		"X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "60"))
	if err := createMessage(client); err != nil {
		t.Fatal(err)
	}
	var rl *rest.RateLimitError
	if err := createMessage(client); !errors.As(err, &rl) || rl.RetryAfter != time.Minute || rl.Global {
		t.Fatalf("second call error = %v, want a route *RateLimitError of 1m", err)
	}
	if len(calls()) != 1 || len(clk.Slept()) != 0 {
		t.Errorf("%d requests, waits %v; want the second call refused without sending or waiting", len(calls()), clk.Slept())
	}
}

func TestContextCanceled(t *testing.T) {
	t.Parallel()
	t.Run("before the call", func(t *testing.T) {
		t.Parallel()
		client, mux, _ := setup(t)
		calls := record(t, mux, "POST /channels/{channel}/messages", answer(http.StatusOK, messageResponse))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := client.CreateMessage(ctx, channelID, discord.Message{Content: "x"})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
		if len(calls()) != 0 {
			t.Errorf("%d requests sent on a canceled context", len(calls()))
		}
	})
	// The default Sleep, on a real timer: canceling must end a 5-second wait at once and
	// send nothing more.
	t.Run("during a rate-limit wait", func(t *testing.T) {
		t.Parallel()
		client, mux, _ := setup(t, func(o *rest.Options) { o.Sleep, o.Now = nil, nil })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := record(t, mux, "POST /channels/{channel}/messages", sequence(
			func(w http.ResponseWriter, r *http.Request) {
				respond(w, http.StatusTooManyRequests, `{"message":"You are being rate limited.","retry_after":5,"global":false}`)
				cancel()
			},
			answer(http.StatusOK, messageResponse)))
		_, err := client.CreateMessage(ctx, channelID, discord.Message{Content: "x"})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
		if len(calls()) != 1 {
			t.Errorf("%d requests, want 1", len(calls()))
		}
	})
}

// TestTokensNotInErrors drives each way a call can fail and looks for either token in the
// error's text.
func TestTokensNotInErrors(t *testing.T) {
	t.Parallel()
	closed := httptest404Closed(t)
	tests := []struct {
		name string
		opts func(*rest.Options)
		mux  func(*http.ServeMux)
	}{
		{"404", nil, func(m *http.ServeMux) {
			m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				respond(w, http.StatusNotFound, `{"message":"Unknown Webhook","code":10015}`)
			})
		}},
		{"401", nil, func(m *http.ServeMux) {
			m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { respond(w, http.StatusUnauthorized, unauthorized) })
		}},
		{"429", nil, func(m *http.ServeMux) {
			m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { respond(w, http.StatusTooManyRequests, limitedLong) })
		}},
		{"bad JSON", nil, func(m *http.ServeMux) {
			m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { respond(w, http.StatusOK, `{"id":`) })
		}},
		{"connection refused", func(o *rest.Options) { o.BaseURL = closed; o.MaxRetries = -1 }, func(*http.ServeMux) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, tt.opts)
			tt.mux(mux)
			ctx := context.Background()
			_, err1 := client.EditOriginal(ctx, appID, interactionToken, discord.Message{Content: "x"})
			_, err2 := client.CreateFollowup(ctx, appID, interactionToken, discord.Message{Content: "x"})
			_, err3 := client.CreateMessage(ctx, channelID, discord.Message{Content: "x"})
			for i, err := range []error{err1, err2, err3} {
				if err == nil {
					t.Fatalf("call %d: no error", i)
				}
				msg := err.Error()
				if strings.Contains(msg, interactionToken) || strings.Contains(msg, botToken) {
					t.Errorf("call %d: token in error: %s", i, msg)
				}
				if i < 2 && !strings.Contains(msg, "/webhooks/"+appID+"/{token}") {
					t.Errorf("call %d: error %q does not name the path with {token}", i, msg)
				}
			}
		})
	}
}

// httptest404Closed returns the URL of a port nothing listens on any more.
func httptest404Closed(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/api/v10"
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return url
}

func TestErrorStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{&rest.Error{Status: 404, Code: 10008, Message: "Unknown Message", Method: "PATCH", Path: "/channels/1/messages/2"},
			"discord PATCH /channels/1/messages/2: 404 Unknown Message (code 10008)"},
		{&rest.Error{Status: 502, Message: "Bad Gateway", Method: "POST", Path: "/webhooks/1/{token}"},
			"discord POST /webhooks/1/{token}: 502 Bad Gateway"},
		{&rest.Error{Status: 400, Code: 50035, Message: "Invalid Form Body", Method: "POST", Path: "/channels/1/messages", Fields: []string{"a: x", "b: y"}},
			"discord POST /channels/1/messages: 400 Invalid Form Body (code 50035): a: x; b: y"},
		{&rest.RateLimitError{RetryAfter: 1500 * time.Millisecond, Method: "POST", Path: "/channels/1/messages"},
			"discord POST /channels/1/messages: rate limited (route), retry after 1.5s"},
		{&rest.RateLimitError{RetryAfter: 2 * time.Second, Global: true, Method: "PUT", Path: "/applications/1/commands"},
			"discord PUT /applications/1/commands: rate limited (global), retry after 2s"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
