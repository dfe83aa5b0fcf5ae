package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Reply is an answer a test scripts in place of the fake's own.
type Reply struct {
	Status int
	Header map[string]string
	Body   string
}

func (r Reply) write(w http.ResponseWriter) {
	for k, v := range r.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(r.Status)
	_, _ = io.WriteString(w, r.Body)
}

// Error is Discord's JSON error: status, its code (10008 Unknown Message, 50001 Missing
// Access...) and message.
//
// See https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
func Error(status, code int, message string) Reply {
	b, _ := json.Marshal(map[string]any{"message": message, "code": code})
	return Reply{Status: status, Body: string(b)}
}

// ServerError is a 5xx as Discord's API answers it, code 0.
func ServerError(status int) Reply {
	return Error(status, 0, fmt.Sprintf("%d: %s", status, http.StatusText(status)))
}

// UnknownWebhook is Discord's answer to an interaction webhook call whose token it does not
// know (yet: an edit that overtakes the deferred answer gets it too).
func UnknownWebhook() Reply { return Error(http.StatusNotFound, 10015, "Unknown Webhook") }

// RateLimited is a 429 asking to wait retryAfter, on the route or, when global, on every
// route: the Retry-After and X-RateLimit-* headers and the JSON body with retry_after and
// global, as Discord sends them.
//
// See https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit
func RateLimited(retryAfter time.Duration, global bool) Reply {
	seconds := strconv.FormatFloat(retryAfter.Seconds(), 'f', -1, 64)
	scope := "user"
	h := map[string]string{"Retry-After": seconds, "X-RateLimit-Scope": scope}
	if global {
		h["X-RateLimit-Global"], h["X-RateLimit-Scope"] = "true", "global"
	}
	return Reply{Status: http.StatusTooManyRequests, Header: h,
		Body: `{"message": "You are being rate limited.", "retry_after": ` + seconds + `, "global": ` + strconv.FormatBool(global) + `}`}
}

// script is replies queued for the requests of one method.
type script struct {
	method  string // "" for any
	replies []Reply
}

// Script makes the next requests of method ("" for any) get replies, one each, in order,
// before the fake answers them itself again. Scripts of one method queue up.
func (s *Server) Script(method string, replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts = append(s.scripts, script{method: method, replies: replies})
}

// Intercept has f look at every request from now on, before the scripts: where it returns
// true, its Reply is the answer. f runs on the request's goroutine and may block, for example
// until the test lets the answer go; the request is already in Requests while it does.
func (s *Server) Intercept(f func(Request) (Reply, bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intercepts = append(s.intercepts, f)
}

// scripted returns the scripted answer to r, if there is one.
func (s *Server) scripted(r Request) (Reply, bool) {
	s.mu.Lock()
	intercepts := append([]func(Request) (Reply, bool)(nil), s.intercepts...)
	s.mu.Unlock()
	for _, f := range intercepts {
		if reply, ok := f(r); ok {
			return reply, true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.scripts {
		sc := &s.scripts[i]
		if len(sc.replies) == 0 || (sc.method != "" && sc.method != r.Method) {
			continue
		}
		reply := sc.replies[0]
		sc.replies = sc.replies[1:]
		return reply, true
	}
	return Reply{}, false
}
