package githubapp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/shared/githubapp"
)

// answer is the error go-github returns for GET /repos/o/r/issues/1 answered with status,
// headers and body, as GitHub sends them.
func answer(t *testing.T, status int, header map[string]string, body string) error {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	c := github.NewClient(srv.Client())
	base, err := url.Parse(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = base
	_, _, err = c.Issues.Get(context.Background(), "o", "r", 1)
	if err == nil {
		t.Fatalf("GitHub answered %d and go-github returned no error", status)
	}
	return err
}

func TestErrorStatus(t *testing.T) {
	t.Parallel()
	const integration = `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/issues#get-an-issue","status":"403"}`
	tests := []struct {
		name        string
		err         func(t *testing.T) error
		status      int
		message     string
		rateLimited bool
	}{
		{"not found", func(t *testing.T) error { return answer(t, 404, nil, `{"message":"Not Found"}`) }, 404, "Not Found", false},
		{"permission missing", func(t *testing.T) error { return answer(t, 403, nil, integration) }, 403, "Resource not accessible by integration", false},
		{"validation failed", func(t *testing.T) error {
			return answer(t, 422, nil, `{"message":"No ref found for: nope","documentation_url":"https://docs.github.com/rest"}`)
		}, 422, "No ref found for: nope", false},
		{"gone", func(t *testing.T) error {
			return answer(t, 410, nil, `{"message":"Issues are disabled for this repo"}`)
		}, 410, "Issues are disabled for this repo", false},
		{"bad credentials", func(t *testing.T) error { return answer(t, 401, nil, `{"message":"Bad credentials"}`) }, 401, "Bad credentials", false},
		{"server error without a body", func(t *testing.T) error { return answer(t, 502, nil, ``) }, 502, "", false},
		{"wrapped", func(t *testing.T) error {
			return fmt.Errorf("read issue: %w", answer(t, 404, nil, `{"message":"Not Found"}`))
		}, 404, "Not Found", false},
		{"primary rate limit", func(t *testing.T) error {
			return answer(t, 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000000"}, `{"message":"API rate limit exceeded for installation ID 1."}`)
		}, 0, "", true},
		{"secondary rate limit", func(t *testing.T) error {
			return answer(t, 403, map[string]string{"Retry-After": "60"}, `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
		}, 0, "", true},
		{"an ErrorResponse without its response", func(*testing.T) error { return &github.ErrorResponse{Message: "x"} }, 0, "", false},
		{"not from GitHub", func(*testing.T) error { return errors.New("dial tcp: connection refused") }, 0, "", false},
		{"no error", func(*testing.T) error { return nil }, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.err(t)
			status, message := githubapp.ErrorStatus(err)
			if status != tt.status || message != tt.message {
				t.Errorf("ErrorStatus(%v) = %d, %q, want %d, %q", err, status, message, tt.status, tt.message)
			}
			if got := githubapp.RateLimited(err); got != tt.rateLimited {
				t.Errorf("RateLimited(%v) = %v, want %v", err, got, tt.rateLimited)
			}
		})
	}
}
