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

// request is what the fake Discord saw of one request.
type request struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
	auth   string
}

// reply is a scripted answer of the fake Discord.
type reply struct {
	status  int
	body    string
	headers map[string]string
}

// fakeDiscord stands in for Discord's channel message endpoints, below /api/v10. It keeps the
// messages it holds and answers like Discord: GET returns a message or 404 10008; PATCH
// replaces the embeds and components it is sent; POST creates a message, or, for an
// enforce_nonce post whose nonce it has seen in that channel, returns the one created first.
// Scripted replies, where set, answer the requests matching their route first, in order.
type fakeDiscord struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	requests []request
	messages map[string]map[string]any // "channel/message" -> message
	byNonce  map[string]string         // "channel/nonce" -> message id
	scripts  map[string][]reply        // "GET", "PATCH" or "POST" -> replies to give first
	nextID   int
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	t.Helper()
	d := &fakeDiscord{t: t, messages: map[string]map[string]any{}, byNonce: map[string]string{}, scripts: map[string][]reply{}, nextID: 1300000000000000500}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v10/channels/{channel}/messages/{message}", d.get)
	mux.HandleFunc("PATCH /api/v10/channels/{channel}/messages/{message}", d.patch)
	mux.HandleFunc("POST /api/v10/channels/{channel}/messages", d.post)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	d.Server = httptest.NewServer(d.record(mux))
	t.Cleanup(d.Close)
	return d
}

// URL is the API base, as DISCORD_API_URL gives it.
func (d *fakeDiscord) URL() string { return d.Server.URL + "/api/v10" }

// script makes the next requests of method get replies, in order, before the usual answers.
func (d *fakeDiscord) script(method string, replies ...reply) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.scripts[method] = append(d.scripts[method], replies...)
}

// seed stores a message as GET answers it.
func (d *fakeDiscord) seed(t *testing.T, raw string) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.messages[fmt.Sprint(m["channel_id"], "/", m["id"])] = m
}

// message returns a stored message as JSON, or "" when there is none.
func (d *fakeDiscord) message(channelID, messageID string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	m, ok := d.messages[channelID+"/"+messageID]
	if !ok {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// channelMessages counts the messages created in a channel.
func (d *fakeDiscord) channelMessages(channelID string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for k, m := range d.messages {
		if strings.HasPrefix(k, channelID+"/") && m["created_here"] == true {
			n++
		}
	}
	return n
}

func (d *fakeDiscord) seen() []request {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]request(nil), d.requests...)
}

func (d *fakeDiscord) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			d.t.Errorf("read body: %v", err)
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		d.mu.Lock()
		d.requests = append(d.requests, request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api/v10"), Body: body, auth: r.Header.Get("Authorization")})
		var scripted *reply
		if s := d.scripts[r.Method]; len(s) > 0 {
			scripted, d.scripts[r.Method] = &s[0], s[1:]
		}
		d.mu.Unlock()
		if scripted != nil {
			respond(w, scripted.status, scripted.body, scripted.headers)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func respond(w http.ResponseWriter, status int, body string, headers map[string]string) {
	for k, v := range headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

const unknownMessage = `{"message": "Unknown Message", "code": 10008}`

func (d *fakeDiscord) get(w http.ResponseWriter, r *http.Request) {
	if m := d.message(r.PathValue("channel"), r.PathValue("message")); m != "" {
		respond(w, http.StatusOK, m, nil)
		return
	}
	respond(w, http.StatusNotFound, unknownMessage, nil)
}

func (d *fakeDiscord) patch(w http.ResponseWriter, r *http.Request) {
	var edit map[string]any
	if err := json.NewDecoder(r.Body).Decode(&edit); err != nil {
		d.t.Errorf("PATCH body: %v", err)
	}
	key := r.PathValue("channel") + "/" + r.PathValue("message")
	d.mu.Lock()
	m, ok := d.messages[key]
	if ok {
		for _, field := range []string{"content", "embeds", "components"} {
			if v, set := edit[field]; set {
				m[field] = v
			}
		}
	}
	d.mu.Unlock()
	if !ok {
		respond(w, http.StatusNotFound, unknownMessage, nil)
		return
	}
	respond(w, http.StatusOK, d.message(r.PathValue("channel"), r.PathValue("message")), nil)
}

func (d *fakeDiscord) post(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		d.t.Errorf("POST body: %v", err)
	}
	channel := r.PathValue("channel")
	d.mu.Lock()
	nonce, _ := m["nonce"].(string)
	id, seen := d.byNonce[channel+"/"+nonce]
	if !seen || m["enforce_nonce"] != true {
		d.nextID++
		id = fmt.Sprint(d.nextID)
		m["id"], m["channel_id"], m["created_here"] = id, channel, true
		d.messages[channel+"/"+id] = m
		if nonce != "" {
			d.byNonce[channel+"/"+nonce] = id
		}
	}
	d.mu.Unlock()
	respond(w, http.StatusOK, d.message(channel, id), nil)
}
