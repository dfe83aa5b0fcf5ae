package apigw_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/apigw"
)

func loadEvent(t *testing.T, name string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return req
}

func TestRecordedEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		body    string
		headers map[string]string // name as a caller spells it -> value
	}{
		{
			file: "discord-ping-plain.json",
			body: `{"application_id":"1234567890123456789","id":"1311111111111111111","token":"aW50ZXJhY3Rpb246MTMxMTExMTExMTExMTExMTExMTp0ZXN0","type":1,"user":{"id":"53908232506183680","username":"mason"},"version":1}`,
			headers: map[string]string{
				"X-Signature-Timestamp": "1763975521",
				"x-signature-timestamp": "1763975521",
				"CONTENT-TYPE":          "application/json",
				"X-Missing":             "",
			},
		},
		{
			file: "github-ping-form-base64.json",
			body: "payload=%7B%22zen%22%3A%22Keep+it+logically+awesome.%22%2C%22hook_id%22%3A123456%7D",
			headers: map[string]string{
				"X-GitHub-Event":      "ping",
				"X-Hub-Signature-256": "sha256=0000000000000000000000000000000000000000000000000000000000000000",
				"Content-Type":        "application/x-www-form-urlencoded",
			},
		},
		{
			file: "github-ping-json-base64.json",
			body: `{"zen":"Design for failure.","hook_id":123456}`,
			headers: map[string]string{
				"Content-Type":      "application/json; charset=utf-8",
				"X-GitHub-Delivery": "1c0a4d5f-c9a1-11f0-9a1b-3c8e7d6b5f4a",
			},
		},
		{
			file: "test-client-canonical-headers.json",
			body: `{"type":1}`,
			headers: map[string]string{
				"x-signature-ed25519":   "00ff",
				"X-Signature-Ed25519":   "00ff",
				"x-signature-timestamp": "1763975600",
				"content-type":          "application/json",
				"x-hub-signature-256":   "",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			req := loadEvent(t, tt.file)
			got, err := apigw.Body(req)
			if err != nil {
				t.Fatalf("Body: %v", err)
			}
			if diff := cmp.Diff(tt.body, string(got)); diff != "" {
				t.Errorf("Body mismatch (-want +got):\n%s", diff)
			}
			gotHeaders := map[string]string{}
			for name := range tt.headers {
				gotHeaders[name] = apigw.Header(req, name)
			}
			if diff := cmp.Diff(tt.headers, gotHeaders); diff != "" {
				t.Errorf("Header mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBodyLimitsAndEncoding(t *testing.T) {
	t.Parallel()
	b64 := base64.StdEncoding.EncodeToString
	// n bytes whose base64 ends with the padding n%3 implies: 1 -> "==", 2 -> "=", 0 -> none.
	raw := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name    string
		body    string
		base64  bool
		wantLen int
		wantErr error
	}{
		{name: "plain empty", body: "", wantLen: 0},
		{name: "plain at limit", body: raw(apigw.MaxBodyBytes), wantLen: apigw.MaxBodyBytes},
		{name: "plain one over", body: raw(apigw.MaxBodyBytes + 1), wantErr: apigw.ErrTooLarge},
		{name: "base64 empty", body: "", base64: true, wantLen: 0},
		{name: "base64 one under, one pad", body: b64([]byte(raw(apigw.MaxBodyBytes - 1))), base64: true, wantLen: apigw.MaxBodyBytes - 1},
		{name: "base64 at limit, two pads", body: b64([]byte(raw(apigw.MaxBodyBytes))), base64: true, wantLen: apigw.MaxBodyBytes},
		{name: "base64 one over, no pad", body: b64([]byte(raw(apigw.MaxBodyBytes + 1))), base64: true, wantErr: apigw.ErrTooLarge},
		{name: "base64 two over, two pads", body: b64([]byte(raw(apigw.MaxBodyBytes + 2))), base64: true, wantErr: apigw.ErrTooLarge},
		// Larger than the limit and not base64: the size check comes first, so nothing is decoded.
		{name: "base64 oversized garbage", body: strings.Repeat("!", apigw.MaxBodyBytes*2), base64: true, wantErr: apigw.ErrTooLarge},
		{name: "base64 not base64", body: "not base64!", base64: true, wantErr: apigw.ErrBadEncoding},
		{name: "base64 without padding needed", body: "eyJ0eXBlIjox", base64: true, wantLen: 9},
		{name: "base64 missing padding", body: "eyJ0eXBlIjoxfQ", base64: true, wantErr: apigw.ErrBadEncoding},
		{name: "base64 url alphabet", body: "-_-_", base64: true, wantErr: apigw.ErrBadEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := loadEvent(t, "discord-ping-plain.json")
			req.Body = tt.body
			req.IsBase64Encoded = tt.base64
			got, err := apigw.Body(req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Body error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if got != nil {
					t.Errorf("Body returned %d bytes with an error", len(got))
				}
				return
			}
			if len(got) != tt.wantLen {
				t.Errorf("Body returned %d bytes, want %d", len(got), tt.wantLen)
			}
		})
	}
}

func TestHeaderNilMap(t *testing.T) {
	t.Parallel()
	if got := apigw.Header(events.APIGatewayV2HTTPRequest{}, "Content-Type"); got != "" {
		t.Errorf("Header on an event without headers = %q, want empty", got)
	}
}

func TestResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  events.APIGatewayV2HTTPResponse
		want events.APIGatewayV2HTTPResponse
	}{
		{
			name: "JSON struct",
			got: apigw.JSON(http.StatusOK, struct {
				Type int `json:"type"`
			}{Type: 1}),
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 200,
				Headers:    map[string]string{"Content-Type": "application/json"},
				Body:       `{"type":1}`,
			},
		},
		{
			name: "JSON map",
			got:  apigw.JSON(http.StatusBadRequest, map[string]string{"error": "bad request"}),
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 400,
				Headers:    map[string]string{"Content-Type": "application/json"},
				Body:       `{"error":"bad request"}`,
			},
		},
		{
			name: "JSON unencodable",
			got:  apigw.JSON(http.StatusOK, map[string]any{"f": func() {}}),
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 500,
				Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
				Body:       "internal error",
			},
		},
		{
			name: "Text",
			got:  apigw.Text(http.StatusUnauthorized, "invalid request signature"),
			want: events.APIGatewayV2HTTPResponse{
				StatusCode: 401,
				Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
				Body:       "invalid request signature",
			},
		},
		{
			name: "Status",
			got:  apigw.Status(http.StatusNoContent),
			want: events.APIGatewayV2HTTPResponse{StatusCode: 204},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
