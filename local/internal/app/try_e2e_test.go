package app

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// postLocal posts body to one of the runner's local routes and returns the status and answer.
func postLocal(t *testing.T, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, e2e.local.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestTryWebhook: POST /local/webhook sends a recorded delivery, chosen by name, about the
// demo repository and signed with the webhook secret; the answer is github-webhook's, then the
// message it posted, with the channel by name. An unknown name lists the recorded ones.
func TestTryWebhook(t *testing.T) {
	t.Parallel()
	status, answer := postLocal(t, "/local/webhook?event=pull_request.opened", "")
	if status != http.StatusOK || !strings.Contains(answer, "(pull_request): github-webhook answered HTTP 200") ||
		!strings.Contains(answer, "in #ops") || !strings.Contains(answer, "acme/shop") {
		t.Errorf("HTTP %d:\n%s\nwant github-webhook's 200 and the announcement about acme/shop in #ops", status, answer)
	}
	status, answer = postLocal(t, "/local/webhook?event=pull_request.exploded", "")
	if status != http.StatusBadRequest || !strings.Contains(answer, "issues.opened") {
		t.Errorf("unknown event: HTTP %d %s, want 400 listing the recorded deliveries", status, answer)
	}
}
