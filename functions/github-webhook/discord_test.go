package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeDiscord stands in for POST /channels/{channel.id}/messages. Like Discord, it honours
// enforce_nonce: a second message from the bot with a nonce it has seen gets the first message
// back and creates nothing.
//
// See https://discord.com/developers/docs/resources/message#create-message
type fakeDiscord struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	requests []discordRequest // every request, in order
	messages []discordRequest // the messages created
	byNonce  map[string]string
	// fail, when set, answers a request instead of the happy path; return 0 to carry on.
	fail func(n int, w http.ResponseWriter) int
}

// discordRequest is one message-create request as received.
type discordRequest struct {
	Channel string
	Body    []byte
	Message struct {
		Nonce        string `json:"nonce"`
		EnforceNonce bool   `json:"enforce_nonce"`
	}
}

const testBotToken = "test-bot-token"

func newFakeDiscord(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{t: t, byNonce: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /channels/{channel}/messages", f.createMessage)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeDiscord) createMessage(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("Authorization"); got != "Bot "+testBotToken {
		writeDiscordError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	if !strings.HasPrefix(r.Header.Get("User-Agent"), "DiscordBot (") {
		writeDiscordError(w, http.StatusBadRequest, 0, "User-Agent must be DiscordBot (url, version)")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeDiscordError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	req := discordRequest{Channel: r.PathValue("channel"), Body: body}
	if err := json.Unmarshal(body, &req.Message); err != nil {
		writeDiscordError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	if f.fail != nil {
		if status := f.fail(len(f.requests), w); status != 0 {
			return
		}
	}
	if id, ok := f.byNonce[req.Message.Nonce]; ok && req.Message.EnforceNonce {
		writeMessage(w, id, req)
		return
	}
	f.messages = append(f.messages, req)
	id := fmt.Sprint(1300000000000000000 + len(f.messages))
	if req.Message.Nonce != "" {
		f.byNonce[req.Message.Nonce] = id
	}
	writeMessage(w, id, req)
}

func writeMessage(w http.ResponseWriter, id string, req discordRequest) {
	var m map[string]any
	_ = json.Unmarshal(req.Body, &m)
	m["id"] = id
	m["channel_id"] = req.Channel
	m["type"] = 0
	delete(m, "allowed_mentions")
	delete(m, "enforce_nonce")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(m)
}

func writeDiscordError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
}

// Requests returns the requests received so far.
func (f *fakeDiscord) Requests() []discordRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]discordRequest(nil), f.requests...)
}

// Messages returns the messages created so far.
func (f *fakeDiscord) Messages() []discordRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]discordRequest(nil), f.messages...)
}
