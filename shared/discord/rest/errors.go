package rest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Error is a non-2xx answer from Discord, other than a 429 the client gave up waiting for.
// Its text is safe to log: Path carries "{token}" in place of an interaction token.
//
// See https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
type Error struct {
	Status  int    // HTTP status
	Code    int    // Discord's JSON error code (10008 Unknown Message, 50035 Invalid Form Body...); 0 if none
	Message string // Discord's message, or the status text when the body has none
	Method  string
	Path    string
	// Fields lists, for Invalid Form Body, what Discord found wrong with each field, as
	// "embeds.0.description: Must be 4096 or fewer in length.", sorted.
	Fields []string
}

// Error describes the failure in one line.
func (e *Error) Error() string {
	s := fmt.Sprintf("discord %s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d)", e.Code)
	}
	if len(e.Fields) > 0 {
		s += ": " + strings.Join(e.Fields, "; ")
	}
	return s
}

// RateLimitError is a 429, or a rate limit known in advance, that the client did not wait out:
// the wait exceeded what was left of Options.MaxWait, or the retries ran out.
//
// See https://discord.com/developers/docs/topics/rate-limits
type RateLimitError struct {
	RetryAfter time.Duration // how long Discord asked to wait
	Global     bool          // the limit covers every route, not only this one
	Method     string
	Path       string
}

// Error describes the limit in one line.
func (e *RateLimitError) Error() string {
	scope := "route"
	if e.Global {
		scope = "global"
	}
	return fmt.Sprintf("discord %s %s: rate limited (%s), retry after %s", e.Method, e.Path, scope, e.RetryAfter)
}

// apiError reads Discord's error body, {"code":..., "message":..., "errors":{...}}, into an
// *Error. A body that is not Discord's (a proxy's HTML page) leaves Code 0.
func apiError(r route, resp *http.Response) *Error {
	e := &Error{Status: resp.StatusCode, Method: r.method, Path: r.shown}
	var b struct {
		Code    int             `json:"code"`
		Message string          `json:"message"`
		Errors  json.RawMessage `json:"errors"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&b) == nil {
		e.Code, e.Message = b.Code, b.Message
		e.Fields = fieldErrors(b.Errors, "")
		slices.Sort(e.Fields)
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// fieldErrors flattens Discord's nested error object: each "_errors" list belongs to the
// field named by the keys leading to it.
func fieldErrors(raw json.RawMessage, path string) []string {
	var node map[string]json.RawMessage
	if json.Unmarshal(raw, &node) != nil {
		return nil
	}
	var out []string
	for key, child := range node {
		if key != "_errors" {
			out = append(out, fieldErrors(child, strings.TrimPrefix(path+"."+key, "."))...)
			continue
		}
		var list []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(child, &list) != nil {
			continue
		}
		for _, e := range list {
			out = append(out, fmt.Sprintf("%s: %s", cmp.Or(path, "body"), e.Message))
		}
	}
	return out
}
