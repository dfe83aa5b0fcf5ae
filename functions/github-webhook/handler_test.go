package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/feed"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/forward"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/guard"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testSecret is the webhook secret of GitHub's own validation example.
const testSecret = "It's a Secret to Everybody"

const testBotToken = "test-bot-token"

// newFakeDiscord starts discordtest's Discord, which takes only the bot token and, like
// Discord, honours enforce_nonce: a second message with a nonce it has seen gets the first
// message back and creates nothing.
func newFakeDiscord(t *testing.T) *discordtest.Server {
	return discordtest.NewServer(t, discordtest.Options{BotToken: testBotToken})
}

// always answers every request with reply.
func always(reply discordtest.Reply) func(discordtest.Request) (discordtest.Reply, bool) {
	return func(discordtest.Request) (discordtest.Reply, bool) { return reply, true }
}

const (
	defaultChannel = "1100000000000000001"
	testDelivery   = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
)

// fakeSecrets is a secret store with fixed values that counts its calls.
type fakeSecrets struct {
	mu     sync.Mutex
	values map[string]string
	err    error
	calls  int
}

func (f *fakeSecrets) Get(_ context.Context, names ...string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	out := map[string]string{}
	for _, n := range names {
		out[n] = f.values[n]
	}
	return out, nil
}

func (f *fakeSecrets) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeBus records PutEvents calls and answers with answer, or accepts.
type fakeBus struct {
	mu     sync.Mutex
	got    []types.PutEventsRequestEntry
	answer func() (*eventbridge.PutEventsOutput, error)
}

func (f *fakeBus) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, in.Entries...)
	if f.answer != nil {
		return f.answer()
	}
	return &eventbridge.PutEventsOutput{Entries: []types.PutEventsResultEntry{{EventId: aws.String(fmt.Sprint("event-", len(f.got)))}}}, nil
}

func (f *fakeBus) Entries() []types.PutEventsRequestEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]types.PutEventsRequestEntry(nil), f.got...)
}

// testEnv is a handler wired to fakes: Discord over httptest, EventBridge and SSM in memory, and
// a state table of its own in the test binary's moto_server.
type testEnv struct {
	h       *handler
	discord *discordtest.Server
	bus     *fakeBus
	secrets *fakeSecrets
	// table is the env's state table; clock is its clock: a redelivery hours later advances it.
	table *state.Table
	clock *statetest.Clock
	// logs is what the handler logged; it logs only while handle runs, on the test's goroutine.
	logs *bytes.Buffer
}

func testConfig() config {
	return config{
		DiscordAPIURL:   "http://discord.invalid/api/v10",
		ParameterPrefix: "/chatops",
		ChannelID:       defaultChannel,
		EventBus:        "chatops-events",
		Table:           "chatops-state",
		RepoChannels:    map[string]string{},
	}
}

// newTestEnv builds a handler against fakes; edit may change the configuration first.
func newTestEnv(t *testing.T, edit func(*config)) *testEnv {
	t.Helper()
	cfg := testConfig()
	if edit != nil {
		edit(&cfg)
	}
	e := &testEnv{
		discord: newFakeDiscord(t),
		bus:     &fakeBus{},
		secrets: &fakeSecrets{values: map[string]string{
			secrets.GitHubWebhookSecret: testSecret,
			secrets.DiscordBotToken:     testBotToken,
		}},
		clock: statetest.NewClock(time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)),
		logs:  &bytes.Buffer{},
	}
	fwd := forward.New(e.bus, cfg.EventBus)
	fwd.Sleep = noSleep
	e.table = statetest.New(t, testMoto, e.clock.Now)
	g := guard.New(e.table, e.clock.Now)
	e.h = newHandler(cfg, e.secrets, fwd, g, e.table, testDiscordClient(e.discord.URL), slog.New(slog.NewJSONHandler(e.logs, nil)))
	return e
}

// testDiscordClient is the function's Discord client without the waits between retries.
func testDiscordClient(baseURL string) func(string) discordAPI {
	o := discordOptions(baseURL)
	o.Sleep = noSleep
	return restClient(o)
}

func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func (e *testEnv) serve(t *testing.T, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := e.h.handle(context.Background(), req)
	if err != nil {
		t.Fatalf("handle returned an error: %v", err)
	}
	for _, leak := range []string{testSecret, testBotToken, apiHeader(req, "x-hub-signature-256")} {
		if leak != "" && strings.Contains(e.logs.String(), strings.TrimPrefix(leak, "sha256=")) {
			t.Errorf("logs contain a secret or signature %q:\n%s", leak, e.logs.String())
		}
	}
	return resp
}

func apiHeader(req events.APIGatewayV2HTTPRequest, name string) string { return req.Headers[name] }

// delivery is a webhook delivery as API Gateway hands it over.
type delivery struct {
	event, id   string
	contentType string // default application/json
	body        []byte
	// signature is X-Hub-Signature-256; unset means a correct one with testSecret, "-" none.
	signature string
	base64    bool
	headers   map[string]string // more headers
}

func (d delivery) request() events.APIGatewayV2HTTPRequest {
	headers := map[string]string{
		"content-type":      "application/json",
		"user-agent":        "GitHub-Hookshot/044aadd",
		"x-github-event":    d.event,
		"x-github-delivery": d.id,
	}
	if d.id == "" {
		headers["x-github-delivery"] = testDelivery
	}
	if d.contentType != "" {
		headers["content-type"] = d.contentType
	}
	switch d.signature {
	case "":
		headers["x-hub-signature-256"] = sign(testSecret, d.body)
	case "-":
	default:
		headers["x-hub-signature-256"] = d.signature
	}
	for k, v := range d.headers {
		headers[k] = v
	}
	req := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "POST /github",
		RawPath:  "/github",
		Headers:  headers,
		Body:     string(d.body),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/github"},
		},
	}
	if d.base64 {
		req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(d.body), true
	}
	return req
}

// sign returns X-Hub-Signature-256 for body, computed as GitHub documents it.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// edited returns a recorded payload changed by edit, as GitHub would send it for another pull
// request or sender; the delivery re-signs it.
func edited(t *testing.T, file string, edit func(p map[string]any)) []byte {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(githubapptest.Payload(t, file), &p); err != nil {
		t.Fatal(err)
	}
	edit(p)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(p map[string]any, key string) map[string]any { return p[key].(map[string]any) }

func form(payload []byte) []byte { return []byte("payload=" + url.QueryEscape(string(payload))) }

// goldenName is the golden file of the message payload file becomes in language lang ("" is
// English): testdata/golden/<payload>.<en|ko>.discord.json.
func goldenName(file string, lang i18n.Language) string {
	if lang == "" {
		lang = i18n.English
	}
	return file + "." + string(lang) + ".discord.json"
}

// golden compares got, indented, with testdata/golden/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(filepath.Join("testdata/golden", name), indent(t, got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sameAsGolden(t, name, got)
}

// sameAsGolden compares got, indented, with testdata/golden/name, which another test writes.
func sameAsGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata/golden", name)
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(indent(t, got))); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatalf("indent %.80q: %v", b, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// TestRecordedPayloads sends every recorded payload, signed, through the handler.
func TestRecordedPayloads(t *testing.T) {
	t.Parallel()
	want := map[string]struct {
		status int
		posted bool
		bus    bool
	}{
		"deployment_status.created":          {status: 202, bus: true},
		"installation.created":               {status: 204},
		"issues.opened":                      {status: 200, posted: true},
		"ping":                               {status: 200},
		"pull_request.closed":                {status: 204},
		"pull_request.closed.merged.derived": {status: 200, posted: true},
		"pull_request.opened":                {status: 200, posted: true},
		"pull_request.ready_for_review":      {status: 200, posted: true},
		"pull_request.reopened":              {status: 200, posted: true},
		"workflow_dispatch":                  {status: 204},
		// The feed's events, alone: no message yet for them to edit, and none of them starts one.
		"check_suite.completed":                  {status: 204},
		"pull_request.converted_to_draft":        {status: 204},
		"pull_request.review_requested":          {status: 204},
		"pull_request_review.submitted":          {status: 204},
		"workflow_run.completed.failure.derived": {status: 202, bus: true},
		"workflow_run.completed":                 {status: 202, bus: true},
		"workflow_run.in_progress.derived":       {status: 202, bus: true},
		"workflow_run.requested":                 {status: 202, bus: true},
		// Deploy runs approved on a Discord card: github-webhook forwards them as any run.
		"workflow_run.requested.card.derived":         {status: 202, bus: true},
		"workflow_run.in_progress.card.derived":       {status: 202, bus: true},
		"workflow_run.completed.card.derived":         {status: 202, bus: true},
		"workflow_run.completed.failure.card.derived": {status: 202, bus: true},
	}
	files := githubapptest.PayloadNames()
	if len(files) != len(want) {
		t.Errorf("%d recorded payloads, %d expectations: keep them in step", len(files), len(want))
	}
	schema := loadOpenAPI(t)
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			w, ok := want[file]
			if !ok {
				t.Fatalf("no expectation for %s", file)
			}
			eventType, _, _ := strings.Cut(file, ".")
			body := githubapptest.Payload(t, file)
			// The zero configuration speaks English; what is posted is posted in Korean too.
			langs := []i18n.Language{""}
			if w.posted {
				langs = append(langs, i18n.Korean)
			}
			var e *testEnv
			for _, lang := range langs {
				e = newTestEnv(t, func(c *config) { c.Language = lang })
				resp := e.serve(t, delivery{event: eventType, body: body}.request())
				if resp.StatusCode != w.status {
					t.Fatalf("%q: status %d, want %d; body %q; logs:\n%s", lang, resp.StatusCode, w.status, resp.Body, e.logs.String())
				}
				reqs := e.discord.Requests()
				if !w.posted {
					if len(reqs) != 0 {
						t.Errorf("posted %d messages, want none", len(reqs))
					}
					continue
				}
				if len(reqs) != 1 {
					t.Fatalf("%q: posted %d messages, want 1", lang, len(reqs))
				}
				r := reqs[0]
				if r.ChannelID != defaultChannel {
					t.Errorf("posted to channel %s, want %s", r.ChannelID, defaultChannel)
				}
				if err := schema.check(r.Body, "MessageCreateRequest"); err != nil {
					t.Errorf("body does not fit Discord's MessageCreateRequest: %v", err)
				}
				if bytes.Contains(r.Body, []byte("[announce.")) || bytes.Contains(r.Body, []byte("[feed.")) {
					t.Errorf("%q: a message id instead of its text: %s", lang, r.Body)
				}
				golden(t, goldenName(file, lang), r.Body)
			}

			entries := e.bus.Entries()
			if !w.bus {
				if len(entries) != 0 {
					t.Errorf("put %d events, want none", len(entries))
				}
				return
			}
			wantEntry := types.PutEventsRequestEntry{
				EventBusName: aws.String("chatops-events"),
				Source:       aws.String("chatops.github"),
				DetailType:   aws.String(eventType),
				Detail:       aws.String(string(body)),
			}
			if len(entries) != 1 {
				t.Fatalf("put %d events, want 1", len(entries))
			}
			if diff := cmp.Diff(wantEntry, entries[0], cmpIgnoreUnexported); diff != "" {
				t.Errorf("PutEvents entry (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpIgnoreUnexported = cmpopts.IgnoreUnexported(types.PutEventsRequestEntry{})

func TestPostedMessage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	resp := e.serve(t, delivery{event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened")}.request())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	var got struct {
		AllowedMentions *struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
		Nonce        string `json:"nonce"`
		EnforceNonce bool   `json:"enforce_nonce"`
	}
	if err := json.Unmarshal(e.discord.Requests()[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.AllowedMentions == nil || got.AllowedMentions.Parse == nil || len(got.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v, want parse []", got.AllowedMentions)
	}
	if want := feed.Nonce(feed.Key(feed.PullRequest, "Codertocat/Hello-World", 2, defaultChannel)); got.Nonce != want || !got.EnforceNonce {
		t.Errorf("nonce %q enforce %v, want %q enforced", got.Nonce, got.EnforceNonce, want)
	}
	var answer map[string]string
	if err := json.Unmarshal([]byte(resp.Body), &answer); err != nil || answer["message_id"] == "" {
		t.Errorf("answer %q, want the message id", resp.Body)
	}
}

func TestSignatures(t *testing.T) {
	t.Parallel()
	body := githubapptest.Payload(t, "pull_request.opened")
	sha1Sig := func() string {
		mac := hmac.New(sha1.New, []byte(testSecret))
		mac.Write(body)
		return hex.EncodeToString(mac.Sum(nil))
	}()
	tests := []struct {
		name string
		d    delivery
	}{
		{name: "missing", d: delivery{signature: "-"}},
		{name: "empty", d: delivery{signature: "-", headers: map[string]string{"x-hub-signature-256": ""}}},
		{name: "wrong secret", d: delivery{signature: sign("another secret", body)}},
		{name: "over another body", d: delivery{signature: sign(testSecret, append([]byte(" "), body...))}},
		{name: "not hex", d: delivery{signature: "sha256=" + strings.Repeat("zz", 32)}},
		{name: "truncated", d: delivery{signature: sign(testSecret, body)[:40]}},
		{name: "without the algorithm", d: delivery{signature: strings.TrimPrefix(sign(testSecret, body), "sha256=")}},
		{name: "sha1 in the sha256 header", d: delivery{signature: "sha1=" + sha1Sig}},
		{name: "only the legacy sha1 header", d: delivery{signature: "-", headers: map[string]string{"x-hub-signature": "sha1=" + sha1Sig}}},
		{name: "sha512 algorithm", d: delivery{signature: "sha512=" + strings.Repeat("ab", 64)}},
		{
			name: "form body signed as its decoded payload",
			d:    delivery{contentType: "application/x-www-form-urlencoded", signature: sign(testSecret, body), body: form(body)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, nil)
			d := tt.d
			d.event = "pull_request"
			if d.body == nil {
				d.body = body
			}
			resp := e.serve(t, d.request())
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
			if n := len(e.discord.Requests()); n != 0 {
				t.Errorf("posted %d messages", n)
			}
		})
	}
	t.Run("unsigned workflow_run is not forwarded", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t, nil)
		resp := e.serve(t, delivery{event: "workflow_run", body: githubapptest.Payload(t, "workflow_run.completed"), signature: "-"}.request())
		if resp.StatusCode != http.StatusUnauthorized || len(e.bus.Entries()) != 0 {
			t.Errorf("status %d, %d events put; want 401 and none", resp.StatusCode, len(e.bus.Entries()))
		}
	})
	t.Run("ping needs a signature too", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t, nil)
		resp := e.serve(t, delivery{event: "ping", body: githubapptest.Payload(t, "ping"), signature: sign("x", nil)}.request())
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", resp.StatusCode)
		}
	})
}

// TestEncodings sends the same events as JSON and form-encoded, as text and base64 as API
// Gateway may pass them, with and without content-type parameters and in any header case.
func TestEncodings(t *testing.T) {
	t.Parallel()
	pr := githubapptest.Payload(t, "pull_request.opened")
	run := githubapptest.Payload(t, "workflow_run.completed")
	tests := []struct {
		name        string
		contentType string
		encode      func([]byte) []byte
		base64      bool
		upperCase   bool
	}{
		{name: "json", contentType: "application/json"},
		{name: "json with charset", contentType: "application/json; charset=utf-8"},
		{name: "json base64", contentType: "application/json", base64: true},
		{name: "form", contentType: "application/x-www-form-urlencoded", encode: form},
		{name: "form with charset, base64", contentType: "application/x-www-form-urlencoded; charset=UTF-8", encode: form, base64: true},
		{name: "headers not lower-cased", contentType: "application/json", upperCase: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, nil)
			for _, c := range []struct {
				event, id string
				body      []byte
			}{{"pull_request", "", pr}, {"workflow_run", "5e1f0c00-cc78-11e3-81ab-4c9367dc0958", run}} {
				body := c.body
				if tt.encode != nil {
					body = tt.encode(body)
				}
				req := delivery{event: c.event, id: c.id, contentType: tt.contentType, body: body, base64: tt.base64}.request()
				if tt.upperCase {
					h := map[string]string{}
					for k, v := range req.Headers {
						h[http.CanonicalHeaderKey(k)] = v
					}
					req.Headers = h
				}
				if resp := e.serve(t, req); resp.StatusCode/100 != 2 {
					t.Fatalf("%s: status %d %q, want 2xx; logs:\n%s", c.event, resp.StatusCode, resp.Body, e.logs.String())
				}
			}
			reqs := e.discord.Requests()
			if len(reqs) != 1 {
				t.Fatalf("posted %d messages, want 1", len(reqs))
			}
			sameAsGolden(t, goldenName("pull_request.opened", ""), reqs[0].Body)
			entries := e.bus.Entries()
			if len(entries) != 1 || aws.ToString(entries[0].Detail) != string(run) {
				t.Errorf("bus got %d entries; want 1 whose detail is the JSON payload as sent", len(entries))
			}
		})
	}
}

func TestRefused(t *testing.T) {
	t.Parallel()
	huge := bytes.Repeat([]byte("x"), 1<<20+1)
	tests := []struct {
		name        string
		d           delivery
		status      int
		loadSecrets bool
	}{
		{
			name: "too large, before verifying", status: http.StatusRequestEntityTooLarge,
			d: delivery{event: "pull_request", body: huge},
		},
		{
			name: "too large base64", status: http.StatusRequestEntityTooLarge,
			d: delivery{event: "pull_request", body: huge, base64: true},
		},
		{
			name: "verified pull_request that is not JSON", status: http.StatusBadRequest, loadSecrets: true,
			d: delivery{event: "pull_request", body: []byte(`{"action":"opened","pull_request":`)},
		},
		{
			name: "verified issues with a wrong type", status: http.StatusBadRequest, loadSecrets: true,
			d: delivery{event: "issues", body: []byte(`{"action":"opened","issue":{"number":"one"}}`)},
		},
		{
			name: "verified workflow_run that is not JSON", status: http.StatusBadRequest, loadSecrets: true,
			d: delivery{event: "workflow_run", body: []byte(`not json`)},
		},
		{
			name: "verified form without payload", status: http.StatusBadRequest, loadSecrets: true,
			d: delivery{event: "pull_request", contentType: "application/x-www-form-urlencoded", body: []byte("other=1")},
		},
		{
			name: "verified but unsupported content type", status: http.StatusBadRequest, loadSecrets: true,
			d: delivery{event: "pull_request", contentType: "text/plain", body: githubapptest.Payload(t, "pull_request.opened")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, nil)
			resp := e.serve(t, tt.d.request())
			if resp.StatusCode != tt.status {
				t.Errorf("status %d %q, want %d", resp.StatusCode, resp.Body, tt.status)
			}
			if got := e.secrets.Calls() > 0; got != tt.loadSecrets {
				t.Errorf("secrets loaded: %v, want %v", got, tt.loadSecrets)
			}
			if len(e.discord.Requests())+len(e.bus.Entries()) != 0 {
				t.Error("a refused delivery was posted or forwarded")
			}
		})
	}
}

// TestFilters runs the noise filters and the repository map through the handler.
func TestFilters(t *testing.T) {
	t.Parallel()
	botSender := func(p map[string]any) { p["sender"] = map[string]any{"login": "renovate[bot]", "type": "Bot", "id": 2} }
	tests := []struct {
		name        string
		event       string
		body        []byte
		cfg         func(*config)
		wantChannel string // "" means nothing posted
	}{
		{name: "bot sender", event: "pull_request", body: edited(t, "pull_request.opened", botSender)},
		{
			name: "bot sender announced", event: "pull_request", body: edited(t, "pull_request.opened", botSender),
			cfg: func(c *config) { c.Rules.AnnounceBots = true }, wantChannel: defaultChannel,
		},
		{
			name: "draft opened", event: "pull_request",
			body: edited(t, "pull_request.opened", func(p map[string]any) { obj(p, "pull_request")["draft"] = true }),
		},
		{
			name: "ignored author", event: "issues", body: githubapptest.Payload(t, "issues.opened"),
			cfg: func(c *config) { c.Rules.IgnoreAuthors = []string{"codertocat"} },
		},
		{
			name: "ignored label", event: "pull_request", body: githubapptest.Payload(t, "pull_request.reopened"),
			cfg: func(c *config) { c.Rules.IgnoreLabels = []string{"Bug"} },
		},
		{
			name: "mapped repository", event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened"),
			cfg:         func(c *config) { c.RepoChannels = map[string]string{"codertocat/hello-world": "1200000000000000002"} },
			wantChannel: "1200000000000000002",
		},
		{
			name: "unmapped repository", event: "issues", body: githubapptest.Payload(t, "issues.opened"),
			cfg:         func(c *config) { c.RepoChannels = map[string]string{"octo-org/octo-repo": "1200000000000000002"} },
			wantChannel: defaultChannel,
		},
		{
			name: "pull request labeled", event: "pull_request",
			body: edited(t, "pull_request.opened", func(p map[string]any) { p["action"] = "labeled" }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, tt.cfg)
			resp := e.serve(t, delivery{event: tt.event, body: tt.body}.request())
			reqs := e.discord.Requests()
			if tt.wantChannel == "" {
				if resp.StatusCode != http.StatusNoContent || len(reqs) != 0 {
					t.Errorf("status %d and %d messages, want 204 and none", resp.StatusCode, len(reqs))
				}
				return
			}
			if resp.StatusCode != http.StatusOK || len(reqs) != 1 {
				t.Fatalf("status %d and %d messages, want 200 and one", resp.StatusCode, len(reqs))
			}
			if reqs[0].ChannelID != tt.wantChannel {
				t.Errorf("posted to %s, want %s", reqs[0].ChannelID, tt.wantChannel)
			}
		})
	}
}

// TestDiscordFailures shows that a delivery that could not be posted gets a 5xx, so that GitHub
// records it as failed and it can be redelivered, after a bounded number of tries.
func TestDiscordFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		script       func(*discordtest.Server)
		wantStatus   int
		wantRequests int
	}{
		{
			name: "server errors every time", wantStatus: http.StatusBadGateway, wantRequests: 4,
			script: func(d *discordtest.Server) {
				d.Intercept(always(discordtest.ServerError(http.StatusInternalServerError)))
			},
		},
		{
			name: "server error then success", wantStatus: http.StatusOK, wantRequests: 2,
			script: func(d *discordtest.Server) { d.Script("", discordtest.Error(http.StatusBadGateway, 0, "bad gateway")) },
		},
		{
			name: "missing access is not retried", wantStatus: http.StatusBadGateway, wantRequests: 1,
			script: func(d *discordtest.Server) {
				d.Intercept(always(discordtest.Error(http.StatusForbidden, 50001, "Missing Access")))
			},
		},
		{
			name: "rate limited beyond the budget", wantStatus: http.StatusBadGateway, wantRequests: 1,
			script: func(d *discordtest.Server) { d.Intercept(always(discordtest.RateLimited(time.Minute, false))) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, nil)
			tt.script(e.discord)
			resp := e.serve(t, delivery{event: "issues", body: githubapptest.Payload(t, "issues.opened")}.request())
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if n := len(e.discord.Requests()); n != tt.wantRequests {
				t.Errorf("%d requests reached Discord, want %d", n, tt.wantRequests)
			}
			for _, r := range e.discord.Requests() {
				if r.Message.Nonce != feed.Nonce(feed.Key(feed.Issue, "Codertocat/Hello-World", 1, defaultChannel)) {
					t.Errorf("retry carried nonce %q, want the issue's", r.Message.Nonce)
				}
			}
		})
	}
}

// TestBudget shows that a Discord that does not answer cannot hold the delivery past the budget.
// The client's own per-try timeout is lifted, so that only the budget can end the wait: the
// test waits for the answer while Discord still holds the request, not for a duration.
func TestBudget(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	e.h.budget = 300 * time.Millisecond
	o := discordOptions(e.discord.URL)
	o.Sleep, o.HTTPClient = noSleep, &http.Client{}
	e.h.newDiscord = restClient(o)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	e.discord.Intercept(func(discordtest.Request) (discordtest.Reply, bool) {
		<-release
		return discordtest.Reply{}, false
	})
	req := delivery{event: "issues", body: githubapptest.Payload(t, "issues.opened")}.request()
	answered := make(chan events.APIGatewayV2HTTPResponse, 1)
	go func() {
		resp, err := e.h.handle(context.Background(), req)
		if err != nil {
			t.Errorf("handle returned an error: %v", err)
		}
		answered <- resp
	}()
	select {
	case resp := <-answered:
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("status %d, want 502", resp.StatusCode)
		}
	case <-time.After(time.Minute): // a guard against a hang: the budget did not end the wait
		t.Fatal("no answer while Discord held the request: the budget did not cut it off")
	}
}

func TestBusFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func() (*eventbridge.PutEventsOutput, error)
	}{
		{name: "call fails", answer: func() (*eventbridge.PutEventsOutput, error) {
			return nil, errors.New("ResourceNotFoundException: Event bus chatops-events does not exist")
		}},
		{name: "entry fails", answer: func() (*eventbridge.PutEventsOutput, error) {
			return &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []types.PutEventsResultEntry{{
				ErrorCode: aws.String("ThrottlingException"), ErrorMessage: aws.String("Rate exceeded"),
			}}}, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, nil)
			e.bus.answer = tt.answer
			resp := e.serve(t, delivery{event: "deployment_status", body: githubapptest.Payload(t, "deployment_status.created")}.request())
			if resp.StatusCode != http.StatusBadGateway {
				t.Errorf("status %d, want 502", resp.StatusCode)
			}
			if !strings.Contains(e.logs.String(), `"level":"ERROR"`) || !strings.Contains(e.logs.String(), testDelivery) {
				t.Errorf("no error logged with the delivery id:\n%s", e.logs.String())
			}
		})
	}
}

func TestSecretsUnavailable(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	e.secrets.err = errors.New("get parameters: AccessDeniedException")
	resp := e.serve(t, delivery{event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened")}.request())
	if resp.StatusCode != http.StatusInternalServerError || len(e.discord.Requests()) != 0 {
		t.Errorf("status %d, %d posted; want 500 and nothing", resp.StatusCode, len(e.discord.Requests()))
	}
}

// TestBotTokenRotation shows that a new token from the store gets a new Discord client.
func TestBotTokenRotation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	var tokens []string
	newDiscord := e.h.newDiscord
	e.h.newDiscord = func(token string) discordAPI { tokens = append(tokens, token); return newDiscord(token) }
	body := githubapptest.Payload(t, "issues.opened")
	e.serve(t, delivery{event: "issues", body: body}.request())
	e.serve(t, delivery{event: "issues", body: body, id: "1"}.request())
	e.secrets.values[secrets.DiscordBotToken] = "rotated"
	e.serve(t, delivery{event: "issues", body: body, id: "2"}.request())
	if diff := cmp.Diff([]string{testBotToken, "rotated"}, tokens); diff != "" {
		t.Errorf("clients built for tokens (-want +got):\n%s", diff)
	}
}

// TestLongTextFits sends a pull request with text beyond every Discord limit: the message
// still fits Discord's schema, and the mentions in it ping nobody.
func TestLongTextFits(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	body := edited(t, "pull_request.opened", func(p map[string]any) {
		pr := obj(p, "pull_request")
		pr["title"] = "@everyone " + strings.Repeat("*bold* ", 80)
		pr["body"] = "<!-- template -->\n```go\n" + strings.Repeat("fmt.Println(\"é\")\n", 1000)
		var labels []any
		for i := range 200 {
			labels = append(labels, map[string]any{"name": fmt.Sprintf("area/%03d-%s", i, strings.Repeat("x", 20))})
		}
		pr["labels"] = labels
		obj(pr, "head")["ref"] = strings.Repeat("branch-", 40)
	})
	resp := e.serve(t, delivery{event: "pull_request", body: body}.request())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d %q, want 200", resp.StatusCode, resp.Body)
	}
	sent := e.discord.Requests()[0].Body
	if err := loadOpenAPI(t).check(sent, "MessageCreateRequest"); err != nil {
		t.Errorf("body does not fit Discord's MessageCreateRequest: %v", err)
	}
	var m struct {
		Embeds []struct {
			Description string `json:"description"`
		} `json:"embeds"`
		AllowedMentions struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(sent, &m); err != nil {
		t.Fatal(err)
	}
	if d := m.Embeds[0].Description; len([]rune(d)) > 330 || !strings.HasSuffix(d, "…\n```") {
		t.Errorf("description of %d runes ending %q, want the status line and about 300 more, ending with the fence closed", len([]rune(d)), d[max(0, len(d)-10):])
	}
	if len(m.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions.parse = %v, want []", m.AllowedMentions.Parse)
	}
}
