package gateway

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestEvent(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 9, 12, 1, 0, time.UTC)
	tests := []struct {
		name        string
		contentType string
		body        string
		wantBody    string
		wantBase64  bool
	}{
		{"Discord's JSON is text", "application/json", `{"type":1}`, `{"type":1}`, false},
		{"JSON with a charset is base64", "application/json; charset=utf-8", `{"zen":"x"}`, "eyJ6ZW4iOiJ4In0=", true},
		{"form is base64", "application/x-www-form-urlencoded", "payload=%7B%7D", "cGF5bG9hZD0lN0IlN0Q=", true},
		{"plain text", "text/plain", "hi", "hi", false},
		{"no content type is base64", "", "hi", "aGk=", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "http://localhost:8080/interactions?x=1&x=2", strings.NewReader(tt.body))
			r.Header.Set("X-Signature-Ed25519", "abc")
			r.Header.Add("X-Multi", "a")
			r.Header.Add("X-Multi", "b")
			r.Header.Set("Cookie", "a=1; b=2")
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			got := Event(r, []byte(tt.body), "req-1", now)
			want := events.APIGatewayV2HTTPRequest{
				Version: "2.0", RouteKey: "POST /interactions", RawPath: "/interactions", RawQueryString: "x=1&x=2",
				Cookies:               []string{"a=1", "b=2"},
				Headers:               map[string]string{"x-signature-ed25519": "abc", "x-multi": "a,b", "host": "localhost:8080"},
				QueryStringParameters: map[string]string{"x": "1,2"},
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RouteKey: "POST /interactions", AccountID: "123456789012", Stage: "$default", RequestID: "req-1",
					APIID: "local", DomainName: "localhost:8080", DomainPrefix: "localhost:8080",
					Time: "24/Nov/2026:09:12:01 +0000", TimeEpoch: now.UnixMilli(),
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/interactions",
						Protocol: "HTTP/1.1", SourceIP: "192.0.2.1"},
				},
				Body: tt.wantBody, IsBase64Encoded: tt.wantBase64,
			}
			if tt.contentType != "" {
				want.Headers["content-type"] = tt.contentType
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		answer     string
		wantStatus int
		wantType   string
		wantBody   string
	}{
		{"response", `{"statusCode":401,"headers":{"Content-Type":"text/plain"},"body":"invalid request signature"}`, 401, "text/plain", "invalid request signature"},
		{"base64 body", `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, 200, "", "hi"},
		{"status only", `{"statusCode":204}`, 204, "", ""},
		{"a bare JSON answer is a 200 JSON body", `{"message_id":"1"}`, 200, "application/json", `{"message_id":"1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			if err := Write(w, []byte(tt.answer)); err != nil {
				t.Fatal(err)
			}
			if w.Code != tt.wantStatus || w.Header().Get("Content-Type") != tt.wantType || w.Body.String() != tt.wantBody {
				t.Errorf("got %d %q %q, want %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String(), tt.wantStatus, tt.wantType, tt.wantBody)
			}
		})
	}
	if err := Write(httptest.NewRecorder(), []byte("not json")); err == nil {
		t.Error("an answer that is not JSON was written")
	}
}
