package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"maps"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/signature/signaturetest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	testAppID    = "1290000000000000001"
	testFunction = "chatops-interactions"
)

var (
	signer  = signaturetest.NewSigner(42)
	forger  = signaturetest.NewSigner(43)
	testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
)

// fakeInvoker records the asynchronous invocations; err, when set, fails them.
type fakeInvoker struct {
	mu    sync.Mutex
	calls []*awslambda.InvokeInput
	err   error
}

func (f *fakeInvoker) Invoke(_ context.Context, in *awslambda.InvokeInput, _ ...func(*awslambda.Options)) (*awslambda.InvokeOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	return &awslambda.InvokeOutput{StatusCode: 202}, nil
}

// editorFunc is an Editor made of a func.
type editorFunc func(ctx context.Context, applicationID, token string, m discord.Message) (discord.Message, error)

func (f editorFunc) EditOriginal(ctx context.Context, applicationID, token string, m discord.Message) (discord.Message, error) {
	return f(ctx, applicationID, token, m)
}

func testConfig() config {
	return config{
		PublicKey:          signer.PublicKeyHex(),
		ApplicationID:      testAppID,
		DiscordAPIURL:      "http://discord.invalid/api/v10",
		FunctionName:       testFunction,
		DeployEnvironments: []string{"dev", "prod"},
		GitHub:             githubConfig{AppID: 424242, APIURL: "http://github.invalid", Repository: "acme/shop", Workflow: "deploy.yml"},
		// The members of the recorded interactions hold role ...010.
		Policy: authz.Policy{RoleIDs: []string{"1100000000000000010"}, TwoPerson: []string{"prod"}},
		// The audit trail keeps entries for 30 days (AUDIT_RETENTION_DAYS).
		AuditRetention: 30 * 24 * time.Hour,
	}
}

// newTestHandler builds a handler over d whose clock stands at now, logging into the returned
// buffer.
func newTestHandler(t testing.TB, d deps, now time.Time) (*Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	h, err := newHandler(testConfig(), d, slog.New(slog.NewJSONHandler(&logs, nil)), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

func interaction(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "interactions", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}

// withLocale is the recorded interaction body, whose member's locale is "ko", from a member
// of locale instead. The tests sign what they send, so the change keeps a valid signature.
func withLocale(t testing.TB, body []byte, locale string) []byte {
	t.Helper()
	if bytes.Count(body, []byte(`"locale":"ko"`)) != 1 {
		t.Fatalf("the recording has no single member locale \"ko\": %s", body)
	}
	return bytes.Replace(body, []byte(`"locale":"ko"`), []byte(`"locale":"`+locale+`"`), 1)
}

// signedRequest wraps body in the recorded HTTP API event, signed by signer at ts.
func signedRequest(t testing.TB, body []byte, ts time.Time) events.APIGatewayV2HTTPRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "apigw-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req.Body = string(body)
	req.Headers["content-length"] = strconv.Itoa(len(body))
	req.Headers["x-signature-timestamp"] = stamp
	req.Headers["x-signature-ed25519"] = signer.Sign(stamp, body)
	return req
}

// Changes made to a signed request, as different clients and attackers send it.
func base64Body(r *events.APIGatewayV2HTTPRequest) {
	r.Body, r.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(r.Body)), true
}

func renameHeaders(rename func(string) string) func(*events.APIGatewayV2HTTPRequest) {
	return func(r *events.APIGatewayV2HTTPRequest) {
		h := map[string]string{}
		for k, v := range r.Headers {
			h[rename(k)] = v
		}
		r.Headers = h
	}
}

// canonical is the header name as Go's net/http and most test clients write it.
func canonical(k string) string {
	return textproto.CanonicalMIMEHeaderKey(k)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	i18ntest.Check(t, filepath.Join("testdata", "golden", name), append(got, '\n'), *update)
}

// answer is an HTTP API response as the golden files hold it.
func answer(t *testing.T, resp events.APIGatewayV2HTTPResponse) []byte {
	t.Helper()
	var body any = resp.Body
	if resp.Headers["Content-Type"] == "application/json" {
		body = json.RawMessage(resp.Body)
	}
	b, err := json.MarshalIndent(struct {
		Status      int    `json:"status"`
		ContentType string `json:"content_type"`
		Body        any    `json:"body"`
	}{resp.StatusCode, resp.Headers["Content-Type"], body}, "", "  ")
	if err != nil {
		t.Fatalf("encode answer: %v (body %q)", err, resp.Body)
	}
	return b
}

func TestAck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		file        string
		signedAt    time.Time
		change      func(*events.APIGatewayV2HTTPRequest)
		locale      string // the member's, in place of the recording's "ko"
		wantStatus  int
		wantInvoked bool
	}{
		{name: "ping", file: "ping", wantStatus: 200},
		{name: "ping-base64", file: "ping", change: base64Body, wantStatus: 200},
		{name: "ping-canonical-headers", file: "ping", change: renameHeaders(canonical), wantStatus: 200},
		{name: "ping-upper-case-headers", file: "ping", change: renameHeaders(strings.ToUpper), wantStatus: 200},
		{name: "help", file: "help", wantStatus: 200},
		{name: "help-en", file: "help", locale: "en-US", wantStatus: 200},
		{name: "help-base64", file: "help", change: base64Body, wantStatus: 200},
		{name: "status-ec2-id", file: "status-ec2-id", wantStatus: 200, wantInvoked: true},
		{name: "status-ec2-tag", file: "status-ec2-tag", wantStatus: 200, wantInvoked: true},
		{name: "status-ecs", file: "status-ecs", wantStatus: 200, wantInvoked: true},
		{name: "status-eks", file: "status-eks", wantStatus: 200, wantInvoked: true},
		{name: "status-bad-target", file: "status-bad-target", wantStatus: 200},
		{name: "status-bad-target-en", file: "status-bad-target", locale: "en-US", wantStatus: 200},
		{name: "status-dm", file: "status-dm", wantStatus: 200},
		{name: "status-dm-en", file: "status-dm", locale: "en-US", wantStatus: 200},
		{name: "cost", file: "cost", wantStatus: 200, wantInvoked: true},
		{name: "deploy", file: "deploy", wantStatus: 200, wantInvoked: true},
		{name: "rollback", file: "rollback", wantStatus: 200, wantInvoked: true},
		{name: "assign", file: "assign", wantStatus: 200, wantInvoked: true},
		{name: "scale", file: "scale", wantStatus: 200, wantInvoked: true},
		{name: "unknown-command", file: "unknown-command", wantStatus: 200},
		{name: "unknown-command-en", file: "unknown-command", locale: "en-US", wantStatus: 200},
		{name: "button", file: "button", wantStatus: 200},
		{name: "not-an-interaction", file: "not-an-interaction", wantStatus: 400},
		{name: "stale-timestamp", file: "ping", signedAt: testNow.Add(-6 * time.Minute), wantStatus: 401},
		{name: "future-timestamp", file: "ping", signedAt: testNow.Add(6 * time.Minute), wantStatus: 401},
		{name: "forged-signature", file: "help", change: func(r *events.APIGatewayV2HTTPRequest) {
			r.Headers["x-signature-ed25519"] = forger.Sign(r.Headers["x-signature-timestamp"], []byte(r.Body))
		}, wantStatus: 401},
		{name: "body-changed-after-signing", file: "status-ec2-id", change: func(r *events.APIGatewayV2HTTPRequest) {
			r.Body = strings.Replace(r.Body, "i-0123456789abcdef0", "i-0fffffffffffffff0", 1)
		}, wantStatus: 401},
		{name: "no-signature", file: "ping", change: func(r *events.APIGatewayV2HTTPRequest) {
			delete(r.Headers, "x-signature-ed25519")
		}, wantStatus: 401},
		{name: "bad-base64", file: "ping", change: func(r *events.APIGatewayV2HTTPRequest) {
			r.Body, r.IsBase64Encoded = "not base64!", true
		}, wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := &fakeInvoker{}
			h, logs := newTestHandler(t, deps{invoker: inv}, testNow)
			body := interaction(t, tt.file)
			if tt.locale != "" {
				body = withLocale(t, body, tt.locale)
			}
			signedAt := tt.signedAt
			if signedAt.IsZero() {
				signedAt = testNow.Add(-time.Second)
			}
			req := signedRequest(t, body, signedAt)
			sig := req.Headers["x-signature-ed25519"]
			if tt.change != nil {
				tt.change(&req)
			}
			raw, err := json.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			out, err := h.Invoke(context.Background(), raw)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			// The runtime's reflection path, encoding/json both ways, answers the same bytes and
			// hands over the same work.
			refInv := &fakeInvoker{}
			ref, _ := newTestHandler(t, deps{invoker: refInv}, testNow)
			want, err := lambda.NewHandler(ref.Handle).Invoke(context.Background(), raw)
			if err != nil {
				t.Fatalf("the runtime's path: %v", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("Invoke answered\n%s\nthe runtime's path\n%s", out, want)
			}
			if len(refInv.calls) != len(inv.calls) || len(inv.calls) == 1 && !bytes.Equal(inv.calls[0].Payload, refInv.calls[0].Payload) {
				t.Errorf("Invoke handed over %d payloads, the runtime's path %d, or different ones", len(inv.calls), len(refInv.calls))
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d (body %s)", resp.StatusCode, tt.wantStatus, resp.Body)
			}
			golden(t, "ack-"+tt.name+".json", answer(t, resp))

			if got := len(inv.calls); got != map[bool]int{true: 1}[tt.wantInvoked] {
				t.Fatalf("%d invocations, want invoked=%v", got, tt.wantInvoked)
			}
			if tt.wantInvoked {
				checkInvocation(t, inv.calls[0], body)
			}
			for _, secret := range []string{sig, tokenOf(t, body)} {
				if secret != "" && strings.Contains(logs.String(), secret) {
					t.Errorf("the log shows a signature or token:\n%s", logs)
				}
			}
		})
	}
}

// checkInvocation checks an asynchronous self-invocation: Event type, this function, and a
// payload that carries the interaction exactly as received.
func checkInvocation(t *testing.T, in *awslambda.InvokeInput, body []byte) {
	t.Helper()
	if in.InvocationType != lambdatypes.InvocationTypeEvent || aws.ToString(in.FunctionName) != testFunction {
		t.Errorf("invoked %s with type %s, want %s, Event", aws.ToString(in.FunctionName), in.InvocationType, testFunction)
	}
	var p workPayload
	if err := json.Unmarshal(in.Payload, &p); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if p.Kind != workKind || !p.ReceivedAt.Equal(testNow) || !bytes.Equal(p.Interaction, body) {
		t.Errorf("payload kind %q received %s interaction %s; want %q, %s, the body", p.Kind, p.ReceivedAt, p.Interaction, workKind, testNow)
	}
}

func tokenOf(t *testing.T, body []byte) string {
	var v struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(body, &v)
	return v.Token
}

// TestAckInvokeFails checks that a user whose work cannot be handed over hears so at once,
// instead of a deferred response nobody will edit.
func TestAckInvokeFails(t *testing.T) {
	t.Parallel()
	inv := &fakeInvoker{err: errors.New("operation error Lambda: Invoke, https response error StatusCode: 403, AccessDeniedException")}
	h, logs := newTestHandler(t, deps{invoker: inv}, testNow)
	req := signedRequest(t, interaction(t, "status-ecs"), testNow)
	resp, err := h.Handle(context.Background(), event{APIGatewayV2HTTPRequest: req})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ack-invoke-fails.json", answer(t, resp))
	if !strings.Contains(logs.String(), "AccessDeniedException") {
		t.Errorf("the log does not say why the invoke failed:\n%s", logs)
	}
}

// TestHandleTellsEventsApart checks that an event that is neither a request from Discord nor
// a work payload is refused as an unsigned request, not taken for work.
func TestHandleTellsEventsApart(t *testing.T) {
	t.Parallel()
	h, _ := newTestHandler(t, deps{invoker: &fakeInvoker{}}, testNow)
	for _, raw := range []string{`{}`, `{"kind":"something.else","interaction":{"type":1}}`} {
		out, err := h.Invoke(context.Background(), []byte(raw))
		var resp events.APIGatewayV2HTTPResponse
		if err == nil {
			err = json.Unmarshal(out, &resp)
		}
		if err != nil || resp.StatusCode != 401 {
			t.Errorf("Invoke(%s) = %s, %v; want 401, nil", raw, out, err)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DISCORD_PUBLIC_KEY":       signer.PublicKeyHex(),
		"DISCORD_APPLICATION_ID":   testAppID,
		"AWS_LAMBDA_FUNCTION_NAME": testFunction,
		"GITHUB_APP_ID":            "424242",
		"GITHUB_REPOSITORY":        "acme/shop",
		"DEPLOY_ROLE_IDS":          "1100000000000000010, 1100000000000000012",
		"TWO_PERSON_ENVIRONMENTS":  "prod",
		"CHATOPS_TABLE":            "chatops-state",
		"AUDIT_RETENTION_DAYS":     "90",
	}
	getenv := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	got, err := loadConfig(getenv(env))
	if err != nil {
		t.Fatal(err)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	want := config{PublicKey: signer.PublicKeyHex(), ApplicationID: testAppID, DiscordAPIURL: "https://discord.com/api/v10",
		FunctionName: testFunction, DeployEnvironments: []string{"dev", "prod"}, Cost: costreport.Options{Location: seoul},
		GitHub: githubConfig{AppID: 424242, APIURL: "https://api.github.com", Repository: "acme/shop", Workflow: "deploy.yml"},
		Policy: authz.Policy{RoleIDs: []string{"1100000000000000010", "1100000000000000012"}, TwoPerson: []string{"prod"}}, ScaleMaxDesired: 10,
		Table: "chatops-state", AuditRetention: 90 * 24 * time.Hour, Language: i18n.Korean}
	sameZone := cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(config{}), sameZone); diff != "" {
		t.Errorf("loadConfig mismatch (-want +got):\n%s", diff)
	}
	for value, want := range map[string]i18n.Language{"en": i18n.English, "ko": i18n.Korean} {
		env := maps.Clone(env)
		env["CHATOPS_LANGUAGE"] = value
		if got, err := loadConfig(getenv(env)); err != nil || got.Language != want {
			t.Errorf("CHATOPS_LANGUAGE=%s: language %q, %v; want %q", value, got.Language, err, want)
		}
	}
	env["CHATOPS_LANGUAGE"] = "ja"
	if _, err := loadConfig(getenv(env)); err == nil || !strings.Contains(err.Error(), "CHATOPS_LANGUAGE") {
		t.Errorf("CHATOPS_LANGUAGE=ja: error %v, want one naming CHATOPS_LANGUAGE", err)
	}

	_, err = loadConfig(getenv(map[string]string{"DISCORD_PUBLIC_KEY": "abc", "DISCORD_API_URL": "discord.com", "DEPLOY_ENVIRONMENTS": " , ",
		"REPORT_TIMEZONE": "Mars/Olympus", "MONTHLY_BUDGET_USD": "lots",
		"GITHUB_APP_ID": "my-app", "GITHUB_API_URL": "api.github.com", "GITHUB_REPOSITORY": "shop", "DEPLOY_WORKFLOW": ".github/workflows/deploy.yml",
		"DEPLOY_ROLE_IDS": "deployers", "SCALE_MAX_DESIRED": "0", "AUDIT_RETENTION_DAYS": "forever"}))
	for _, name := range []string{"DISCORD_PUBLIC_KEY", "DISCORD_APPLICATION_ID", "DISCORD_API_URL", "AWS_LAMBDA_FUNCTION_NAME", "DEPLOY_ENVIRONMENTS",
		"REPORT_TIMEZONE", "MONTHLY_BUDGET_USD", "GITHUB_APP_ID", "GITHUB_API_URL", "GITHUB_REPOSITORY", "DEPLOY_WORKFLOW", "DEPLOY_ROLE_IDS",
		"SCALE_MAX_DESIRED", "CHATOPS_TABLE", "AUDIT_RETENTION_DAYS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("loadConfig error %v does not name %s", err, name)
		}
	}
}
