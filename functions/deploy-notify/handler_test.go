package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/discord/openapitest"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/outbuf"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	testBotToken  = "MTI5MDAwMDAwMDAwMDAwMDAwMQ.GhXyZa.test-bot-token"
	testAppID     = "1290000000000000001"
	testChannelID = "1100000000000000009"
	// The card the derived payloads' correlation id names.
	cardChannelID = "1100000000000000002"
	cardMessageID = "1300000000000000100"
)

// card is the deploy card as Discord returns it after approval: the interactions function's
// approval embed, no buttons left, posted by the application's bot user.
const card = `{
	"id": "1300000000000000100", "channel_id": "1100000000000000002", "type": 20,
	"author": {"id": "1290000000000000001", "username": "ChatOps", "bot": true},
	"content": "",
	"embeds": [{"type": "rich", "title": "Deploy main to prod", "color": 3066993,
		"fields": [{"name": "Approved by", "value": "bob", "inline": true}],
		"footer": {"text": "correlation 1100000000000000002-1300000000000000100"}}],
	"components": []
}`

// newFakeDiscord starts discordtest's Discord for the application, taking only the bot token.
func newFakeDiscord(t *testing.T) *discordtest.Server {
	return discordtest.NewServer(t, discordtest.Options{AppID: testAppID, BotToken: testBotToken})
}

// seed stores a message, given as Discord's JSON, as GET answers it.
func seed(t *testing.T, d *discordtest.Server, raw string) {
	t.Helper()
	var m discord.Message
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	d.Seed(m)
}

// tokens is a fake token source.
type tokens struct {
	err   error
	mu    sync.Mutex
	calls int
}

func (s *tokens) String(_ context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if name != secrets.DiscordBotToken {
		return "", errors.New("unexpected secret " + name)
	}
	return testBotToken, s.err
}

// testNow is when the tests' events arrive.
var testNow = time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)

// fixture is a handler aimed at a fake Discord and a state table, with a fake clock for the
// client's waits.
type fixture struct {
	h       *handler
	discord *discordtest.Server
	tokens  *tokens
	logs    *outbuf.Buffer
	mu      sync.Mutex
	slept   time.Duration
}

// newFixture builds a handler on a table of its own in the package's moto_server, reporting in
// English.
func newFixture(t *testing.T, deployWorkflow string) *fixture {
	t.Helper()
	clock := statetest.NewClock(testNow)
	return newFixtureOn(t, deployWorkflow, statetest.New(t, motoServer, clock.Now))
}

// newFixtureIn is newFixture reporting in lang (CHATOPS_LANGUAGE).
func newFixtureIn(t *testing.T, deployWorkflow string, lang i18n.Language) *fixture {
	t.Helper()
	clock := statetest.NewClock(testNow)
	return fixtureOn(t, deployWorkflow, lang, statetest.New(t, motoServer, clock.Now))
}

// newFixtureOn builds a handler on table, with a Discord of its own: another execution
// environment when another fixture shares the table. It reports in English.
func newFixtureOn(t *testing.T, deployWorkflow string, table *state.Table) *fixture {
	t.Helper()
	return fixtureOn(t, deployWorkflow, i18n.English, table)
}

func fixtureOn(t *testing.T, deployWorkflow string, lang i18n.Language, table *state.Table) *fixture {
	t.Helper()
	f := &fixture{discord: newFakeDiscord(t), tokens: &tokens{}, logs: &outbuf.Buffer{}}
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{
			"DISCORD_API_URL": f.discord.URL, "DISCORD_CHANNEL_ID": testChannelID,
			"DISCORD_APPLICATION_ID": testAppID, "DEPLOY_WORKFLOW": deployWorkflow,
			"CHATOPS_TABLE": table.Name(), "CHATOPS_LANGUAGE": string(lang), "AUDIT_RETENTION_DAYS": "30",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	f.h = newHandler(cfg, f.tokens, table, slog.New(slog.NewJSONHandler(f.logs, nil)))
	now := testNow
	f.h.discord.Options.Now = func() time.Time {
		f.mu.Lock()
		defer f.mu.Unlock()
		return now.Add(f.slept)
	}
	f.h.discord.Options.Sleep = func(_ context.Context, d time.Duration) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.slept += d
		return nil
	}
	t.Cleanup(func() {
		if strings.Contains(f.logs.String(), testBotToken) {
			t.Error("the bot token reached the logs")
		}
		for _, r := range f.discord.Requests() {
			if auth := r.Header.Get("Authorization"); auth != "Bot "+testBotToken {
				t.Errorf("%s %s: Authorization %q, want the bot token", r.Method, r.Path, auth)
			}
		}
	})
	return f
}

// envelope wraps a recorded payload the way the EventBridge rule delivers it to Lambda, and
// decodes it as the runtime does. The event's id is eventID's: the same payload sent twice is
// one event delivered twice.
func envelope(t *testing.T, detailType string, detail []byte) events.EventBridgeEvent {
	t.Helper()
	raw, err := json.Marshal(map[string]any{
		"version": "0", "id": eventID(detailType, detail), "detail-type": detailType,
		"source": "chatops.github", "account": "111122223333", "time": "2025-11-20T09:00:00Z",
		"region": "ap-northeast-2", "resources": []string{}, "detail": json.RawMessage(detail),
	})
	if err != nil {
		t.Fatal(err)
	}
	var e events.EventBridgeEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// eventID is an EventBridge event id (a UUID's shape) taken from the event's type and payload.
func eventID(detailType string, detail []byte) string {
	h := sha256.Sum256(append([]byte(detailType+"\x00"), detail...))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// send runs the handler on the recorded payload file, delivered as eventType.
func (f *fixture) send(t *testing.T, eventType, file string) error {
	t.Helper()
	return f.h.Handle(context.Background(), envelope(t, eventType, githubapptest.Payload(t, file)))
}

func loadSpec(t *testing.T, file string) *openapitest.Spec {
	t.Helper()
	spec, err := openapitest.Extract(file)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// checkBodies checks every body sent against Discord's request schemas.
func checkBodies(t *testing.T, reqs []discordtest.Request) {
	t.Helper()
	create, edit := loadSpec(t, "message-create.json"), loadSpec(t, "discord-requests.json")
	for _, r := range reqs {
		var err error
		switch r.Method {
		case http.MethodPost:
			err = create.CheckOperation("POST /channels/{channel_id}/messages", r.Body)
		case http.MethodPatch:
			err = edit.CheckOperation("message-edit", r.Body)
		case http.MethodGet:
			if len(r.Body) != 0 {
				err = errors.New("GET with a body")
			}
		}
		if err != nil {
			t.Errorf("%s %s: body breaks the spec:\n%v", r.Method, r.Path, err)
		}
	}
}

// request is what the golden files keep of a request to Discord.
type request struct {
	Method string          `json:"method"`
	Path   string          `json:"path"` // below /api/v10
	Body   json.RawMessage `json:"body,omitempty"`
}

// compareGolden compares the requests, made in language lang, with
// testdata/golden/<test name>.<lang>.discord.json.
func compareGolden(t *testing.T, lang i18n.Language, reqs []discordtest.Request) {
	t.Helper()
	kept := make([]request, 0, len(reqs))
	for _, r := range reqs {
		kept = append(kept, request{Method: r.Method, Path: strings.TrimPrefix(r.Path, discordtest.APIPath), Body: r.Body})
	}
	got, err := json.MarshalIndent(kept, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	for _, r := range reqs {
		if bytes.Contains(r.Body, []byte("[notify.")) {
			t.Errorf("%s %s: a message id instead of its text: %s", r.Method, r.Path, r.Body)
		}
	}
	path := filepath.Join("testdata", "golden", strings.ReplaceAll(t.Name(), "/", "__")+"."+string(lang)+".discord.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("requests differ from %s (go test -update rewrites it):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// TestRecordedPayloads runs each recorded payload through the handler, in each language. The
// recorded runs carry no correlation id (their title is a commit message): each is posted to
// the channel.
func TestRecordedPayloads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, eventType, file string
		edit                  func([]byte) []byte // nil: the payload as recorded
	}{
		{"requested", "workflow_run", "workflow_run.requested", nil},
		{"in_progress", "workflow_run", "workflow_run.in_progress.derived", nil},
		{"success", "workflow_run", "workflow_run.completed", nil},
		{"failure", "workflow_run", "workflow_run.completed.failure.derived", nil},
		{"cancelled", "workflow_run", "workflow_run.completed", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"conclusion": "success"`), []byte(`"conclusion": "cancelled"`), 1)
		}},
		{"deployment_status", "deployment_status", "deployment_status.created", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			payload := githubapptest.Payload(t, tt.file)
			if tt.edit != nil {
				if payload = tt.edit(payload); bytes.Equal(payload, githubapptest.Payload(t, tt.file)) {
					t.Fatal("the edit changed nothing")
				}
			}
			for _, lang := range i18n.Languages() {
				f := newFixtureIn(t, "test.yml", lang)
				if err := f.h.Handle(context.Background(), envelope(t, tt.eventType, payload)); err != nil {
					t.Fatalf("%s: Handle: %v", lang, err)
				}
				reqs := f.discord.Requests()
				if len(reqs) != 1 || reqs[0].Method != http.MethodPost || reqs[0].Path != discordtest.APIPath+"/channels/"+testChannelID+"/messages" {
					t.Fatalf("%s: requests = %+v, want one post to the channel", lang, reqs)
				}
				checkBodies(t, reqs)
				compareGolden(t, lang, reqs)
			}
		})
	}
}

// cardEmbeds decodes the stored card's embeds and components.
func cardState(t *testing.T, d *discordtest.Server) discord.Message {
	t.Helper()
	m, ok := d.Message(cardMessageID)
	if !ok || m.ChannelID != cardChannelID {
		t.Fatalf("no card %s in channel %s: %+v", cardMessageID, cardChannelID, m)
	}
	return m
}

// TestCard follows a deploy approved on a card through its run, in each language: each state
// edits the card, which keeps its approval embed; a stale event leaves it alone (the status the
// card shows is read back in the language it was written in), and a repeated one is not even
// read (the state table has it).
func TestCard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang                      i18n.Language
		failed, rollback, viewRun string
	}{
		{i18n.English, "Deploy to prod failed", "Roll back", "View run"},
		{i18n.Korean, "prod 배포에 실패했습니다", "롤백", "실행 보기"},
	}
	for _, tt := range tests {
		f := newFixtureIn(t, "test.yml", tt.lang)
		seed(t, f.discord, card)
		edited, unchanged := []string{http.MethodGet, http.MethodPatch}, []string{http.MethodGet}
		steps := []struct {
			file string
			want []string
		}{
			{"workflow_run.in_progress.card.derived", edited},
			{"workflow_run.requested.card.derived", unchanged},                               // arrives late: the card shows a newer state
			{"workflow_run.completed.failure.card.derived", append(edited, http.MethodPost)}, // and the reply
			{"workflow_run.in_progress.card.derived", nil},                                   // delivered twice: not even read
			{"workflow_run.completed.failure.card.derived", nil},
		}
		for i, s := range steps {
			before := len(f.discord.Requests())
			if err := f.send(t, "workflow_run", s.file); err != nil {
				t.Fatalf("%s: step %d %s: Handle: %v", tt.lang, i, s.file, err)
			}
			if diff := cmp.Diff(s.want, methods(f.discord.Requests()[before:])); diff != "" {
				t.Errorf("%s: step %d %s: requests (-want +got):\n%s", tt.lang, i, s.file, diff)
			}
		}
		reqs := f.discord.Requests()
		checkBodies(t, reqs)
		compareGolden(t, tt.lang, reqs)

		got := cardState(t, f.discord)
		if len(got.Embeds) != 2 || got.Embeds[0].Title != "Deploy main to prod" || got.Embeds[1].Title != tt.failed {
			t.Errorf("%s: card embeds = %+v, want the approval then the failure", tt.lang, got.Embeds)
		}
		rollback := discord.Button(discord.ButtonDanger, tt.rollback, deployrun.RollbackButtonID("prod"))
		link := discord.LinkButton(tt.viewRun, "https://github.com/octo-org/octo-repo/actions/runs/289782451")
		if diff := cmp.Diff([]discord.Component{discord.ActionRow(rollback, link)}, got.Components); diff != "" {
			t.Errorf("%s: card buttons (-want +got):\n%s", tt.lang, diff)
		}
		if n := len(f.discord.Created(testChannelID)); n != 0 {
			t.Errorf("%s: %d messages posted to the channel, want none", tt.lang, n)
		}
	}
}

func TestCardSuccess(t *testing.T) {
	t.Parallel()
	for _, lang := range i18n.Languages() {
		f := newFixtureIn(t, "test.yml", lang)
		seed(t, f.discord, card)
		if err := f.send(t, "workflow_run", "workflow_run.completed.card.derived"); err != nil {
			t.Fatalf("%s: Handle: %v", lang, err)
		}
		reqs := f.discord.Requests()
		checkBodies(t, reqs)
		compareGolden(t, lang, reqs)
		got := cardState(t, f.discord)
		if len(got.Embeds) != 2 || got.Embeds[1].Color != discord.ColorGreen || len(got.Components) != 1 || len(got.Components[0].Components) != 1 {
			t.Errorf("%s: card = %+v, want the approval, a green status and only the link button", lang, got)
		}
	}
}

// TestCardUnavailable: when the card cannot be read or edited, the result goes to the channel.
func TestCardUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(*testing.T, *discordtest.Server)
	}{
		{"card deleted", func(*testing.T, *discordtest.Server) {}},
		{"bot lost access", func(t *testing.T, d *discordtest.Server) {
			seed(t, d, card)
			d.Script(http.MethodGet, discordtest.Error(http.StatusForbidden, 50001, "Missing Access"))
		}},
		{"card not editable", func(t *testing.T, d *discordtest.Server) {
			seed(t, d, card)
			d.Script(http.MethodPatch, discordtest.Error(http.StatusForbidden, 50005, "Cannot edit a message authored by another user"))
		}},
		{"card by another author", func(t *testing.T, d *discordtest.Server) {
			seed(t, d, strings.Replace(card, `"id": "1290000000000000001"`, `"id": "1290000000000000077"`, 1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "test.yml")
			tt.setup(t, f.discord)
			for range 2 { // a duplicate still posts once
				if err := f.send(t, "workflow_run", "workflow_run.completed.failure.card.derived"); err != nil {
					t.Fatalf("Handle: %v", err)
				}
			}
			if n := len(f.discord.Created(testChannelID)); n != 1 {
				t.Errorf("%d messages in the channel, want 1", n)
			}
			reqs := f.discord.Requests()
			checkBodies(t, reqs)
			compareGolden(t, i18n.English, reqs)
		})
	}
}

// TestDuplicates: runs without a card post once while running (requested and in_progress
// are one state) and once when done, however often each event arrives: only the first of each
// reaches Discord, and with a nonce.
func TestDuplicates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "test.yml")
	for _, file := range []string{
		"workflow_run.requested", "workflow_run.requested", "workflow_run.in_progress.derived",
		"workflow_run.completed.failure.derived", "workflow_run.completed.failure.derived",
	} {
		if err := f.send(t, "workflow_run", file); err != nil {
			t.Fatalf("%s: Handle: %v", file, err)
		}
	}
	for range 2 {
		if err := f.send(t, "deployment_status", "deployment_status.created"); err != nil {
			t.Fatalf("deployment_status: Handle: %v", err)
		}
	}
	if n := len(f.discord.Created(testChannelID)); n != 3 {
		t.Errorf("%d messages in the channel, want 3 (running, failed, deployment)", n)
	}
	nonces := map[string]int{}
	for _, r := range f.discord.Requests() {
		var m struct {
			Nonce        string `json:"nonce"`
			EnforceNonce bool   `json:"enforce_nonce"`
		}
		if err := json.Unmarshal(r.Body, &m); err != nil || !m.EnforceNonce {
			t.Errorf("post %s without enforce_nonce (%v)", r.Body, err)
		}
		nonces[m.Nonce]++
	}
	want := map[string]int{"dn-4sj1kj-1-running": 1, "dn-4sj1kj-1-failure": 1, "dd-2ex1my-success": 1}
	if diff := cmp.Diff(want, nonces); diff != "" {
		t.Errorf("nonces posted (-want +got):\n%s", diff)
	}
}

// TestDiscordErrors: the client retries 429s and 5xx within its bounds; what outlasts them is
// returned, so that Lambda retries the event and finally parks it in the DLQ.
func TestDiscordErrors(t *testing.T) {
	t.Parallel()
	rateLimited := func(d time.Duration) discordtest.Reply { return discordtest.RateLimited(d, false) }
	serverError := discordtest.Reply{Status: http.StatusBadGateway, Body: `<html>502 Bad Gateway</html>`}
	tests := []struct {
		name      string
		card      bool
		method    string
		replies   []discordtest.Reply
		wantErr   bool
		wantSlept time.Duration
		wantCalls int
	}{
		{"429 waited out", false, http.MethodPost, []discordtest.Reply{rateLimited(1500 * time.Millisecond)}, false, 1500 * time.Millisecond, 2},
		{"5xx retried", false, http.MethodPost, []discordtest.Reply{serverError, serverError}, false, 1500 * time.Millisecond, 3},
		{"5xx beyond the retries", false, http.MethodPost, []discordtest.Reply{serverError, serverError, serverError, serverError}, true, 3500 * time.Millisecond, 4},
		{"429 longer than the wait budget", false, http.MethodPost, []discordtest.Reply{rateLimited(30 * time.Second)}, true, 0, 1},
		{"card read 5xx beyond the retries", true, http.MethodGet, []discordtest.Reply{serverError, serverError, serverError, serverError}, true, 3500 * time.Millisecond, 4},
		{"card edit 429 waited out", true, http.MethodPatch, []discordtest.Reply{rateLimited(250 * time.Millisecond)}, false, 250 * time.Millisecond, 4},
		{"unauthorized is not retried", false, http.MethodPost, []discordtest.Reply{discordtest.Error(http.StatusUnauthorized, 0, "401: Unauthorized")}, true, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "test.yml")
			file := "workflow_run.completed.failure.derived"
			if tt.card {
				seed(t, f.discord, card)
				file = "workflow_run.completed.failure.card.derived"
			}
			f.discord.Script(tt.method, tt.replies...)
			err := f.send(t, "workflow_run", file)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Handle error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				var apiErr *rest.Error
				var rlErr *rest.RateLimitError
				if !errors.As(err, &apiErr) && !errors.As(err, &rlErr) {
					t.Errorf("error %v carries no *rest.Error or *rest.RateLimitError", err)
				}
				if strings.Contains(err.Error(), testBotToken) {
					t.Error("the error holds the bot token")
				}
			}
			if f.slept != tt.wantSlept {
				t.Errorf("waited %s, want %s", f.slept, tt.wantSlept)
			}
			if n := len(f.discord.Requests()); n != tt.wantCalls {
				t.Errorf("%d requests, want %d", n, tt.wantCalls)
			}
			// Nothing is posted to the channel when reading the card failed.
			if tt.card && tt.wantErr && len(f.discord.Created(testChannelID)) != 0 {
				t.Error("posted to the channel after a card read failed")
			}
		})
	}
}

// TestIgnored: events that are not reported are acknowledged without a Discord call or a token.
func TestIgnored(t *testing.T) {
	t.Parallel()
	other := func(t *testing.T) events.EventBridgeEvent {
		e := envelope(t, "workflow_run", githubapptest.Payload(t, "workflow_run.completed"))
		e.Source = "aws.events"
		return e
	}
	tests := []struct {
		name     string
		workflow string
		event    func(*testing.T) events.EventBridgeEvent
	}{
		{"another workflow", "deploy.yml", func(t *testing.T) events.EventBridgeEvent {
			return envelope(t, "workflow_run", githubapptest.Payload(t, "workflow_run.completed.failure.derived"))
		}},
		{"another source", "test.yml", other},
		{"another event type", "test.yml", func(t *testing.T) events.EventBridgeEvent {
			return envelope(t, "check_run", []byte(`{"action":"completed"}`))
		}},
		{"malformed detail", "test.yml", func(t *testing.T) events.EventBridgeEvent {
			return envelope(t, "workflow_run", []byte(`{"action":"completed","workflow_run":{"id":"x"}}`))
		}},
		{"no detail", "test.yml", func(t *testing.T) events.EventBridgeEvent {
			return envelope(t, "workflow_run", []byte(`null`))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.workflow)
			if err := f.h.Handle(context.Background(), tt.event(t)); err != nil {
				t.Fatalf("Handle: %v, want nil (retrying cannot help)", err)
			}
			if n := len(f.discord.Requests()); n != 0 {
				t.Errorf("%d Discord requests, want none", n)
			}
			if f.tokens.calls != 0 {
				t.Errorf("token read %d times, want none", f.tokens.calls)
			}
			if !strings.Contains(f.logs.String(), `"msg":"ignored"`) {
				t.Errorf("no \"ignored\" log line: %s", f.logs)
			}
		})
	}
}

func TestTokenError(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "test.yml")
	f.tokens.err = secrets.ErrNotFound
	err := f.send(t, "workflow_run", "workflow_run.completed")
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Handle error = %v, want one wrapping secrets.ErrNotFound", err)
	}
	if n := len(f.discord.Requests()); n != 0 {
		t.Errorf("%d Discord requests, want none", n)
	}
}
