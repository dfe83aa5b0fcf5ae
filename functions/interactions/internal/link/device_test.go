package link

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestPoll reads each of GitHub's answers to a poll: a token, the four codes a caller
// branches on (slow_down with its new interval), another code, and an answer that is not 200.
func TestPoll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body   string
		status       int
		wantToken    string
		wantInterval time.Duration
		wantErr      error
		wantCode     string // of a *PollError
	}{
		{name: "token", body: `{"access_token": "ghu_x", "token_type": "bearer"}`, wantToken: "ghu_x"},
		{name: "pending", body: `{"error": "authorization_pending"}`, wantErr: ErrPending},
		{name: "slow down", body: `{"error": "slow_down", "interval": 15}`, wantErr: ErrSlowDown, wantInterval: 15 * time.Second},
		{name: "expired", body: `{"error": "expired_token"}`, wantErr: ErrExpired},
		{name: "denied", body: `{"error": "access_denied"}`, wantErr: ErrDenied},
		{name: "bad client", body: `{"error": "incorrect_client_credentials", "error_description": "The client_id is not valid."}`, wantCode: "incorrect_client_credentials"},
		{name: "server error", body: `{}`, status: http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tt.status != 0 {
					w.WriteHeader(tt.status)
				}
				fmt.Fprint(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			token, interval, err := DeviceFlow{ClientID: "c", WebURL: srv.URL, HTTP: srv.Client()}.Poll(t.Context(), "dev")
			var pe *PollError
			switch {
			case token != tt.wantToken || interval != tt.wantInterval:
				t.Errorf("Poll = %q, %v, %v; want %q, %v", token, interval, err, tt.wantToken, tt.wantInterval)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("error %v, want %v", err, tt.wantErr)
			case tt.wantCode != "" && (!errors.As(err, &pe) || pe.Code != tt.wantCode):
				t.Errorf("error %v, want a *PollError %s", err, tt.wantCode)
			case tt.status != 0 && (err == nil || errors.As(err, &pe)):
				t.Errorf("error %v, want the HTTP status's", err)
			case tt.wantToken != "" && err != nil:
				t.Errorf("error %v with a token", err)
			}
		})
	}
}

// TestPollStopsBeforeTheDeadline: with too little of the invocation left to wait for the next
// poll, the worker answers that the code is still pending instead of sleeping past its budget.
func TestPollStopsBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := &Service{Now: func() time.Time { return now },
		Sleep: func(context.Context, time.Duration) error { t.Error("slept past the deadline"); return nil }}
	ctx, cancel := context.WithDeadline(t.Context(), now.Add(4*time.Second))
	defer cancel()
	d := &pending{DeviceCode: "dev", Interval: 5, NextPoll: now.Add(5 * time.Second)}
	if _, err := s.poll(ctx, d); !errors.Is(err, ErrPending) {
		t.Errorf("poll = %v, want ErrPending", err)
	}
}
