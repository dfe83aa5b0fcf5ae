package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// clock is a handler's clock that a sequential test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// flow drives h as Lambda would: interaction body, signed at the clock's time, through the
// acknowledgement path; then each asynchronous invocation that made, fed back as the next
// event, as Lambda would run it. It returns the acknowledgement.
func flow(t *testing.T, h *Handler, inv *fakeInvoker, c *clock, body []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	inv.mu.Lock()
	before := len(inv.calls)
	inv.mu.Unlock()
	resp, err := h.Handle(lambdaContext(), event{APIGatewayV2HTTPRequest: signedRequest(t, body, c.now())})
	if err != nil {
		t.Fatalf("acknowledge: %v", err)
	}
	inv.mu.Lock()
	calls := inv.calls[before:]
	inv.mu.Unlock()
	for _, call := range calls {
		checkInvocationOf(t, call.Payload, body, c.now())
		if _, err := h.Invoke(lambdaContext(), call.Payload); err != nil {
			t.Fatalf("work: %v", err)
		}
	}
	return resp
}

// checkInvocationOf checks that a work payload carries the interaction as received.
func checkInvocationOf(t *testing.T, payload, body []byte, received time.Time) {
	t.Helper()
	var p workPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if p.Kind != workKind || !p.ReceivedAt.Equal(received) || string(p.Interaction) != string(body) {
		t.Errorf("payload kind %q received %s; want %q, %s, and the body as received", p.Kind, p.ReceivedAt, workKind, received)
	}
}
