package githubapp_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// testSecret signs the recorded payloads afresh; GitHub's own signatures are not in them.
const testSecret = "test-webhook-secret-0f1e2d3c"

func recordedPayloads(t testing.TB) map[string][]byte {
	t.Helper()
	names := githubapptest.PayloadNames()
	if len(names) < 10 {
		t.Fatalf("githubapptest has %d recorded payloads, want every recorded one", len(names))
	}
	out := make(map[string][]byte, len(names))
	for _, name := range names {
		out[name] = githubapptest.Payload(t, name)
	}
	return out
}

func formBody(payload []byte) []byte {
	return []byte(url.Values{"payload": {string(payload)}}.Encode())
}

func TestValidateWebhookRecordedPayloads(t *testing.T) {
	t.Parallel()
	deliveries := []struct {
		name        string
		contentType string
		body        func(payload []byte) []byte
	}{
		{name: "json", contentType: "application/json", body: func(p []byte) []byte { return p }},
		{name: "json with charset", contentType: "application/json; charset=utf-8", body: func(p []byte) []byte { return p }},
		{name: "form", contentType: "application/x-www-form-urlencoded", body: formBody},
		{name: "form with charset", contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8", body: formBody},
	}
	for file, payload := range recordedPayloads(t) {
		for _, d := range deliveries {
			t.Run(file+"/"+d.name, func(t *testing.T) {
				t.Parallel()
				body := d.body(payload)
				got, err := githubapp.ValidateWebhook([]byte(testSecret), d.contentType, githubapptest.SignWebhook([]byte(testSecret), body), body)
				if err != nil {
					t.Fatalf("ValidateWebhook: %v", err)
				}
				if !bytes.Equal(got, payload) {
					t.Errorf("payload differs from the recorded one:\n%s", cmp.Diff(string(payload), string(got)))
				}
			})
		}
	}
}

func TestValidateWebhookRejects(t *testing.T) {
	t.Parallel()
	payload := githubapptest.Payload(t, "pull_request.opened")
	sha1Sig := func(secret, body []byte) string {
		mac := hmac.New(sha1.New, secret)
		mac.Write(body)
		return "sha1=" + hex.EncodeToString(mac.Sum(nil))
	}
	good := githubapptest.SignWebhook([]byte(testSecret), payload)
	tests := []struct {
		name        string
		secret      []byte
		contentType string
		signature   string
		body        []byte
		wantIs      error // nil: an error that wraps neither sentinel
	}{
		{name: "missing signature", contentType: "application/json", signature: "", wantIs: githubapp.ErrBadSignature},
		{name: "sha1 signature, valid HMAC", contentType: "application/json", signature: sha1Sig([]byte(testSecret), payload), wantIs: githubapp.ErrBadSignature},
		{name: "no algorithm", contentType: "application/json", signature: strings.TrimPrefix(good, "sha256="), wantIs: githubapp.ErrBadSignature},
		{name: "upper-case algorithm", contentType: "application/json", signature: "SHA256=" + strings.TrimPrefix(good, "sha256="), wantIs: githubapp.ErrBadSignature},
		{name: "bad hex", contentType: "application/json", signature: "sha256=" + strings.Repeat("zz", 32), wantIs: githubapp.ErrBadSignature},
		{name: "short hex", contentType: "application/json", signature: good[:len(good)-2], wantIs: githubapp.ErrBadSignature},
		{name: "wrong secret", contentType: "application/json", signature: githubapptest.SignWebhook([]byte("another secret"), payload), wantIs: githubapp.ErrBadSignature},
		{name: "body changed", contentType: "application/json", signature: good, body: append(bytes.Clone(payload), ' '), wantIs: githubapp.ErrBadSignature},
		{name: "form delivery signed over the payload, not the body", contentType: "application/x-www-form-urlencoded", signature: good, body: formBody(payload), wantIs: githubapp.ErrBadSignature},
		{name: "signed, unsupported content type", contentType: "text/plain", signature: good, wantIs: githubapp.ErrBadPayload},
		{name: "signed, no content type", contentType: "", signature: good, wantIs: githubapp.ErrBadPayload},
		{name: "signed, malformed content type", contentType: "application/json; =", signature: good, wantIs: githubapp.ErrBadPayload},
		{name: "signed form without payload field", contentType: "application/x-www-form-urlencoded", signature: githubapptest.SignWebhook([]byte(testSecret), []byte("zen=hi")), body: []byte("zen=hi"), wantIs: githubapp.ErrBadPayload},
		{name: "signed malformed form", contentType: "application/x-www-form-urlencoded", signature: githubapptest.SignWebhook([]byte(testSecret), []byte("payload=%zz")), body: []byte("payload=%zz"), wantIs: githubapp.ErrBadPayload},
		{name: "signed empty JSON body", contentType: "application/json", signature: githubapptest.SignWebhook([]byte(testSecret), nil), body: []byte{}, wantIs: githubapp.ErrBadPayload},
		{name: "no secret configured", secret: []byte{}, contentType: "application/json", signature: githubapptest.SignWebhook(nil, payload), wantIs: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			secret, body := tt.secret, tt.body
			if secret == nil {
				secret = []byte(testSecret)
			}
			if body == nil {
				body = payload
			}
			got, err := githubapp.ValidateWebhook(secret, tt.contentType, tt.signature, body)
			if err == nil {
				t.Fatalf("ValidateWebhook accepted the delivery (%d bytes of payload)", len(got))
			}
			if got != nil {
				t.Errorf("ValidateWebhook returned a payload with an error")
			}
			isSig, isPayload := errors.Is(err, githubapp.ErrBadSignature), errors.Is(err, githubapp.ErrBadPayload)
			switch tt.wantIs {
			case nil:
				if isSig || isPayload {
					t.Errorf("error %q wraps a client-error sentinel, want a configuration error", err)
				}
			default:
				if !errors.Is(err, tt.wantIs) || isSig == isPayload {
					t.Errorf("error %q, want one wrapping only %v", err, tt.wantIs)
				}
			}
			msg := err.Error()
			if strings.Contains(msg, testSecret) {
				t.Errorf("error %q contains the secret", msg)
			}
			if hexPart := strings.TrimPrefix(tt.signature, "sha256="); len(hexPart) >= 16 && strings.Contains(msg, hexPart) {
				t.Errorf("error %q repeats the signature", msg)
			}
		})
	}
}

// FuzzValidateWebhook checks that no input panics, that only a correct HMAC-SHA256 of the exact
// body is accepted, and that errors never carry the secret.
func FuzzValidateWebhook(f *testing.F) {
	for name, payload := range recordedPayloads(f) {
		if !strings.HasPrefix(name, "ping") && !strings.HasPrefix(name, "issues") {
			continue
		}
		f.Add("application/json", githubapptest.SignWebhook([]byte(testSecret), payload), payload)
		form := formBody(payload)
		f.Add("application/x-www-form-urlencoded; charset=utf-8", githubapptest.SignWebhook([]byte(testSecret), form), form)
	}
	f.Add("application/json", "sha256=", []byte("{}"))
	f.Add("application/json", "sha1=0000000000000000000000000000000000000000", []byte("{}"))
	f.Add("text/plain; charset", "sha256=zz", []byte("payload=%"))
	f.Fuzz(func(t *testing.T, contentType, signature string, body []byte) {
		payload, err := githubapp.ValidateWebhook([]byte(testSecret), contentType, signature, body)
		if err != nil {
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error %q contains the secret", err)
			}
			if !errors.Is(err, githubapp.ErrBadSignature) && !errors.Is(err, githubapp.ErrBadPayload) {
				t.Errorf("error %q wraps neither sentinel", err)
			}
			return
		}
		if !strings.EqualFold(signature, githubapptest.SignWebhook([]byte(testSecret), body)) {
			t.Errorf("accepted signature %q for a body it does not sign", signature)
		}
		if len(payload) == 0 {
			t.Error("accepted a delivery with an empty payload")
		}
	})
}
