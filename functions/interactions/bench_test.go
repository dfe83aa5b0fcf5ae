package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"testing"
	"time"
)

// The acknowledgement path's budget is 1.25 times a bare ed25519.Verify of the same request:
// compare BenchmarkAck with BenchmarkBareVerify.
//
//	go test -run '^$' -bench 'Ack|BareVerify' -benchmem -count 5 .
//
// On a busy machine, BenchmarkAckOverVerify's ratio is the figure to read.
var benchFiles = []string{"ping", "help"}

// BenchmarkBareVerify is the floor: ed25519.Verify of timestamp+body, nothing else.
func BenchmarkBareVerify(b *testing.B) {
	for _, name := range benchFiles {
		b.Run(name, func(b *testing.B) {
			body := interaction(b, name)
			stamp := strconv.FormatInt(testNow.Unix(), 10)
			sig, _ := hex.DecodeString(signer.Sign(stamp, body))
			key, _ := hex.DecodeString(signer.PublicKeyHex())
			msg := append([]byte(stamp), body...)
			for b.Loop() {
				if !ed25519.Verify(key, msg, sig) {
					b.Fatal("signature does not verify")
				}
			}
		})
	}
}

// BenchmarkAck is a signed request through Handle, as lambda.Start calls it: headers looked
// up, signature verified, interaction decoded, routed, answered, logged (to a JSON handler
// that discards).
func BenchmarkAck(b *testing.B) {
	for _, name := range benchFiles {
		b.Run(name, func(b *testing.B) {
			h := benchHandler(b)
			ev := event{APIGatewayV2HTTPRequest: signedRequest(b, interaction(b, name), testNow)}
			ctx := context.Background()
			for b.Loop() {
				if resp, _ := h.Handle(ctx, ev); resp.StatusCode != 200 {
					b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
				}
			}
		})
	}
}

// BenchmarkAckOverVerify interleaves the two, request by request, and reports their ratio
// (ack/verify), which load from other work on the machine shifts far less than either time.
func BenchmarkAckOverVerify(b *testing.B) {
	for _, name := range benchFiles {
		b.Run(name, func(b *testing.B) {
			h := benchHandler(b)
			body := interaction(b, name)
			ev := event{APIGatewayV2HTTPRequest: signedRequest(b, body, testNow)}
			ctx := context.Background()
			overVerify(b, body, func() {
				if resp, _ := h.Handle(ctx, ev); resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			})
		})
	}
}

// BenchmarkAckFromJSONOverVerify is BenchmarkAckOverVerify with the event as the runtime hands
// it over: Invoke, bytes in and bytes out.
func BenchmarkAckFromJSONOverVerify(b *testing.B) {
	for _, name := range benchFiles {
		b.Run(name, func(b *testing.B) {
			h := benchHandler(b)
			body := interaction(b, name)
			raw, _ := json.Marshal(signedRequest(b, body, testNow))
			ctx := context.Background()
			overVerify(b, body, func() {
				if _, err := h.Invoke(ctx, raw); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// overVerify runs a bare verify of body and ack by turns and reports the ratio of their times.
func overVerify(b *testing.B, body []byte, ack func()) {
	stamp := strconv.FormatInt(testNow.Unix(), 10)
	sig, _ := hex.DecodeString(signer.Sign(stamp, body))
	key, _ := hex.DecodeString(signer.PublicKeyHex())
	msg := append([]byte(stamp), body...)
	var acked, verified time.Duration
	for b.Loop() {
		t0 := time.Now()
		if !ed25519.Verify(key, msg, sig) {
			b.Fatal("signature does not verify")
		}
		t1 := time.Now()
		ack()
		acked, verified = acked+time.Since(t1), verified+t1.Sub(t0)
	}
	b.ReportMetric(float64(acked)/float64(verified), "ack/verify")
	b.ReportMetric(float64(acked.Nanoseconds())/float64(b.N), "ack-ns/op")
	b.ReportMetric(float64(verified.Nanoseconds())/float64(b.N), "verify-ns/op")
}

// BenchmarkAckFromJSON is the event as the runtime hands it to Invoke, bytes in and bytes
// out: BenchmarkAck plus decoding the HTTP API event and encoding the response. For
// information; the budget is on BenchmarkAck.
func BenchmarkAckFromJSON(b *testing.B) {
	for _, name := range benchFiles {
		b.Run(name, func(b *testing.B) {
			h := benchHandler(b)
			raw, _ := json.Marshal(signedRequest(b, interaction(b, name), testNow))
			ctx := context.Background()
			for b.Loop() {
				if _, err := h.Invoke(ctx, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchHandler(b *testing.B) *Handler {
	b.Helper()
	h, err := newHandler(testConfig(), deps{invoker: &fakeInvoker{}}, slog.New(slog.NewJSONHandler(discard{}, nil)),
		func() time.Time { return testNow })
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// discard is io.Discard without the fast path slog would take for it: the log line is built.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
