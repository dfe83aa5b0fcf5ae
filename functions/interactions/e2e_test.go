package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/status"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status/statustest"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/lambdatest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// TestEndToEnd drives the built binary through a fake Lambda Runtime API, as Lambda would: a
// signed PING, /help, a forged request, then /status, whose asynchronous self-invocation is
// taken from the fake Invoke API and fed back as the next event, ending in an edit of the
// original response at a fake Discord, in Korean (CHATOPS_LANGUAGE unset). AWS is moto_server.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	world := statustest.Seed(t, moto.Config(t), status.WithJSONProtocol)
	discord := newFakeDiscord(t)

	f := startE2E(t, moto, discord.URL)
	invoke := f.send

	if resp := invoke(interaction(t, "ping"), nil); resp.StatusCode != 200 || resp.Body != `{"type":1}` {
		t.Errorf("PING: %d %s, want 200 {\"type\":1}", resp.StatusCode, resp.Body)
	}
	if resp := invoke(interaction(t, "ping"), base64Body); resp.StatusCode != 200 || resp.Body != `{"type":1}` {
		t.Errorf("base64 PING: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := invoke(interaction(t, "help"), nil); resp.StatusCode != 200 || !strings.Contains(resp.Body, "`/status service target`") {
		t.Errorf("/help: %d %s", resp.StatusCode, resp.Body)
	}
	forged := func(r *events.APIGatewayV2HTTPRequest) {
		r.Headers["x-signature-ed25519"] = forger.Sign(r.Headers["x-signature-timestamp"], []byte(r.Body))
	}
	if resp := invoke(interaction(t, "ping"), forged); resp.StatusCode != 401 {
		t.Errorf("forged PING: %d, want 401", resp.StatusCode)
	}

	body := []byte(strings.Replace(string(interaction(t, "status-ec2-id")), "i-0123456789abcdef0", world.Web1, 1))
	if resp := invoke(body, nil); resp.StatusCode != 200 || resp.Body != `{"type":5}` {
		t.Fatalf("/status: %d %s, want the deferred response", resp.StatusCode, resp.Body)
	}
	f.runWork()
	edits := discord.Requests()
	if len(edits) != 1 {
		t.Fatalf("%d requests to Discord, want 1", len(edits))
	}
	e := edits[0]
	wantPath := "/api/v10/webhooks/" + testAppID + "/" + tokenOf(t, body) + "/messages/@original"
	if e.Method != http.MethodPatch || e.Path != wantPath {
		t.Errorf("%s %s, want PATCH %s", e.Method, e.Path, wantPath)
	}
	// CHATOPS_LANGUAGE is unset: the channel reads the report in Korean, the default.
	want := shown{Content: "**EC2** `" + world.Web1 + "`: EC2 인스턴스 1개", Titles: []string{"web-1"},
		Fields: []string{"CPU: 현재 **40.0%**", "메모리: 현재 **70.0%**"}}
	if diff := cmp.Diff(want, shownOf(e.Message)); diff != "" {
		t.Errorf("edit mismatch (-want +got):\n%s", diff)
	}
}

// e2eFunction is the built binary running under a fake Lambda Runtime API, as Lambda runs it.
type e2eFunction struct {
	t   *testing.T
	rt  *lambdatest.Runtime
	ctx context.Context
}

// startE2E builds the function and runs it against moto and the Discord at discordURL, with the
// environment every end-to-end test needs and then env (a later value of a name wins).
func startE2E(t *testing.T, moto *mototest.Server, discordURL string, env ...string) *e2eFunction {
	t.Helper()
	rt := lambdatest.Start(t)
	rt.FunctionName = testFunction
	_, table := statetest.Create(t, moto)
	base := append(moto.Env(),
		"CHATOPS_TABLE="+table,
		"DISCORD_PUBLIC_KEY="+signer.PublicKeyHex(),
		"DISCORD_APPLICATION_ID="+testAppID,
		"DISCORD_API_URL="+discordURL,
		"GITHUB_APP_ID=424242",
		"GITHUB_REPOSITORY=acme/shop",
	)
	rt.Run(t, lambdatest.Build(t, "."), append(base, env...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &e2eFunction{t: t, rt: rt, ctx: ctx}
}

// send signs body now (the binary reads the real clock), delivers it in API Gateway's event,
// changed by change when it is not nil, and returns the function's answer.
func (f *e2eFunction) send(body []byte, change func(*events.APIGatewayV2HTTPRequest)) events.APIGatewayV2HTTPResponse {
	f.t.Helper()
	req := signedRequest(f.t, body, time.Now())
	if change != nil {
		change(&req)
	}
	ev, _ := json.Marshal(req)
	out, err := f.rt.Invoke(f.ctx, ev)
	if err != nil {
		f.t.Fatalf("invoke: %v", err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		f.t.Fatalf("answer %s: %v", out, err)
	}
	return resp
}

// answer is send's answer decoded as an interaction response.
func (f *e2eFunction) answer(body []byte) discord.Response {
	f.t.Helper()
	resp := f.send(body, nil)
	var r discord.Response
	if err := json.Unmarshal([]byte(resp.Body), &r); err != nil {
		f.t.Fatalf("answer %d %s: %v", resp.StatusCode, resp.Body, err)
	}
	return r
}

// runWork takes the asynchronous invocation the last interaction started from the fake Invoke
// API and runs it, as Lambda would.
func (f *e2eFunction) runWork() {
	f.t.Helper()
	payload, err := f.rt.NextAsync(f.ctx)
	if err != nil {
		f.t.Fatalf("no asynchronous invocation: %v", err)
	}
	if _, err := f.rt.Invoke(f.ctx, payload); err != nil {
		f.t.Fatalf("work invocation: %v", err)
	}
}
