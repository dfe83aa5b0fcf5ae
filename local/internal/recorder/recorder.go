// Package recorder is a local Discord for the suite: the REST endpoints the functions call
// (interaction webhooks, channel messages, command registration) keep the messages they create
// and edit, print each change readably, and keep a record for tests. The answers to
// interactions are not REST calls: the local gateway tells the recorder what the endpoint
// answered (ObserveInteraction), and the recorder shows it as Discord would.
//
// Upstream references:
//   - https://discord.com/developers/docs/interactions/receiving-and-responding
//   - https://discord.com/developers/docs/resources/message
package recorder

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
)

// APIPath is the version prefix the recorder serves under: DISCORD_API_URL is URL + APIPath.
const APIPath = "/api/v10"

// Kinds of Record.
const (
	KindResponse    = "interaction response"
	KindEditOrig    = "edit original"
	KindFollowup    = "follow-up"
	KindCreate      = "channel message"
	KindEdit        = "edit message"
	KindCommands    = "commands"
	KindUnsupported = "unsupported"
)

// Record is one thing Discord received that shows, or would show, in a channel.
type Record struct {
	Kind      string
	Method    string
	Path      string // the interaction token, where there is one, replaced by {token}
	Token     string // the interaction token, for webhook calls and interaction responses
	ChannelID string
	MessageID string
	// Response is the interaction response type, for KindResponse.
	Response discord.ResponseType
	// Message is the message as it stands after the call.
	Message discord.Message
	// Status is what the recorder answered.
	Status int
	// Label says what the message answers ("/status", "button deploy:approve:..."), where known.
	Label string
}

// Recorder is the local Discord.
type Recorder struct {
	// AppID is the application id, also the bot user's id: messages are authored by it.
	AppID string
	// BotToken, when set, is the only bot token accepted; otherwise any is.
	BotToken string
	// Out receives each change, printed readably; nil prints nothing.
	Out io.Writer
	// Now stamps messages.
	Now func() time.Time

	mu       sync.Mutex
	seq      int64
	messages map[string]*stored // by message id
	byToken  map[string]string  // interaction token -> original message id
	nonces   map[string]string  // channel + nonce -> message id
	records  []Record
	commands map[string][]json.RawMessage // "" or guild id -> commands
}

type stored struct {
	msg      discord.Message
	thinking bool // a deferred response not edited yet
	label    string
}

// New returns a Recorder for the application appID.
func New(appID, botToken string, out io.Writer) *Recorder {
	return &Recorder{AppID: appID, BotToken: botToken, Out: out, Now: time.Now,
		messages: map[string]*stored{}, byToken: map[string]string{}, nonces: map[string]string{},
		commands: map[string][]json.RawMessage{}}
}

// Handler serves Discord's REST API under APIPath.
func (r *Recorder) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PATCH /webhooks/{app}/{token}/messages/{mid}", r.editWebhookMessage)
	mux.HandleFunc("GET /webhooks/{app}/{token}/messages/{mid}", r.getWebhookMessage)
	mux.HandleFunc("POST /webhooks/{app}/{token}", r.followup)
	mux.HandleFunc("POST /channels/{cid}/messages", r.createMessage)
	mux.HandleFunc("GET /channels/{cid}/messages/{mid}", r.getMessage)
	mux.HandleFunc("PATCH /channels/{cid}/messages/{mid}", r.editMessage)
	mux.HandleFunc("PUT /applications/{app}/commands", r.putCommands)
	mux.HandleFunc("PUT /applications/{app}/guilds/{gid}/commands", r.putCommands)
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		r.add(Record{Kind: KindUnsupported, Method: req.Method, Path: req.URL.Path, Status: http.StatusNotFound})
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	})
	return http.StripPrefix(APIPath, mux)
}

// storeLocked keeps m as a new message of the bot in channel, with a new id and the time now.
// The caller holds r.mu.
func (r *Recorder) storeLocked(m discord.Message, channel, label string) *stored {
	s := &stored{msg: m, label: label}
	s.msg.ID, s.msg.ChannelID, s.msg.Author = r.nextID(), channel, r.author()
	s.msg.Timestamp = r.Now().UTC().Format(time.RFC3339)
	r.messages[s.msg.ID] = s
	return s
}

// nextID returns a new snowflake-shaped id.
func (r *Recorder) nextID() string {
	r.seq++
	return strconv.FormatInt(1400000000000000000+r.seq, 10)
}

// ObserveInteraction shows what the endpoint answered to an interaction: a new message for
// CHANNEL_MESSAGE_WITH_SOURCE, "thinking..." for a deferred answer, an edit of the button's
// message for UPDATE_MESSAGE. It remembers the interaction's token for the webhook calls that
// follow.
func (r *Recorder) ObserveInteraction(body []byte, status int, answer []byte) {
	in, err := discord.ParseInteraction(body)
	if err != nil || status != http.StatusOK {
		r.print(fmt.Sprintf("── the endpoint refused a request: HTTP %d %s\n", status, strings.TrimSpace(string(answer))))
		return
	}
	var resp discord.Response
	if err := json.Unmarshal(answer, &resp); err != nil {
		r.print(fmt.Sprintf("── the endpoint answered something that is not an interaction response: %s\n", answer))
		return
	}
	label := labelOf(in)
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := Record{Kind: KindResponse, Token: in.Token, ChannelID: in.ChannelID, Response: resp.Type, Status: status, Label: label}
	switch resp.Type {
	case discord.ResponsePong:
		r.addLocked(rec, "PONG (the endpoint answered Discord's PING)")
		return
	case discord.ResponseChannelMessageWithSource, discord.ResponseDeferredChannelMessageWithSource:
		var m discord.Message
		if resp.Data != nil {
			m = *resp.Data
		}
		s := r.storeLocked(m, in.ChannelID, label)
		s.thinking = resp.Type == discord.ResponseDeferredChannelMessageWithSource
		r.byToken[in.Token] = s.msg.ID
		rec.MessageID, rec.Message = s.msg.ID, s.msg
		r.addLocked(rec, "")
	case discord.ResponseDeferredUpdateMessage, discord.ResponseUpdateMessage:
		if in.Message == nil || r.messages[in.Message.ID] == nil {
			r.addLocked(rec, "a button answer for a message the local Discord does not know")
			return
		}
		s := r.messages[in.Message.ID]
		r.byToken[in.Token] = s.msg.ID
		if resp.Type == discord.ResponseUpdateMessage && resp.Data != nil {
			applyEdit(&s.msg, answerData(answer))
			s.thinking = false
		}
		rec.MessageID, rec.Message = s.msg.ID, s.msg
		r.addLocked(rec, "")
	default:
		r.addLocked(rec, fmt.Sprintf("interaction response type %d, which the local Discord does not show", resp.Type))
	}
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

func (r *Recorder) author() *discord.User {
	return &discord.User{ID: r.AppID, Username: "ChatOps", Bot: true}
}

// authorized checks a bot call's Authorization header and answers 401 when it is wrong.
func (r *Recorder) authorized(w http.ResponseWriter, req *http.Request) bool {
	token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bot ")
	if !ok || token == "" || (r.BotToken != "" && token != r.BotToken) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return false
	}
	return true
}

func (r *Recorder) editWebhookMessage(w http.ResponseWriter, req *http.Request) {
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	token := req.PathValue("token")
	r.mu.Lock()
	defer r.mu.Unlock()
	id := req.PathValue("mid")
	if id == "@original" {
		id = r.byToken[token]
	}
	s := r.messages[id]
	if s == nil || req.PathValue("app") != r.AppID {
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	applyEdit(&s.msg, body)
	s.thinking = false
	r.addLocked(Record{Kind: KindEditOrig, Method: req.Method, Path: redact(req.URL.Path, token), Token: token,
		ChannelID: s.msg.ChannelID, MessageID: s.msg.ID, Message: s.msg, Status: http.StatusOK, Label: s.label}, "")
	writeJSON(w, http.StatusOK, s.msg)
}

func (r *Recorder) getWebhookMessage(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := req.PathValue("mid")
	if id == "@original" {
		id = r.byToken[req.PathValue("token")]
	}
	s := r.messages[id]
	if s == nil {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	writeJSON(w, http.StatusOK, s.msg)
}

func (r *Recorder) followup(w http.ResponseWriter, req *http.Request) {
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	token := req.PathValue("token")
	r.mu.Lock()
	defer r.mu.Unlock()
	orig := r.messages[r.byToken[token]]
	if orig == nil || req.PathValue("app") != r.AppID {
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	var m discord.Message
	applyEdit(&m, body)
	s := r.storeLocked(m, orig.msg.ChannelID, "follow-up to "+orig.label)
	r.addLocked(Record{Kind: KindFollowup, Method: req.Method, Path: redact(req.URL.Path, token), Token: token,
		ChannelID: s.msg.ChannelID, MessageID: s.msg.ID, Message: s.msg, Status: http.StatusOK, Label: s.label}, "")
	writeJSON(w, http.StatusOK, s.msg)
}

func (r *Recorder) createMessage(w http.ResponseWriter, req *http.Request) {
	if !r.authorized(w, req) {
		return
	}
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	var m discord.Message
	applyEdit(&m, body)
	channel := req.PathValue("cid")
	r.mu.Lock()
	defer r.mu.Unlock()
	key, enforce := channel+"\x00"+m.Nonce, m.EnforceNonce && m.Nonce != ""
	if id, ok := r.nonces[key]; ok && enforce {
		// Discord answers a repeated nonce with the message created first.
		writeJSON(w, http.StatusOK, r.messages[id].msg)
		return
	}
	m.EnforceNonce = false
	s := r.storeLocked(m, channel, "bot message")
	if enforce {
		r.nonces[key] = s.msg.ID
	}
	r.addLocked(Record{Kind: KindCreate, Method: req.Method, Path: req.URL.Path, ChannelID: channel,
		MessageID: s.msg.ID, Message: s.msg, Status: http.StatusOK}, "")
	writeJSON(w, http.StatusOK, s.msg)
}

func (r *Recorder) getMessage(w http.ResponseWriter, req *http.Request) {
	if !r.authorized(w, req) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.messages[req.PathValue("mid")]
	if s == nil || s.msg.ChannelID != req.PathValue("cid") {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	writeJSON(w, http.StatusOK, s.msg)
}

func (r *Recorder) editMessage(w http.ResponseWriter, req *http.Request) {
	if !r.authorized(w, req) {
		return
	}
	body, ok := readJSON(w, req)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.messages[req.PathValue("mid")]
	if s == nil || s.msg.ChannelID != req.PathValue("cid") {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	applyEdit(&s.msg, body)
	s.thinking = false
	r.addLocked(Record{Kind: KindEdit, Method: req.Method, Path: req.URL.Path, ChannelID: s.msg.ChannelID,
		MessageID: s.msg.ID, Message: s.msg, Status: http.StatusOK, Label: s.label}, "")
	writeJSON(w, http.StatusOK, s.msg)
}

func (r *Recorder) putCommands(w http.ResponseWriter, req *http.Request) {
	if !r.authorized(w, req) {
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
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	stored := make([]json.RawMessage, 0, len(cmds))
	for _, c := range cmds {
		c["id"], c["application_id"] = r.nextID(), r.AppID
		b, _ := json.Marshal(c)
		stored = append(stored, b)
		names = append(names, fmt.Sprint("/", c["name"]))
	}
	r.commands[req.PathValue("gid")] = stored
	r.addLocked(Record{Kind: KindCommands, Method: req.Method, Path: req.URL.Path, Status: http.StatusOK},
		"registered "+strings.Join(names, " "))
	writeJSON(w, http.StatusOK, stored)
}

// Records returns what the recorder received so far, oldest first.
func (r *Recorder) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.records...)
}

// Original returns the message an interaction's answer created or edits, as it stands now.
func (r *Recorder) Original(token string) (discord.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.messages[r.byToken[token]]
	if s == nil {
		return discord.Message{}, false
	}
	return s.msg, true
}

// Message returns a message as it stands now.
func (r *Recorder) Message(id string) (discord.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.messages[id]
	if s == nil {
		return discord.Message{}, false
	}
	return s.msg, true
}

// Commands returns the commands registered globally (guild "") or in a guild.
func (r *Recorder) Commands(guild string) []json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]json.RawMessage(nil), r.commands[guild]...)
}

func (r *Recorder) add(rec Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(rec, "")
}

// addLocked keeps rec and prints it, with note in place of a message when there is one.
func (r *Recorder) addLocked(rec Record, note string) {
	r.records = append(r.records, rec)
	if r.Out == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "── Discord %s", heading(rec))
	if note != "" {
		fmt.Fprintf(&b, ": %s\n", note)
	} else {
		b.WriteString("\n")
		thinking := rec.Kind == KindResponse && rec.Response == discord.ResponseDeferredChannelMessageWithSource
		b.WriteString(Render(rec.Message, thinking))
	}
	fmt.Fprint(r.Out, b.String())
}

func (r *Recorder) print(s string) {
	if r.Out == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprint(r.Out, s)
}

func heading(rec Record) string {
	where := ""
	if rec.ChannelID != "" {
		where = " in #" + rec.ChannelID
	}
	about := ""
	if rec.Label != "" {
		about = " (" + rec.Label + ")"
	}
	switch rec.Kind {
	case KindResponse:
		switch rec.Response {
		case discord.ResponseChannelMessageWithSource:
			return "reply" + where + about
		case discord.ResponseDeferredChannelMessageWithSource:
			return "deferred reply" + where + about
		case discord.ResponseUpdateMessage:
			return "message updated by the button's answer" + where + about
		case discord.ResponseDeferredUpdateMessage:
			return "button acknowledged, message unchanged for now" + where + about
		}
		return "interaction answer" + about
	case KindEditOrig:
		return "reply edited" + where + about + " [PATCH …/messages/@original]"
	case KindFollowup:
		return "follow-up" + where + about
	case KindCreate:
		return "new bot message" + where + " [POST " + rec.Path + "]"
	case KindEdit:
		return "bot message " + rec.MessageID + " edited" + where + about + " [PATCH " + rec.Path + "]"
	case KindCommands:
		return "slash commands [PUT " + rec.Path + "]"
	}
	return "got an unsupported call " + rec.Method + " " + rec.Path
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
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
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
