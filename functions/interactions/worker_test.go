package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status/statustest"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
)

// newFakeDiscord starts discordtest's Discord for the application's interaction webhooks. The
// tests run an interaction's work without its acknowledgement, so the fake takes each token
// as answered with a deferred message.
func newFakeDiscord(t *testing.T) *discordtest.Server {
	return discordtest.NewServer(t, discordtest.Options{AppID: testAppID, AssumeDeferred: true})
}

// startDiscord returns a rest client aimed at d that never sleeps between retries.
func startDiscord(t *testing.T, d *discordtest.Server) *rest.Client {
	t.Helper()
	return rest.New(rest.Options{BaseURL: d.URL, MaxRetries: 2, Sleep: func(context.Context, time.Duration) error { return nil }})
}

// workEvent is the payload the acknowledgement path would send for the interaction file,
// received at receivedAt, with the target option replaced when target is set.
func workEvent(t *testing.T, file, target string, receivedAt time.Time) event {
	t.Helper()
	body := interaction(t, file)
	if target != "" {
		var in map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatal(err)
		}
		for _, o := range in["data"].(map[string]any)["options"].([]any) {
			if o := o.(map[string]any); o["name"] == "target" {
				o["value"] = target
			}
		}
		body, _ = json.Marshal(in)
	}
	return event{workPayload: workPayload{Kind: workKind, ReceivedAt: receivedAt, Interaction: body}}
}

func lambdaContext() context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-work-1"})
}

// shown is what a test checks of an edited /status message.
type shown struct {
	Content string
	Titles  []string
	Fields  []string // "name: first line of value"
}

func shownOf(m discord.Message) shown {
	s := shown{Content: m.Content}
	for _, e := range m.Embeds {
		s.Titles = append(s.Titles, e.Title)
		for _, f := range e.Fields {
			first, _, _ := strings.Cut(f.Value, "\n")
			s.Fields = append(s.Fields, f.Name+": "+first)
		}
	}
	return s
}

// TestWorkMoto runs deferred /status work against moto_server and checks the edit of the
// original response that a fake Discord receives.
func TestWorkMoto(t *testing.T) {
	t.Parallel()
	cfg := mototest.Start(t).Config(t)
	w := statustest.Seed(t, cfg, status.WithJSONProtocol)
	reader := &status.Reader{EC2: ec2.NewFromConfig(cfg), ECS: ecs.NewFromConfig(cfg), EKS: eks.NewFromConfig(cfg),
		CloudWatch: cloudwatch.NewFromConfig(cfg, status.WithJSONProtocol)}
	const noAgent = "Memory: unavailable: the CloudWatch agent is not installed or not publishing mem_used_percent on this instance"
	tests := []struct {
		name, file, target string
		want               shown
		channel            i18n.Language // CHATOPS_LANGUAGE; "" is the zero config's English
	}{
		{"ec2 by id", "status-ec2-id", w.Web1, shown{Content: "**EC2** `" + w.Web1 + "`: 1 EC2 instance",
			Titles: []string{"web-1"}, Fields: []string{"CPU: **40.0%** now", "Memory: **70.0%** now"}}, ""},
		{"ec2 by tag", "status-ec2-tag", "", shown{Content: "**EC2** `Name=web-*`: 2 EC2 instances",
			Titles: []string{"web-1", "web-2"}, Fields: []string{"CPU: **40.0%** now", "Memory: **70.0%** now", "CPU: **91.0%** now", noAgent}}, ""},
		{"ec2 without the agent", "status-ec2-id", w.Web2, shown{Content: "**EC2** `" + w.Web2 + "`: 1 EC2 instance",
			Titles: []string{"web-2"}, Fields: []string{"CPU: **91.0%** now", noAgent}}, ""},
		{"ecs service", "status-ecs", "", shown{Content: "**ECS** `prod/api`: 1 ECS service",
			Titles: []string{"api"}, Fields: []string{"CPU: **14.0%** now", "Memory: **35.0%** now"}}, ""},
		{"eks without Container Insights", "status-eks", "", shown{Content: "**EKS** `prod-eks`: 1 EKS cluster",
			Titles: []string{"prod-eks"}, Fields: []string{
				"CPU: unavailable: Container Insights is not enabled on this cluster (no ContainerInsights metrics)",
				"Memory: unavailable: Container Insights is not enabled on this cluster (no ContainerInsights metrics)"}}, ""},
		{"nothing found", "status-ec2-tag", "Name=nothing", shown{
			Content: "⚠️ No EC2 instance has the tag `Name=nothing` (terminated instances are not listed). Check the spelling and case, use * as a wildcard, or give an instance id."}, ""},
		{"ec2 by tag in a Korean channel", "status-ec2-tag", "", shown{Content: "**EC2** `Name=web-*`: EC2 인스턴스 2개",
			Titles: []string{"web-1", "web-2"}, Fields: []string{"CPU: 현재 **40.0%**", "메모리: 현재 **70.0%**", "CPU: 현재 **91.0%**",
				"메모리: 사용할 수 없음: 이 인스턴스에 CloudWatch 에이전트가 설치되어 있지 않거나 mem_used_percent를 보내지 않습니다"}}, i18n.Korean},
		{"nothing found in a Korean channel", "status-ec2-tag", "Name=nothing", shown{
			Content: "⚠️ 태그가 `Name=nothing`인 EC2 인스턴스가 없습니다(종료된 인스턴스는 표시되지 않습니다). 철자와 대소문자를 확인하거나, *를 와일드카드로 쓰거나, 인스턴스 ID를 입력해 주세요."}, i18n.Korean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeDiscord(t)
			h, logs := newTestHandler(t, deps{invoker: &fakeInvoker{}, editor: startDiscord(t, d), status: reader}, w.Now)
			h.language = tt.channel
			ev := workEvent(t, tt.file, tt.target, w.Now.Add(-2*time.Second))
			if _, err := h.Handle(lambdaContext(), ev); err != nil {
				t.Fatalf("Handle: %v\n%s", err, logs)
			}
			edits := d.Requests()
			if len(edits) != 1 {
				t.Fatalf("%d requests to Discord, want 1 edit", len(edits))
			}
			e := edits[0]
			token := tokenOf(t, ev.Interaction)
			if wantPath := "/api/v10/webhooks/" + testAppID + "/" + token + "/messages/@original"; e.Method != http.MethodPatch || e.Path != wantPath {
				t.Errorf("%s %s, want PATCH %s", e.Method, e.Path, wantPath)
			}
			if diff := cmp.Diff(tt.want, shownOf(e.Message)); diff != "" {
				t.Errorf("edit mismatch (-want +got):\n%s", diff)
			}
			if e.Message.AllowedMentions == nil || len(e.Message.AllowedMentions.Parse) != 0 {
				t.Errorf("allowed_mentions %+v, want parse []", e.Message.AllowedMentions)
			}
			if strings.Contains(logs.String(), token) {
				t.Errorf("the log shows the interaction token:\n%s", logs)
			}
		})
	}
}

// TestWorkFailures checks what the user sees and what Lambda is told when the work or the
// edit fails.
func TestWorkFailures(t *testing.T) {
	t.Parallel()
	panicky := command.Command{Name: "status", Quick: func(context.Context, command.Request) command.Reply { return command.Defer(false) },
		Work: func(context.Context, command.Request) (discord.Message, error) { panic("index out of range") }}
	tests := []struct {
		name        string
		cmd         command.Command
		received    time.Time
		statuses    []int // Discord's answers to the edit
		wantEdits   int
		wantErr     bool
		wantContent string
	}{
		{name: "panic", cmd: panicky, received: testNow.Add(-time.Second), wantEdits: 1,
			wantContent: "⚠️ /status failed with an internal error. Try again in a minute; if it keeps failing, ask whoever runs the bot to look for request `req-work-1` in the interactions function's logs."},
		{name: "edit retried then done", cmd: panicky, received: testNow.Add(-time.Second), statuses: []int{502}, wantEdits: 2,
			wantContent: "⚠️ /status failed with an internal error. Try again in a minute; if it keeps failing, ask whoever runs the bot to look for request `req-work-1` in the interactions function's logs."},
		{name: "edit fails: error for Lambda to retry", cmd: panicky, received: testNow.Add(-time.Second), statuses: []int{500, 500, 500}, wantEdits: 3, wantErr: true},
		{name: "token expired: nothing to edit", cmd: panicky, received: testNow.Add(-tokenLife), wantEdits: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			router, err := command.NewRouter(tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			d := newFakeDiscord(t)
			for _, status := range tt.statuses {
				d.Script("", discordtest.ServerError(status))
			}
			var logs bytes.Buffer
			h := &Handler{router: router, editor: startDiscord(t, d), applicationID: testAppID, texts: catalog.Texts(),
				log: slog.New(slog.NewJSONHandler(&logs, nil)), now: func() time.Time { return testNow }}
			_, err = h.Handle(lambdaContext(), workEvent(t, "status-ecs", "", tt.received))
			if (err != nil) != tt.wantErr {
				t.Errorf("Handle error = %v, want error %v", err, tt.wantErr)
			}
			edits := d.Requests()
			if len(edits) != tt.wantEdits {
				t.Fatalf("%d edits, want %d", len(edits), tt.wantEdits)
			}
			if tt.wantContent != "" {
				if got := edits[len(edits)-1].Message.Content; got != tt.wantContent {
					t.Errorf("content\n got %s\nwant %s", got, tt.wantContent)
				}
			}
			if tt.wantEdits > 0 && !strings.Contains(logs.String(), "index out of range") {
				t.Errorf("the log does not carry the panic:\n%s", logs.String())
			}
		})
	}
}

// TestWorkBadPayload checks that a payload without a usable interaction is dropped, not
// retried: a retry would read the same payload.
func TestWorkBadPayload(t *testing.T) {
	t.Parallel()
	var edits int
	h, _ := newTestHandler(t, deps{editor: editorFunc(func(context.Context, string, string, discord.Message) (discord.Message, error) {
		edits++
		return discord.Message{}, nil
	})}, testNow)
	ev := event{workPayload: workPayload{Kind: workKind, ReceivedAt: testNow, Interaction: json.RawMessage(`{"type":2}`)}}
	if _, err := h.Handle(lambdaContext(), ev); err != nil || edits != 0 {
		t.Errorf("Handle = %v with %d edits, want nil and none", err, edits)
	}
}

// TestWorkDeadlines checks that the work stops in time for the edit to be made while the
// interaction token is valid.
func TestWorkDeadlines(t *testing.T) {
	t.Parallel()
	var workDL, editDL time.Time
	router, err := command.NewRouter(command.Command{Name: "status",
		Quick: func(context.Context, command.Request) command.Reply { return command.Defer(false) },
		Work: func(ctx context.Context, _ command.Request) (discord.Message, error) {
			workDL, _ = ctx.Deadline()
			return discord.Message{Content: "ok"}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{router: router, applicationID: testAppID, texts: catalog.Texts(), log: slog.New(slog.DiscardHandler), now: func() time.Time { return testNow },
		editor: editorFunc(func(ctx context.Context, _, _ string, _ discord.Message) (discord.Message, error) {
			editDL, _ = ctx.Deadline()
			return discord.Message{}, nil
		})}
	// The deadlines are set on the real clock while Handle runs: bracket them by its start and
	// end rather than allow a tolerance that a slow machine could exceed.
	before := time.Now()
	if _, err := h.Handle(lambdaContext(), workEvent(t, "status-ecs", "", testNow.Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	took := time.Since(before)
	// Received a minute ago: the token has tokenLife less a minute left.
	within := func(got, from time.Time) bool { return !got.Before(from) && !got.After(from.Add(took)) }
	if want := before.Add(tokenLife - time.Minute); !within(editDL, want) {
		t.Errorf("edit deadline %s, want within %s of %s", editDL, took, want)
	}
	if want := editDL.Add(-editReserve); !within(workDL, want) {
		t.Errorf("work deadline %s, want within %s of %s", workDL, took, want)
	}
}

// TestWorkEditBeforeAck checks the race of quick work with the acknowledgement: Discord answers
// Unknown Webhook to an edit that reaches it before the deferred response. Soon after the
// interaction the worker tries again; later, or for another 404, it does not.
func TestWorkEditBeforeAck(t *testing.T) {
	t.Parallel()
	unknown := &rest.Error{Status: http.StatusNotFound, Code: unknownWebhook, Message: "Unknown Webhook"}
	tests := []struct {
		name      string
		received  time.Time // testNow is the handler's now
		failures  int       // edits answered 404 before one succeeds
		err       error
		wantEdits int
		wantErr   bool
	}{
		{"ack arrives after two edits", testNow, 2, unknown, 3, false},
		{"ack never arrives", testNow, 10, unknown, 5, true},
		{"token long gone", testNow.Add(-time.Minute), 1, unknown, 1, true},
		{"another 404", testNow, 1, &rest.Error{Status: http.StatusNotFound, Code: 10008, Message: "Unknown Message"}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var edits int
			h, _ := newTestHandler(t, deps{editor: editorFunc(func(context.Context, string, string, discord.Message) (discord.Message, error) {
				edits++
				if edits <= tt.failures {
					return discord.Message{}, tt.err
				}
				return discord.Message{}, nil
			})}, testNow)
			_, err := h.Handle(lambdaContext(), workEvent(t, "help", "", tt.received))
			if (err != nil) != tt.wantErr || edits != tt.wantEdits {
				t.Errorf("Handle = %v after %d edits, want error %v after %d", err, edits, tt.wantErr, tt.wantEdits)
			}
		})
	}
}
