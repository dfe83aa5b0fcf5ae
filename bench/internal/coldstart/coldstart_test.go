package coldstart

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/discord-chatops/chatops/shared/discord/signature"
)

// TestPingerEvent checks that the events verify as Discord's would, each with its own
// timestamp, and that making one leaves the template alone.
func TestPingerEvent(t *testing.T) {
	t.Parallel()
	p, err := NewPinger(1)
	if err != nil {
		t.Fatal(err)
	}
	v, err := signature.NewVerifier(p.PublicKeyHex())
	if err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{time.Unix(1_800_000_000, 0), time.Unix(1_800_000_060, 0)} {
		raw, err := p.Event(now)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(ev.Headers["x-signature-ed25519"], ev.Headers["x-signature-timestamp"], []byte(ev.Body), now); err != nil {
			t.Errorf("event at %v does not verify: %v", now, err)
		}
		if ev.RequestContext.HTTP.Method != "POST" || ev.RawPath != "/interactions" || ev.IsBase64Encoded {
			t.Errorf("event is not a plain POST /interactions: %s %s base64=%v", ev.RequestContext.HTTP.Method, ev.RawPath, ev.IsBase64Encoded)
		}
	}
	if _, ok := p.event.Headers["x-signature-ed25519"]; ok {
		t.Error("Event signed the template")
	}
}

func TestCheckPong(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		answer string
		ok     bool
	}{
		{`{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"type\":1}"}`, true},
		{`{"statusCode":200,"body":"{\"type\": 1}"}`, false},
		{`{"statusCode":401,"body":"invalid request signature"}`, false},
		{`not json`, false},
	} {
		if err := checkPong([]byte(tt.answer)); (err == nil) != tt.ok {
			t.Errorf("checkPong(%s) = %v, want ok %v", tt.answer, err, tt.ok)
		}
	}
}
