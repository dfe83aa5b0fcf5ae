package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/openapitest"
	"github.com/discord-chatops/chatops/shared/discord/rest"
)

const (
	botToken = "MTI5MDAwMDAwMDAwMDAwMDAwMQ.GhXyZa.bot-token-secret"
	appID    = "1290000000000000001"
	// interactionToken is shaped like Discord's: long, base64url.
	interactionToken = "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMjpzZWNyZXQtdG9rZW4tZ3VpbGQ"
	channelID        = "1100000000000000002"
)

// clock is the fake time of a test client: Sleep records each wait and moves Now on by it.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func (c *clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// setup starts a fake Discord and returns a client aimed at it, the mux each test registers
// its handlers on (paths as Discord documents them, below the /api/v10 base), and the
// client's clock. opts, where not nil, adjust the client's Options.
func setup(t *testing.T, opts ...func(*rest.Options)) (*rest.Client, *http.ServeMux, *clock) {
	t.Helper()
	api := http.NewServeMux()
	root := http.NewServeMux()
	root.Handle("/api/v10/", http.StripPrefix("/api/v10", api))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the API base: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)
	clk := &clock{now: time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)}
	o := rest.Options{
		BaseURL:  srv.URL + "/api/v10/",
		BotToken: botToken,
		Sleep:    clk.Sleep,
		Now:      clk.Now,
	}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return rest.New(o), api, clk
}

// request is what the fake Discord saw of one request.
type request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// record registers handler for pattern behind a recorder and returns the recorded requests.
func record(t *testing.T, mux *http.ServeMux, pattern string, handler http.HandlerFunc) func() []request {
	t.Helper()
	var mu sync.Mutex
	var seen []request
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		mu.Lock()
		seen = append(seen, request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		mu.Unlock()
		handler(w, r)
	})
	return func() []request {
		mu.Lock()
		defer mu.Unlock()
		return append([]request(nil), seen...)
	}
}

// respond writes a JSON answer with extra headers given as name, value pairs.
func respond(w http.ResponseWriter, status int, body string, headers ...string) {
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// sequence answers the n-th request with the n-th handler, and the last one after that.
func sequence(handlers ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(handlers)-1)
		handlers[i](w, r)
	}
}

func answer(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { respond(w, status, body, headers...) }
}

func loadSpec(t *testing.T, file string) *openapitest.Spec {
	t.Helper()
	spec, err := openapitest.Extract(file)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// checkRequest checks what every request must carry, and the bot token exactly where due.
func checkRequest(t *testing.T, r request, method string, wantBot bool) {
	t.Helper()
	if r.Method != method {
		t.Errorf("method = %s, want %s", r.Method, method)
	}
	if got := r.Header.Get("User-Agent"); got != rest.UserAgent {
		t.Errorf("User-Agent = %q, want %q", got, rest.UserAgent)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	auth, present := r.Header["Authorization"]
	switch {
	case wantBot && (len(auth) != 1 || auth[0] != "Bot "+botToken):
		t.Errorf("Authorization = %q, want the bot token", auth)
	case !wantBot && present:
		t.Errorf("Authorization sent on an interaction-token route: %q", auth)
	}
}

// checkJSON compares a body with the JSON want, ignoring formatting.
func checkJSON(t *testing.T, body []byte, want string) {
	t.Helper()
	var got, w any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want: %v", err)
	}
	if diff := cmp.Diff(w, got); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

const messageResponse = `{"id":"1300000000000000200","channel_id":"1100000000000000002","content":"done","author":{"id":"1290000000000000001","username":"ChatOps","bot":true},"timestamp":"2025-11-20T09:00:01.000000+00:00","embeds":[],"components":[],"flags":0,"type":20}`

// wantMessage is messageResponse decoded.
func wantMessage() discord.Message {
	return discord.Message{
		ID:         "1300000000000000200",
		ChannelID:  channelID,
		Content:    "done",
		Author:     &discord.User{ID: appID, Username: "ChatOps", Bot: true},
		Timestamp:  "2025-11-20T09:00:01.000000+00:00",
		Embeds:     []discord.Embed{},
		Components: []discord.Component{},
	}
}

// card is a message of the kind the suite sends, with fields a request must not carry
// (id, author, timestamp: from a message read back) to show they are dropped.
func card() discord.Message {
	return discord.Message{
		ID:        "1300000000000000100",
		Author:    &discord.User{ID: appID},
		Timestamp: "2025-11-20T09:00:00Z",
		Content:   "Deploy `main` to prod? Requested by @everyone",
		Embeds: []discord.Embed{{
			Title:  "Deploy request",
			Color:  discord.ColorYellow,
			Fields: []discord.EmbedField{{Name: "Ref", Value: "main", Inline: true}},
			Footer: &discord.EmbedFooter{Text: "correlation 7f3c2a"},
		}},
		Components: []discord.Component{discord.ActionRow(
			discord.Button(discord.ButtonSuccess, "Approve", "deploy:approve:7f3c2a"),
			discord.Button(discord.ButtonDanger, "Cancel", "deploy:cancel:7f3c2a"),
		)},
	}
}

const cardJSON = `{
	"content": "Deploy ` + "`main`" + ` to prod? Requested by @everyone",
	"embeds": [{"title":"Deploy request","color":15844367,"fields":[{"name":"Ref","value":"main","inline":true}],"footer":{"text":"correlation 7f3c2a"}}],
	"components": [{"type":1,"components":[
		{"type":2,"style":3,"label":"Approve","custom_id":"deploy:approve:7f3c2a"},
		{"type":2,"style":4,"label":"Cancel","custom_id":"deploy:cancel:7f3c2a"}]}],
	"allowed_mentions": {"parse":[]}`

func TestEditOriginal(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seen := record(t, mux, "PATCH /webhooks/{app}/{token}/messages/@original", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("app") != appID || r.PathValue("token") != interactionToken {
			t.Errorf("path %s", r.URL.Path)
		}
		respond(w, http.StatusOK, messageResponse)
	})
	got, err := client.EditOriginal(context.Background(), appID, interactionToken, card())
	if err != nil {
		t.Fatalf("EditOriginal: %v", err)
	}
	if diff := cmp.Diff(wantMessage(), got); diff != "" {
		t.Errorf("EditOriginal returned (-want +got):\n%s", diff)
	}
	reqs := seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	checkRequest(t, reqs[0], http.MethodPatch, false)
	checkJSON(t, reqs[0].Body, cardJSON+`}`)
	if err := loadSpec(t, "interaction-callback.json").CheckOperation("PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original", reqs[0].Body); err != nil {
		t.Errorf("body breaks the spec:\n%v", err)
	}
}

func TestCreateFollowup(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seen := record(t, mux, "POST /webhooks/{app}/{token}", answer(http.StatusOK, messageResponse))
	m := discord.Message{Content: "Only you can see this", Flags: discord.FlagEphemeral}
	got, err := client.CreateFollowup(context.Background(), appID, interactionToken, m)
	if err != nil {
		t.Fatalf("CreateFollowup: %v", err)
	}
	if diff := cmp.Diff(wantMessage(), got); diff != "" {
		t.Errorf("CreateFollowup returned (-want +got):\n%s", diff)
	}
	reqs := seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	checkRequest(t, reqs[0], http.MethodPost, false)
	if want := "/webhooks/" + appID + "/" + interactionToken; reqs[0].Path != want {
		t.Errorf("path = %s, want %s", reqs[0].Path, want)
	}
	if reqs[0].RawQuery != "wait=true" {
		t.Errorf("query = %q, want wait=true", reqs[0].RawQuery)
	}
	checkJSON(t, reqs[0].Body, `{"content":"Only you can see this","flags":64,"allowed_mentions":{"parse":[]}}`)
	if err := loadSpec(t, "interaction-callback.json").CheckOperation("POST /webhooks/{webhook_id}/{webhook_token}", reqs[0].Body); err != nil {
		t.Errorf("body breaks the spec:\n%v", err)
	}
}

func TestCreateMessage(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seen := record(t, mux, "POST /channels/{channel}/messages", answer(http.StatusOK, messageResponse))
	m := card()
	m.Nonce, m.EnforceNonce = "gh-delivery-72d3162e", true
	m.Reference = &discord.MessageReference{MessageID: "1300000000000000099"}
	m.AllowedMentions = &discord.AllowedMentions{Parse: []string{}, Users: []string{"1000000000000000042"}}
	got, err := client.CreateMessage(context.Background(), channelID, m)
	if err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	if diff := cmp.Diff(wantMessage(), got); diff != "" {
		t.Errorf("CreateMessage returned (-want +got):\n%s", diff)
	}
	reqs := seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	checkRequest(t, reqs[0], http.MethodPost, true)
	if want := "/channels/" + channelID + "/messages"; reqs[0].Path != want {
		t.Errorf("path = %s, want %s", reqs[0].Path, want)
	}
	want := strings.Replace(cardJSON, `"allowed_mentions": {"parse":[]}`, `"allowed_mentions": {"parse":[],"users":["1000000000000000042"]}`, 1) +
		`, "nonce":"gh-delivery-72d3162e", "enforce_nonce":true, "message_reference":{"message_id":"1300000000000000099"}}`
	checkJSON(t, reqs[0].Body, want)
	if err := loadSpec(t, "message-create.json").CheckOperation("POST /channels/{channel_id}/messages", reqs[0].Body); err != nil {
		t.Errorf("body breaks the spec:\n%v", err)
	}
}

func TestEditMessage(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seen := record(t, mux, "PATCH /channels/{channel}/messages/{message}", answer(http.StatusOK, messageResponse))
	m := card()
	m.Nonce = "not-on-edits"
	m.Components = []discord.Component{} // remove the buttons
	if _, err := client.EditMessage(context.Background(), channelID, "1300000000000000100", m); err != nil {
		t.Fatalf("EditMessage: %v", err)
	}
	reqs := seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	checkRequest(t, reqs[0], http.MethodPatch, true)
	if want := "/channels/" + channelID + "/messages/1300000000000000100"; reqs[0].Path != want {
		t.Errorf("path = %s, want %s", reqs[0].Path, want)
	}
	checkJSON(t, reqs[0].Body, `{
		"content": "Deploy `+"`main`"+` to prod? Requested by @everyone",
		"embeds": [{"title":"Deploy request","color":15844367,"fields":[{"name":"Ref","value":"main","inline":true}],"footer":{"text":"correlation 7f3c2a"}}],
		"components": [],
		"allowed_mentions": {"parse":[]}}`)
	if err := loadSpec(t, "discord-requests.json").CheckOperation("message-edit", reqs[0].Body); err != nil {
		t.Errorf("body breaks the spec:\n%v", err)
	}
}

func TestGetMessage(t *testing.T) {
	t.Parallel()
	const stored = `{"id":"1300000000000000100","channel_id":"1100000000000000002","type":20,"content":"",
		"author":{"id":"1290000000000000001","username":"ChatOps","bot":true},
		"embeds":[{"type":"rich","title":"Deploy request","color":15844367,"fields":[{"name":"Ref","value":"main","inline":true}],"footer":{"text":"correlation 7f3c2a"}}],
		"components":[{"type":1,"id":1,"components":[{"type":2,"id":2,"style":3,"label":"Approve","custom_id":"deploy:approve:7f3c2a"}]}]}`
	client, mux, _ := setup(t)
	seen := record(t, mux, "GET /channels/{channel}/messages/{message}", answer(http.StatusOK, stored))
	got, err := client.GetMessage(context.Background(), channelID, "1300000000000000100")
	if err != nil {
		t.Fatalf("GetMessage: %v", err)
	}
	want := discord.Message{
		ID:        "1300000000000000100",
		ChannelID: channelID,
		Author:    &discord.User{ID: appID, Username: "ChatOps", Bot: true},
		Embeds: []discord.Embed{{
			Title:  "Deploy request",
			Color:  discord.ColorYellow,
			Fields: []discord.EmbedField{{Name: "Ref", Value: "main", Inline: true}},
			Footer: &discord.EmbedFooter{Text: "correlation 7f3c2a"},
		}},
		Components: []discord.Component{discord.ActionRow(discord.Button(discord.ButtonSuccess, "Approve", "deploy:approve:7f3c2a"))},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetMessage returned (-want +got):\n%s", diff)
	}
	reqs := seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if want := "/channels/" + channelID + "/messages/1300000000000000100"; r.Method != http.MethodGet || r.Path != want {
		t.Errorf("request = %s %s, want GET %s", r.Method, r.Path, want)
	}
	if got := r.Header.Get("Authorization"); got != "Bot "+botToken {
		t.Errorf("Authorization = %q, want the bot token", got)
	}
	if got := r.Header.Get("User-Agent"); got != rest.UserAgent {
		t.Errorf("User-Agent = %q, want %q", got, rest.UserAgent)
	}
	if len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
		t.Errorf("GET sent a body %q with Content-Type %q", r.Body, r.Header.Get("Content-Type"))
	}
}

func TestGetOriginal(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seen := record(t, mux, "GET /webhooks/{app}/{token}/messages/@original", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("app") != appID || r.PathValue("token") != interactionToken {
			t.Errorf("path %s", r.URL.Path)
		}
		respond(w, http.StatusOK, messageResponse)
	})
	got, err := client.GetOriginal(context.Background(), appID, interactionToken)
	if err != nil {
		t.Fatalf("GetOriginal: %v", err)
	}
	if diff := cmp.Diff(wantMessage(), got); diff != "" {
		t.Errorf("GetOriginal returned (-want +got):\n%s", diff)
	}
	reqs := seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if _, present := r.Header["Authorization"]; present || r.Method != http.MethodGet {
		t.Errorf("%s with Authorization %q, want GET without (the token is in the path)", r.Method, r.Header.Get("Authorization"))
	}
	if len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
		t.Errorf("GET sent a body %q with Content-Type %q", r.Body, r.Header.Get("Content-Type"))
	}
	if _, err := client.GetOriginal(context.Background(), appID, ""); err == nil {
		t.Error("GetOriginal with an empty token: no error")
	}
}

func TestGetMessageGone(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seen := record(t, mux, "GET /channels/{channel}/messages/{message}", answer(http.StatusNotFound, `{"message":"Unknown Message","code":10008}`))
	_, err := client.GetMessage(context.Background(), channelID, "1300000000000000100")
	var apiErr *rest.Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Code != 10008 {
		t.Fatalf("GetMessage error = %v, want a *rest.Error 404 with code 10008", err)
	}
	if n := len(seen()); n != 1 {
		t.Errorf("%d requests, want 1 (a 404 is not retried)", n)
	}
}

func TestBulkOverwriteCommands(t *testing.T) {
	t.Parallel()
	perm := "32"
	minDesired := int64(0)
	cmds := []discord.Command{
		{Type: 1, Name: "status", Description: "CPU and memory of a service", Contexts: []int{0}, Options: []discord.OptionDef{
			{Type: discord.OptionString, Name: "service", Description: "ec2, ecs or eks", Required: true, Choices: []discord.Choice{{Name: "EC2", Value: "ec2"}, {Name: "ECS", Value: "ecs"}}},
			{Type: discord.OptionString, Name: "target", Description: "id, cluster/service or key=value", Required: true, MaxLength: 200},
		}},
		{Type: 1, Name: "scale", Description: "Change a service's desired count", DefaultMemberPermissions: &perm, Options: []discord.OptionDef{
			{Type: discord.OptionInteger, Name: "desired", Description: "New desired count", Required: true, MinValue: &minDesired},
		}},
	}
	const registered = `[{"id":"1290000000000000101","application_id":"1290000000000000001","version":"1","type":1,"name":"status","description":"CPU and memory of a service"},
		{"id":"1290000000000000102","application_id":"1290000000000000001","version":"1","type":1,"name":"scale","description":"Change a service's desired count","default_member_permissions":"32"}]`
	tests := []struct {
		name      string
		guildID   string
		cmds      []discord.Command
		pattern   string
		operation string
		wantBody  string
	}{
		{"guild", "1100000000000000001", cmds, "PUT /applications/{app}/guilds/{guild}/commands", "PUT /applications/{application_id}/guilds/{guild_id}/commands", `[
			{"type":1,"name":"status","description":"CPU and memory of a service","contexts":[0],"options":[
				{"type":3,"name":"service","description":"ec2, ecs or eks","required":true,"choices":[{"name":"EC2","value":"ec2"},{"name":"ECS","value":"ecs"}]},
				{"type":3,"name":"target","description":"id, cluster/service or key=value","required":true,"max_length":200}]},
			{"type":1,"name":"scale","description":"Change a service's desired count","default_member_permissions":"32","options":[
				{"type":4,"name":"desired","description":"New desired count","required":true,"min_value":0}]}]`},
		{"global", "", cmds[:1], "PUT /applications/{app}/commands", "PUT /applications/{application_id}/commands", `[
			{"type":1,"name":"status","description":"CPU and memory of a service","contexts":[0],"options":[
				{"type":3,"name":"service","description":"ec2, ecs or eks","required":true,"choices":[{"name":"EC2","value":"ec2"},{"name":"ECS","value":"ecs"}]},
				{"type":3,"name":"target","description":"id, cluster/service or key=value","required":true,"max_length":200}]}]`},
		{"none removes all", "", nil, "PUT /applications/{app}/commands", "PUT /applications/{application_id}/commands", `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			seen := record(t, mux, tt.pattern, answer(http.StatusOK, registered))
			got, err := client.BulkOverwriteCommands(context.Background(), appID, tt.guildID, tt.cmds)
			if err != nil {
				t.Fatalf("BulkOverwriteCommands: %v", err)
			}
			if len(got) != 2 || got[0].ID != "1290000000000000101" || *got[1].DefaultMemberPermissions != "32" {
				t.Errorf("BulkOverwriteCommands returned %+v", got)
			}
			reqs := seen()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			checkRequest(t, reqs[0], http.MethodPut, true)
			checkJSON(t, reqs[0].Body, tt.wantBody)
			if err := loadSpec(t, "application-commands.json").CheckOperation(tt.operation, reqs[0].Body); err != nil {
				t.Errorf("body breaks the spec:\n%v", err)
			}
		})
	}
}

// TestMessagesFit sends a message over every limit through each message call: what reaches
// Discord must be within the docs' limits and the spec's.
func TestMessagesFit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("가", 5000)
	huge := discord.Message{
		Content: long,
		Embeds: []discord.Embed{
			{Title: long, Description: long, Footer: &discord.EmbedFooter{Text: long}, Author: &discord.EmbedAuthor{Name: long}},
			{Description: long, Fields: make([]discord.EmbedField, 30)},
		},
	}
	for i := range huge.Embeds[1].Fields {
		huge.Embeds[1].Fields[i] = discord.EmbedField{Name: long, Value: long}
	}
	for range 7 {
		huge.Components = append(huge.Components, discord.ActionRow(
			discord.Button(discord.ButtonPrimary, long, long), discord.Button(discord.ButtonPrimary, "a", "a"),
			discord.Button(discord.ButtonPrimary, "b", "b"), discord.Button(discord.ButtonPrimary, "c", "c"),
			discord.Button(discord.ButtonPrimary, "d", "d"), discord.Button(discord.ButtonPrimary, "e", "e")))
	}
	tests := []struct {
		name      string
		file      string
		operation string
		pattern   string
		call      func(*rest.Client) error
	}{
		{"EditOriginal", "interaction-callback.json", "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
			"PATCH /webhooks/{app}/{token}/messages/@original", func(c *rest.Client) error {
				_, err := c.EditOriginal(context.Background(), appID, interactionToken, huge)
				return err
			}},
		{"CreateFollowup", "interaction-callback.json", "POST /webhooks/{webhook_id}/{webhook_token}",
			"POST /webhooks/{app}/{token}", func(c *rest.Client) error {
				_, err := c.CreateFollowup(context.Background(), appID, interactionToken, huge)
				return err
			}},
		{"CreateMessage", "message-create.json", "POST /channels/{channel_id}/messages",
			"POST /channels/{channel}/messages", func(c *rest.Client) error {
				_, err := c.CreateMessage(context.Background(), channelID, huge)
				return err
			}},
		{"EditMessage", "discord-requests.json", "message-edit",
			"PATCH /channels/{channel}/messages/{message}", func(c *rest.Client) error {
				_, err := c.EditMessage(context.Background(), channelID, "1", huge)
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			seen := record(t, mux, tt.pattern, answer(http.StatusOK, messageResponse))
			if err := tt.call(client); err != nil {
				t.Fatal(err)
			}
			reqs := seen()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if err := loadSpec(t, tt.file).CheckOperation(tt.operation, reqs[0].Body); err != nil {
				t.Errorf("body breaks the spec:\n%v", err)
			}
			var sent discord.Message
			if err := json.Unmarshal(reqs[0].Body, &sent); err != nil {
				t.Fatal(err)
			}
			if n := utf8.RuneCountInString(sent.Content); n != discord.MaxContent {
				t.Errorf("content of %d characters, want cut to %d (the docs' limit, below the spec's)", n, discord.MaxContent)
			}
			if len(sent.Embeds) != 2 || len(sent.Embeds[1].Fields) != discord.MaxEmbedFields || len(sent.Components) != discord.MaxActionRows {
				t.Errorf("sent %d embeds, %d fields, %d rows", len(sent.Embeds), len(sent.Embeds[1].Fields), len(sent.Components))
			}
			if diff := cmp.Diff(discord.NoMentions(), sent.AllowedMentions); diff != "" {
				t.Errorf("allowed_mentions (-want +got):\n%s", diff)
			}
		})
	}
	if n := utf8.RuneCountInString(huge.Content); n != 5000 {
		t.Errorf("the caller's message was modified: content now %d characters", n)
	}
}

func TestEmptyIDs(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request sent: %s %s", r.Method, r.URL.Path)
	})
	ctx := context.Background()
	calls := map[string]func() error{
		"EditOriginal without token": func() error {
			_, err := client.EditOriginal(ctx, appID, "", discord.Message{Content: "x"})
			return err
		},
		"CreateFollowup without application": func() error {
			_, err := client.CreateFollowup(ctx, "", interactionToken, discord.Message{Content: "x"})
			return err
		},
		"CreateMessage without channel": func() error {
			_, err := client.CreateMessage(ctx, "", discord.Message{Content: "x"})
			return err
		},
		"GetMessage without message": func() error {
			_, err := client.GetMessage(ctx, channelID, "")
			return err
		},
		"EditMessage without message": func() error {
			_, err := client.EditMessage(ctx, channelID, "", discord.Message{Content: "x"})
			return err
		},
		"BulkOverwriteCommands without application": func() error {
			_, err := client.BulkOverwriteCommands(ctx, "", "", nil)
			return err
		},
	}
	for name, call := range calls {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestNoBotToken(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, func(o *rest.Options) { o.BotToken = "" })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request sent without a bot token: %s %s", r.Method, r.URL.Path)
	})
	if _, err := client.CreateMessage(context.Background(), channelID, discord.Message{Content: "x"}); err == nil {
		t.Error("CreateMessage without a bot token: no error")
	}
}

func TestStartThread(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	seen := record(t, mux, "POST /channels/{channel}/messages/{message}/threads",
		answer(http.StatusCreated, `{"id":"1300000000000000100","name":"#2 Update the README","type":11}`))
	thread, err := client.StartThread(context.Background(), channelID, "1300000000000000100", "#2 Update the README")
	if err != nil {
		t.Fatalf("StartThread: %v", err)
	}
	if thread.ID != "1300000000000000100" || thread.Name != "#2 Update the README" {
		t.Errorf("thread %+v", thread)
	}
	reqs := seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	checkRequest(t, reqs[0], http.MethodPost, true)
	if want := "/channels/" + channelID + "/messages/1300000000000000100/threads"; reqs[0].Path != want {
		t.Errorf("path = %s, want %s", reqs[0].Path, want)
	}
	checkJSON(t, reqs[0].Body, `{"name": "#2 Update the README"}`)
}
