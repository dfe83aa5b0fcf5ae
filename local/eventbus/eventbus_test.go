package eventbus

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type delivered struct {
	target   string
	envelope Envelope
}

func newBus(t *testing.T) (*httptest.Server, func() []delivered) {
	t.Helper()
	var mu sync.Mutex
	var got []delivered
	b := &Bus{
		Rules: []Rule{{Bus: "chatops", Source: "chatops.github", DetailTypes: []string{"workflow_run", "deployment_status"}, Target: "deploy-notify"}},
		Deliver: func(target string, envelope []byte) {
			var e Envelope
			if err := json.Unmarshal(envelope, &e); err != nil {
				t.Errorf("envelope %s: %v", envelope, err)
			}
			mu.Lock()
			got = append(got, delivered{target, e})
			mu.Unlock()
		},
		Account: "123456789012", Region: "us-east-1",
		Now: func() time.Time { return time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) },
	}
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return srv, func() []delivered {
		mu.Lock()
		defer mu.Unlock()
		return append([]delivered(nil), got...)
	}
}

func put(t *testing.T, url, target, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestPutEvents(t *testing.T) {
	t.Parallel()
	srv, got := newBus(t)
	status, out := put(t, srv.URL, "AWSEvents.PutEvents", `{"Entries":[
		{"EventBusName":"chatops","Source":"chatops.github","DetailType":"workflow_run","Detail":"{\"action\":\"completed\"}"},
		{"EventBusName":"chatops","Source":"chatops.github","DetailType":"push","Detail":"{}"},
		{"EventBusName":"other","Source":"chatops.github","DetailType":"workflow_run","Detail":"{}"},
		{"EventBusName":"chatops","Source":"chatops.github","DetailType":"workflow_run","Detail":"[1]"},
		{"EventBusName":"chatops","DetailType":"workflow_run","Detail":"{}"}]}`)
	if status != http.StatusOK {
		t.Fatalf("status %d %v", status, out)
	}
	entries := out["Entries"].([]any)
	codes := make([]string, len(entries))
	for i, e := range entries {
		m := e.(map[string]any)
		if id, _ := m["EventId"].(string); id != "" {
			codes[i] = "ok"
		} else {
			codes[i], _ = m["ErrorCode"].(string)
		}
	}
	if diff := cmp.Diff([]string{"ok", "ok", "ok", "MalformedDetail", "InvalidArgument"}, codes); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if out["FailedEntryCount"] != float64(2) {
		t.Errorf("FailedEntryCount %v, want 2", out["FailedEntryCount"])
	}
	d := got()
	if len(d) != 1 {
		t.Fatalf("delivered %+v, want the one workflow_run on the chatops bus", d)
	}
	want := Envelope{Version: "0", ID: d[0].envelope.ID, DetailType: "workflow_run", Source: "chatops.github", Account: "123456789012",
		Time: "2026-11-24T09:00:00Z", Region: "us-east-1", Resources: []string{}, Detail: json.RawMessage(`{"action":"completed"}`)}
	if diff := cmp.Diff(delivered{"deploy-notify", want}, d[0], cmp.AllowUnexported(delivered{})); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	if len(d[0].envelope.ID) != 36 {
		t.Errorf("event id %q is not a UUID", d[0].envelope.ID)
	}
}

func TestRefused(t *testing.T) {
	t.Parallel()
	srv, got := newBus(t)
	tests := []struct {
		name, target, body, code string
	}{
		{"another operation", "AWSEvents.PutRule", `{}`, "UnknownOperationException"},
		{"no entries", "AWSEvents.PutEvents", `{"Entries":[]}`, "ValidationException"},
		{"not JSON", "AWSEvents.PutEvents", `{`, "SerializationException"},
	}
	for _, tt := range tests {
		status, out := put(t, srv.URL, tt.target, tt.body)
		if status != http.StatusBadRequest || out["__type"] != tt.code {
			t.Errorf("%s: %d %v, want 400 %s", tt.name, status, out, tt.code)
		}
	}
	if d := got(); len(d) != 0 {
		t.Errorf("refused calls delivered %+v", d)
	}
}
