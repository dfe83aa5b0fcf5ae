package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/shared/discord/signature/signaturetest"
)

// TestKeyHint: when the requests keep failing the signature check (a wrong DISCORD_PUBLIC_KEY:
// Discord's PING and its forged probe alike), the log names DISCORD_PUBLIC_KEY once the count
// is reached; a request that passes starts the count again, and a missing signature (a
// scanner, not Discord) does not count.
func TestKeyHint(t *testing.T) {
	t.Parallel()
	h, logs := newTestHandler(t, deps{invoker: &fakeInvoker{}}, testNow)
	ping := interaction(t, "ping")
	send := func(s *signaturetest.Signer) int {
		t.Helper()
		req := signedRequest(t, ping, testNow)
		switch s {
		case nil:
			delete(req.Headers, "x-signature-ed25519")
		case signer:
		default:
			req.Headers["x-signature-ed25519"] = s.Sign(req.Headers["x-signature-timestamp"], ping)
		}
		return h.ack(t.Context(), req).StatusCode
	}
	hints := func() int {
		return strings.Count(logs.String(), "DISCORD_PUBLIC_KEY is not this application's Public Key")
	}

	for range keyHintAfter - 1 {
		send(forger)
	}
	send(nil)
	if send(signer) != http.StatusOK || hints() != 0 {
		t.Fatalf("hint after %d bad signatures and a pass:\n%s", keyHintAfter-1, logs)
	}
	for range keyHintAfter - 1 {
		send(forger)
	}
	if hints() != 0 {
		t.Fatalf("hint before %d bad signatures in a row:\n%s", keyHintAfter, logs)
	}
	if send(forger) != http.StatusUnauthorized || hints() != 1 {
		t.Fatalf("%d bad signatures in a row: %d hints, want 1:\n%s", keyHintAfter, hints(), logs)
	}
	for range 10 {
		send(forger)
	}
	if hints() != 1 {
		t.Errorf("the hint repeated within 100 failures: %d", hints())
	}
	if !strings.Contains(logs.String(), `"consecutive_failures":3`) {
		t.Errorf("the hint does not say how many failed:\n%s", logs)
	}
}
