// Package discordtest is a fake Discord for tests and for the local suite: the REST endpoints
// the functions call (interaction webhooks, channel messages, command registration) keep the
// messages they create and edit, as Discord does: enforce_nonce de-duplicates a channel post,
// @original follows the interaction token, an edit replaces only the fields it carries. Every
// body is checked against Discord's OpenAPI request schemas (openapitest). Tests script
// failures (429 with retry_after, 5xx, Unknown Webhook) and read back what was sent, or wait
// for it, without sleeping.
//
// The answers to interactions are not REST calls: whoever delivers an interaction tells the
// fake what the endpoint answered (Answer), and the fake applies it as Discord would.
//
// Upstream references:
//   - https://discord.com/developers/docs/interactions/receiving-and-responding
//   - https://discord.com/developers/docs/resources/message
//   - https://discord.com/developers/docs/topics/rate-limits
package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/openapitest"
)

// APIPath is the version prefix the fake serves under: DISCORD_API_URL is the root + APIPath.
const APIPath = "/api/v10"

// Kinds of Record.
const (
	KindResponse    = "interaction response"
	KindEditOrig    = "edit original"
	KindFollowup    = "follow-up"
	KindCreate      = "channel message"
	KindEdit        = "edit message"
	KindThread      = "thread"
	KindCommands    = "commands"
	KindUnsupported = "unsupported"
)

// Record is one thing Discord received that shows, or would show, in a channel.
type Record struct {
	Kind      string
	Method    string
	Path      string // below APIPath, the interaction token, where there is one, replaced by {token}
	Token     string // the interaction token, for webhook calls and interaction responses
	ChannelID string
	MessageID string
	// Response is the interaction response type, for KindResponse.
	Response discord.ResponseType
	// Message is the message as it stands after the call.
	Message discord.Message
	// Status is what the fake answered.
	Status int
	// Label says what the message answers ("/status", "button deploy:approve:..."), where known.
	Label string
	// Note says what happened in place of a message, where there is nothing to show
	// ("registered /status /cost", "PONG ...").
	Note string
}

// Request is one HTTP request as the fake received it, scripted answers and refusals included.
type Request struct {
	Method string
	Path   string // as received, APIPath included
	Query  string
	Header http.Header
	Body   []byte
	// Message is Body decoded as a message, where it is a JSON object.
	Message discord.Message
	// ChannelID and Token are taken from the path: /channels/{id}/..., /webhooks/{app}/{token}/...
	ChannelID, Token string
	// Status is what the fake answered; 0 while the request is being answered.
	Status int
}

// Options configures a Server. All fields are optional.
type Options struct {
	// AppID is the application id, also the bot user's id: messages are authored by it.
	// Webhook calls for another application get Unknown Webhook. Empty accepts any.
	AppID string
	// BotToken, when set, is the only bot token accepted; otherwise any is.
	BotToken string
	// Now stamps messages; time.Now when nil.
	Now func() time.Time
	// OnRecord is told of each record as it is kept, in order (the local suite prints them).
	OnRecord func(Record)
	// Invalid is told of a request or an interaction answer whose body breaks Discord's OpenAPI
	// request schema. The fake refuses such a request as Discord does (400, Invalid Form Body);
	// Answer returns ErrInvalidAnswer. Nil leaves bodies unchecked. NewServer reports them as
	// test errors.
	Invalid func(what string, err error)
	// AssumeDeferred takes an interaction token the fake was not told of (Answer) as answered
	// with a deferred message, created on its first webhook call: for tests that run the
	// asynchronous work of an interaction without its acknowledgement.
	AssumeDeferred bool
}

// Server is the fake Discord. Build it with NewServer in a test, or New where something else
// serves Handler.
type Server struct {
	// URL is the API base, APIPath included: what DISCORD_API_URL is set to. NewServer sets it.
	URL string

	o    Options
	spec specs

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every answered request and record
	seq        int64
	messages   map[string]*stored // by message id
	byToken    map[string]string  // interaction token -> original message id
	nonces     map[string]string  // channel + nonce -> message id
	answered   map[string]bool    // interaction ids answered
	created    []string           // ids of messages created by channel posts, oldest first
	threads    map[string]string  // thread id (the message's id) -> its name
	records    []Record
	requests   []Request
	done       int                          // requests answered
	commands   map[string][]json.RawMessage // "" or guild id -> commands
	scripts    []script
	intercepts []func(Request) (Reply, bool)
}

type stored struct {
	msg   discord.Message
	label string
}

// New returns a Server that answers through Handler; nothing listens yet.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{o: o, changed: make(chan struct{}),
		messages: map[string]*stored{}, byToken: map[string]string{}, nonces: map[string]string{},
		answered: map[string]bool{}, threads: map[string]string{}, commands: map[string][]json.RawMessage{}}
	if o.Invalid != nil {
		s.spec = loadSpecs()
	}
	return s
}

// NewServer starts a Server for the test, closed when it ends, with URL set. Requests whose
// body breaks Discord's schema fail the test unless o.Invalid says otherwise.
func NewServer(t testing.TB, o Options) *Server {
	t.Helper()
	if o.Invalid == nil {
		o.Invalid = func(what string, err error) {
			t.Errorf("discordtest: %s breaks Discord's request schema:\n%v", what, err)
		}
	}
	s := New(o)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	s.URL = srv.URL + APIPath
	return s
}

// Handler serves Discord's REST API under APIPath.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PATCH /webhooks/{app}/{token}/messages/{mid}", s.editWebhookMessage)
	mux.HandleFunc("GET /webhooks/{app}/{token}/messages/{mid}", s.getWebhookMessage)
	mux.HandleFunc("POST /webhooks/{app}/{token}", s.followup)
	mux.HandleFunc("POST /channels/{cid}/messages", s.createMessage)
	mux.HandleFunc("GET /channels/{cid}/messages/{mid}", s.getMessage)
	mux.HandleFunc("PATCH /channels/{cid}/messages/{mid}", s.editMessage)
	mux.HandleFunc("POST /channels/{cid}/messages/{mid}/threads", s.startThread)
	mux.HandleFunc("PUT /applications/{app}/commands", s.putCommands)
	mux.HandleFunc("PUT /applications/{app}/guilds/{gid}/commands", s.putCommands)
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		s.add(Record{Kind: KindUnsupported, Method: req.Method, Path: req.URL.Path, Status: http.StatusNotFound})
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	})
	api := http.StripPrefix(APIPath, mux)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil {
			writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		n, r := s.receive(req, body)
		sw := &statusWriter{ResponseWriter: w}
		defer func() { s.answer(n, sw.status) }()
		if reply, ok := s.scripted(r); ok {
			reply.write(sw)
			return
		}
		if !strings.HasPrefix(req.Header.Get("User-Agent"), "DiscordBot (") {
			writeError(sw, http.StatusBadRequest, 0, "User-Agent must be DiscordBot ($url, $versionNumber)")
			return
		}
		if err := s.spec.check(req.Method, strings.TrimPrefix(req.URL.Path, APIPath), body); err != nil {
			s.o.Invalid(req.Method+" "+req.URL.Path, err)
			writeError(sw, http.StatusBadRequest, 50035, "Invalid Form Body")
			return
		}
		api.ServeHTTP(sw, req)
	})
}

// receive keeps the request and returns its index.
func (s *Server) receive(req *http.Request, body []byte) (int, Request) {
	r := Request{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body}
	if len(body) > 0 && body[0] == '{' {
		_ = json.Unmarshal(body, &r.Message)
	}
	parts := strings.Split(strings.TrimPrefix(req.URL.Path, APIPath+"/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "channels":
		r.ChannelID = parts[1]
	case len(parts) >= 3 && parts[0] == "webhooks":
		r.Token = parts[2]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	return len(s.requests) - 1, r
}

func (s *Server) answer(n, status int) {
	if status == 0 {
		status = http.StatusOK
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[n].Status = status
	s.done++
	s.notifyLocked()
}

// notifyLocked wakes the waiters. The caller holds s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// storeLocked keeps m as a new message of the bot in channel, with a new id and the time now.
// The caller holds s.mu.
func (s *Server) storeLocked(m discord.Message, channel, label string) *stored {
	st := &stored{msg: m, label: label}
	st.msg.ID, st.msg.ChannelID, st.msg.Author = s.nextID(), channel, s.author()
	st.msg.Timestamp = s.o.Now().UTC().Format(time.RFC3339)
	s.messages[st.msg.ID] = st
	return st
}

// nextID returns a new snowflake-shaped id.
func (s *Server) nextID() string {
	s.seq++
	return strconv.FormatInt(1400000000000000000+s.seq, 10)
}

func (s *Server) author() *discord.User {
	return &discord.User{ID: s.o.AppID, Username: "ChatOps", Bot: true}
}

// Errors of Answer.
var (
	// ErrNotInteraction: the delivered body is not an interaction.
	ErrNotInteraction = errors.New("not an interaction")
	// ErrNotResponse: the answer is not an interaction response.
	ErrNotResponse = errors.New("not an interaction response")
	// ErrAlreadyAnswered: Discord takes one answer per interaction (error 40060, "Interaction
	// has already been acknowledged").
	ErrAlreadyAnswered = errors.New("interaction has already been acknowledged")
	// ErrInvalidAnswer: the answer breaks Discord's schema for interaction responses.
	ErrInvalidAnswer = errors.New("interaction response breaks Discord's schema")
)

// Answer applies what the endpoint answered to the interaction body, as Discord does: a new
// message for CHANNEL_MESSAGE_WITH_SOURCE, "thinking..." for a deferred answer, an edit of the
// button's message for UPDATE_MESSAGE. It remembers the interaction's token for the webhook
// calls that follow. An answer that breaks Discord's schema is reported to Options.Invalid
// after it is applied, so that the work racing the answer sees it as soon as it would.
func (s *Server) Answer(body, answer []byte) error {
	in, err := discord.ParseInteraction(body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotInteraction, err)
	}
	var resp discord.Response
	if err := json.Unmarshal(answer, &resp); err != nil {
		return fmt.Errorf("%w: %w", ErrNotResponse, err)
	}
	if err := s.apply(in, resp, answer); err != nil {
		return err
	}
	if err := s.spec.check(http.MethodPost, "/interactions/{id}/{token}/callback", answer); err != nil {
		s.o.Invalid("the answer to interaction "+in.ID, err)
		return fmt.Errorf("%w: %w", ErrInvalidAnswer, err)
	}
	return nil
}

// apply applies resp, the answer to in, as Discord does.
func (s *Server) apply(in discord.Interaction, resp discord.Response, answer []byte) error {
	label := labelOf(in)
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := Record{Kind: KindResponse, Token: in.Token, ChannelID: in.ChannelID, Response: resp.Type, Status: http.StatusOK, Label: label}
	if s.answered[in.ID] {
		rec.Status, rec.Note = http.StatusBadRequest, "a second answer to the interaction, which Discord refuses"
		s.addLocked(rec)
		return ErrAlreadyAnswered
	}
	s.answered[in.ID] = true
	switch resp.Type {
	case discord.ResponsePong:
		rec.Note = "PONG (the endpoint answered Discord's PING)"
	case discord.ResponseChannelMessageWithSource, discord.ResponseDeferredChannelMessageWithSource:
		var m discord.Message
		if resp.Data != nil {
			m = *resp.Data
		}
		st := s.storeLocked(m, in.ChannelID, label)
		s.byToken[in.Token] = st.msg.ID
		rec.MessageID, rec.Message = st.msg.ID, st.msg
	case discord.ResponseDeferredUpdateMessage, discord.ResponseUpdateMessage:
		if in.Message == nil || s.messages[in.Message.ID] == nil {
			rec.Note = "a button answer for a message the local Discord does not know"
			break
		}
		st := s.messages[in.Message.ID]
		s.byToken[in.Token] = st.msg.ID
		if resp.Type == discord.ResponseUpdateMessage && resp.Data != nil {
			applyEdit(&st.msg, answerData(answer))
		}
		rec.MessageID, rec.Message = st.msg.ID, st.msg
	default:
		rec.Note = fmt.Sprintf("interaction response type %d, which the local Discord does not show", resp.Type)
	}
	s.addLocked(rec)
	return nil
}

// answerData is the raw data object of an interaction response, so that an edit applies only
// the fields it carries.
func answerData(answer []byte) []byte {
	var raw struct {
		Data json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(answer, &raw)
	return raw.Data
}

// authorized checks a bot call's Authorization header and answers 401 when it is wrong.
func (s *Server) authorized(w http.ResponseWriter, req *http.Request) bool {
	token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bot ")
	if !ok || token == "" || (s.o.BotToken != "" && token != s.o.BotToken) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return false
	}
	return true
}

// originalLocked returns the message of an interaction token, creating it when the fake
// assumes deferred answers. The caller holds s.mu.
func (s *Server) originalLocked(token string) *stored {
	if st := s.messages[s.byToken[token]]; st != nil {
		return st
	}
	if !s.o.AssumeDeferred {
		return nil
	}
	st := s.storeLocked(discord.Message{}, "", "")
	s.byToken[token] = st.msg.ID
	return st
}

// webhookLocked returns the message a webhook call names, or nil. The caller holds s.mu.
func (s *Server) webhookLocked(req *http.Request) *stored {
	if s.o.AppID != "" && req.PathValue("app") != s.o.AppID {
		return nil
	}
	if id := req.PathValue("mid"); id != "@original" {
		return s.messages[id]
	}
	return s.originalLocked(req.PathValue("token"))
}

func (s *Server) editWebhookMessage(w http.ResponseWriter, req *http.Request) {
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	token := req.PathValue("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.webhookLocked(req)
	if st == nil {
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	applyEdit(&st.msg, body)
	s.addLocked(Record{Kind: KindEditOrig, Method: req.Method, Path: redact(req.URL.Path, token), Token: token,
		ChannelID: st.msg.ChannelID, MessageID: st.msg.ID, Message: st.msg, Status: http.StatusOK, Label: st.label})
	writeJSON(w, http.StatusOK, st.msg)
}

func (s *Server) getWebhookMessage(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.webhookLocked(req)
	if st == nil {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	writeJSON(w, http.StatusOK, st.msg)
}

func (s *Server) followup(w http.ResponseWriter, req *http.Request) {
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	token := req.PathValue("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	orig := s.originalLocked(token)
	if orig == nil || (s.o.AppID != "" && req.PathValue("app") != s.o.AppID) {
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	var m discord.Message
	applyEdit(&m, body)
	st := s.storeLocked(m, orig.msg.ChannelID, "follow-up to "+orig.label)
	s.addLocked(Record{Kind: KindFollowup, Method: req.Method, Path: redact(req.URL.Path, token), Token: token,
		ChannelID: st.msg.ChannelID, MessageID: st.msg.ID, Message: st.msg, Status: http.StatusOK, Label: st.label})
	writeJSON(w, http.StatusOK, st.msg)
}

func (s *Server) createMessage(w http.ResponseWriter, req *http.Request) {
	if !s.authorized(w, req) {
		return
	}
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	var m discord.Message
	applyEdit(&m, body)
	channel := req.PathValue("cid")
	s.mu.Lock()
	defer s.mu.Unlock()
	key, enforce := channel+"\x00"+m.Nonce, m.EnforceNonce && m.Nonce != ""
	if id, ok := s.nonces[key]; ok && enforce {
		// Discord answers a repeated nonce with the message created first.
		writeJSON(w, http.StatusOK, s.messages[id].msg)
		return
	}
	m.EnforceNonce = false
	st := s.storeLocked(m, channel, "bot message")
	if enforce {
		s.nonces[key] = st.msg.ID
	}
	s.created = append(s.created, st.msg.ID)
	s.addLocked(Record{Kind: KindCreate, Method: req.Method, Path: req.URL.Path, ChannelID: channel,
		MessageID: st.msg.ID, Message: st.msg, Status: http.StatusOK})
	writeJSON(w, http.StatusOK, st.msg)
}

func (s *Server) getMessage(w http.ResponseWriter, req *http.Request) {
	if !s.authorized(w, req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.messages[req.PathValue("mid")]
	if st == nil || st.msg.ChannelID != req.PathValue("cid") {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	writeJSON(w, http.StatusOK, st.msg)
}

func (s *Server) editMessage(w http.ResponseWriter, req *http.Request) {
	if !s.authorized(w, req) {
		return
	}
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.messages[req.PathValue("mid")]
	if st == nil || st.msg.ChannelID != req.PathValue("cid") {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	applyEdit(&st.msg, body)
	s.addLocked(Record{Kind: KindEdit, Method: req.Method, Path: req.URL.Path, ChannelID: st.msg.ChannelID,
		MessageID: st.msg.ID, Message: st.msg, Status: http.StatusOK, Label: st.label})
	writeJSON(w, http.StatusOK, st.msg)
}

// startThread starts a thread on a message, as Discord does: the thread has the message's id,
// and a message has one thread at most (error 160004).
func (s *Server) startThread(w http.ResponseWriter, req *http.Request) {
	if !s.authorized(w, req) {
		return
	}
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Name == "" || len([]rune(in.Name)) > 100 {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.messages[req.PathValue("mid")]
	if st == nil || st.msg.ChannelID != req.PathValue("cid") {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	if _, ok := s.threads[st.msg.ID]; ok {
		writeError(w, http.StatusBadRequest, 160004, "A thread has already been created for this message")
		return
	}
	s.threads[st.msg.ID] = in.Name
	s.addLocked(Record{Kind: KindThread, Method: req.Method, Path: req.URL.Path, ChannelID: st.msg.ChannelID,
		MessageID: st.msg.ID, Status: http.StatusCreated, Note: "thread " + in.Name})
	writeJSON(w, http.StatusCreated, map[string]any{"id": st.msg.ID, "name": in.Name, "type": 11, "parent_id": st.msg.ChannelID})
}

// Threads returns the threads started so far: message (and thread) id -> name.
func (s *Server) Threads() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.threads))
	for id, name := range s.threads {
		out[id] = name
	}
	return out
}

func (s *Server) putCommands(w http.ResponseWriter, req *http.Request) {
	if !s.authorized(w, req) {
		return
	}
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	kept := make([]json.RawMessage, 0, len(cmds))
	for _, c := range cmds {
		c["id"], c["application_id"] = s.nextID(), req.PathValue("app")
		b, _ := json.Marshal(c)
		kept = append(kept, b)
		names = append(names, fmt.Sprint("/", c["name"]))
	}
	s.commands[req.PathValue("gid")] = kept
	s.addLocked(Record{Kind: KindCommands, Method: req.Method, Path: req.URL.Path, Status: http.StatusOK,
		Note: "registered " + strings.Join(names, " ")})
	writeJSON(w, http.StatusOK, kept)
}

func (s *Server) add(rec Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(rec)
}

// addLocked keeps rec and tells OnRecord. The caller holds s.mu.
func (s *Server) addLocked(rec Record) {
	s.records = append(s.records, rec)
	if s.o.OnRecord != nil {
		s.o.OnRecord(rec)
	}
	s.notifyLocked()
}

// Seed stores m as Discord would return it (its id, channel and author as given; a new id
// when it has none), for a test that starts from a message posted before. It returns the id.
func (s *Server) Seed(m discord.Message) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.ID == "" {
		m.ID = s.nextID()
	}
	s.messages[m.ID] = &stored{msg: m}
	return m.ID
}

// Update changes a stored message in place, as another client of Discord would (a test's
// stand-in for another function). It reports whether the message exists.
func (s *Server) Update(id string, change func(*discord.Message)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.messages[id]
	if st == nil {
		return false
	}
	change(&st.msg)
	return true
}

// Records returns what the fake kept so far, oldest first.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.records...)
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Created returns the messages channel posts created in channelID (all channels when empty),
// oldest first, as they stand now. A post whose nonce repeated created nothing.
func (s *Server) Created(channelID string) []discord.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []discord.Message
	for _, id := range s.created {
		if m := s.messages[id].msg; channelID == "" || m.ChannelID == channelID {
			out = append(out, m)
		}
	}
	return out
}

// Original returns the message an interaction's answer created or edits, as it stands now.
func (s *Server) Original(token string) (discord.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.messages[s.byToken[token]]
	if st == nil {
		return discord.Message{}, false
	}
	return st.msg, true
}

// Message returns a message as it stands now.
func (s *Server) Message(id string) (discord.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.messages[id]
	if st == nil {
		return discord.Message{}, false
	}
	return st.msg, true
}

// Commands returns the commands registered globally (guild "") or in a guild.
func (s *Server) Commands(guild string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.commands[guild]...)
}

// WaitRequests blocks until n requests have been answered, and returns them all; it returns
// ctx's error if ctx ends first. Give it the test's context (t.Context()).
func (s *Server) WaitRequests(ctx context.Context, n int) ([]Request, error) {
	err := s.wait(ctx, n, "requests answered", func() int { return s.done })
	return s.Requests(), err
}

// WaitRecords blocks until n records have been kept, and returns them all; it returns ctx's
// error if ctx ends first.
func (s *Server) WaitRecords(ctx context.Context, n int) ([]Record, error) {
	err := s.wait(ctx, n, "records kept", func() int { return len(s.records) })
	return s.Records(), err
}

// wait blocks until count, read under s.mu, reaches n, or ctx ends.
func (s *Server) wait(ctx context.Context, n int, what string, count func() int) error {
	for {
		s.mu.Lock()
		got, changed := count(), s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d %s, %d so far: %w", n, what, got, ctx.Err())
		}
	}
}

// labelOf names what an interaction asked for.
func labelOf(in discord.Interaction) string {
	switch {
	case in.Command != nil:
		return "/" + in.Command.Name
	case in.Component != nil:
		return "button " + in.Component.CustomID
	}
	return ""
}

// applyEdit sets the fields body carries on m and leaves the others: PATCH semantics, where
// an empty list clears and an absent one keeps. Fields are replaced whole, never merged.
func applyEdit(m *discord.Message, body []byte) {
	var present map[string]json.RawMessage
	var upd discord.Message
	if json.Unmarshal(body, &present) != nil || json.Unmarshal(body, &upd) != nil {
		return
	}
	for k := range present {
		switch k {
		case "content":
			m.Content = upd.Content
		case "embeds":
			m.Embeds = upd.Embeds
		case "components":
			m.Components = upd.Components
		case "flags":
			m.Flags = upd.Flags
		case "allowed_mentions":
			m.AllowedMentions = upd.AllowedMentions
		case "nonce":
			m.Nonce = upd.Nonce
		case "enforce_nonce":
			m.EnforceNonce = upd.EnforceNonce
		case "message_reference":
			m.Reference = upd.Reference
		}
	}
}

// redact replaces an interaction token in a path, for printing.
func redact(path, token string) string {
	if token == "" {
		return path
	}
	return strings.Replace(path, token, "{token}", 1)
}

func readJSON(w http.ResponseWriter, req *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(req.Body)
	if err != nil || (len(body) > 0 && !json.Valid(body)) {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers as Discord does: {"message", "code"}.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"message": message, "code": code})
}

// specs are the OpenAPI extracts requests are checked against; the zero value checks nothing.
type specs struct {
	create, edit, webhooks, commands *openapitest.Spec
}

func loadSpecs() specs {
	var s specs
	for _, x := range []struct {
		spec **openapitest.Spec
		file string
	}{{&s.create, "message-create.json"}, {&s.edit, "discord-requests.json"},
		{&s.webhooks, "interaction-callback.json"}, {&s.commands, "application-commands.json"}} {
		spec, err := openapitest.Extract(x.file)
		if err != nil {
			panic("discordtest: the embedded extract " + x.file + " does not load: " + err.Error())
		}
		*x.spec = spec
	}
	return s
}

// check checks body against the request schema of the operation method and path (below
// APIPath) name. Paths the fake does not serve, and GETs, are not checked.
func (s specs) check(method, path string, body []byte) error {
	if s.create == nil || method == http.MethodGet {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	spec, op := (*openapitest.Spec)(nil), ""
	switch {
	case method == http.MethodPost && len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages":
		spec, op = s.create, "POST /channels/{channel_id}/messages"
	case method == http.MethodPatch && len(parts) == 4 && parts[0] == "channels":
		spec, op = s.edit, "message-edit"
	case method == http.MethodPatch && len(parts) == 5 && parts[0] == "webhooks" && parts[4] == "@original":
		spec, op = s.webhooks, "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original"
	case method == http.MethodPatch && len(parts) == 5 && parts[0] == "webhooks":
		spec, op = s.webhooks, "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
	case method == http.MethodPost && len(parts) == 3 && parts[0] == "webhooks":
		spec, op = s.webhooks, "POST /webhooks/{webhook_id}/{webhook_token}"
	case method == http.MethodPost && len(parts) == 4 && parts[0] == "interactions":
		spec, op = s.webhooks, "POST /interactions/{interaction_id}/{interaction_token}/callback"
	case method == http.MethodPut && len(parts) == 3 && parts[0] == "applications":
		spec, op = s.commands, "PUT /applications/{application_id}/commands"
	case method == http.MethodPut && len(parts) == 5 && parts[0] == "applications":
		spec, op = s.commands, "PUT /applications/{application_id}/guilds/{guild_id}/commands"
	default:
		return nil
	}
	return spec.CheckOperation(op, body)
}
