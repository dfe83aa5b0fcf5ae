package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/local/suite"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// The end-to-end tests drive the four functions, built for this machine with -tags
// lambda.norpc, through the same runner `make local ARGS=--demo` starts: one moto_server seeded
// with the demo world, one suite, the local Discord and GitHub. Requests are signed as Discord
// and GitHub sign them and go through the local HTTP API; asynchronous self-invocations and bus
// deliveries run as Lambda runs them. Each test waits until the suite is idle and checks what
// the local Discord and GitHub received, never how long anything took.

// e2e is the running suite the tests share; TestMain starts it.
var e2e struct {
	local   *Local
	logs    *bytes.Buffer
	discord *caller.Discord
	github  *caller.GitHub
	runSeq  atomic.Int64
}

// minji holds the demo's deploy role.
var minji = caller.Member{UserID: "1000000000000000042", Username: "minji", Roles: []string{demo.DeployRoleID}}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	bin, err := os.MkdirTemp("", "chatops-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(bin)
	root, err := filepath.Abs("../../..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	e2e.logs = &bytes.Buffer{}
	// Build first, without a time limit: a build ends on its own, and on a loaded machine with a
	// cold cache it can take minutes. Start's own build below then finds it done; the limit is
	// for starting moto and the suite.
	if _, err := suite.Build(context.Background(), root, bin); err != nil {
		fmt.Fprintf(os.Stderr, "build the functions: %v\n", err)
		return 1
	}
	if err := buildRegister(context.Background(), root, filepath.Join(bin, "register", "register")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The channel's language is set to the one the assertions read (English), not left to the
	// stack's default (ko), so that the default does not decide what the tests check; each
	// interaction's locale is en-US (caller.Discord), so inline answers are English too.
	l, err := Start(ctx, Options{Root: root, Demo: true, Discord: Record, GitHub: Record, Build: true, BinDir: bin},
		env(map[string]string{"CHATOPS_LANGUAGE": "en"}), nil, io.Discard, &syncWriter{w: e2e.logs})
	if err != nil {
		fmt.Fprintf(os.Stderr, "start the suite: %v\n", err)
		return 1
	}
	defer l.Close()
	e2e.local = l
	e2e.discord = &caller.Discord{URL: l.URL, Signer: demo.Signer(), AppID: demo.ApplicationID, GuildID: demo.GuildID, ChannelID: demo.ChannelID, Worker: 3}
	e2e.github = &caller.GitHub{URL: l.URL, Secret: l.WebhookSecret}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "the functions' output:\n%s\n", e2e.logs.String())
	}
	return code
}

// testContext is a context for one test's requests, ended with the test.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// interact sends a signed interaction, waits until what it started is done, and returns the
// endpoint's answer and the message it created or edits.
func interact(t *testing.T, in caller.Interaction) (caller.Answer, discord.Message) {
	t.Helper()
	ctx := testContext(t)
	a, err := e2e.discord.Send(ctx, in.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := e2e.local.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	m, _ := e2e.local.Discord.Original(in.Token)
	return a, m
}

// deliver sends a signed webhook delivery and waits until what it started is done.
func deliver(t *testing.T, event string, payload []byte) caller.Answer {
	t.Helper()
	ctx := testContext(t)
	a, _, err := e2e.github.Send(ctx, event, payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := e2e.local.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	return a
}

// shown is what a test checks of a message: its text, embed titles and fields, buttons.
type shown struct {
	Ephemeral bool
	Content   string
	Titles    []string
	Fields    []string
	Buttons   []string
}

func shownOf(m discord.Message) shown {
	s := shown{Ephemeral: m.Flags&discord.FlagEphemeral != 0, Content: m.Content}
	for _, e := range m.Embeds {
		s.Titles = append(s.Titles, e.Title)
		for _, f := range e.Fields {
			s.Fields = append(s.Fields, f.Name+": "+firstLine(f.Value))
		}
	}
	for _, row := range m.Components {
		for _, c := range row.Components {
			s.Buttons = append(s.Buttons, c.Label)
		}
	}
	return s
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func answerJSON(t *testing.T, a caller.Answer) discord.Response {
	t.Helper()
	var r discord.Response
	if err := json.Unmarshal(a.Body, &r); err != nil {
		t.Fatalf("answer %d %s: %v", a.Status, a.Body, err)
	}
	return r
}

func TestPing(t *testing.T) {
	t.Parallel()
	a, _ := interact(t, e2e.discord.Ping())
	if a.Status != http.StatusOK || string(a.Body) != `{"type":1}` || a.ContentType != "application/json" {
		t.Errorf("PING: %d %s %s, want 200 application/json {\"type\":1}", a.Status, a.ContentType, a.Body)
	}
}

// TestRefused sends requests Discord's own checks send: each must get 401 and start nothing.
func TestRefused(t *testing.T) {
	t.Parallel()
	now := time.Now()
	tests := []struct {
		name   string
		mangle func(body []byte) (b []byte, ts, sig string)
	}{
		{"forged signature", func(b []byte) ([]byte, string, string) {
			ts := strconv.FormatInt(now.Unix(), 10)
			return b, ts, strings.Repeat("ab", 64)
		}},
		{"stale timestamp", func(b []byte) ([]byte, string, string) {
			ts := strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10)
			return b, ts, demo.Signer().Sign(ts, b)
		}},
		{"body changed after signing", func(b []byte) ([]byte, string, string) {
			ts := strconv.FormatInt(now.Unix(), 10)
			return bytes.Replace(b, []byte(`"status"`), []byte(`"statuz"`), 1), ts, demo.Signer().Sign(ts, b)
		}},
		{"no signature", func(b []byte) ([]byte, string, string) { return b, "", "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := e2e.discord.Command(minji, "status", caller.Option{Name: "service", Value: "ec2"}, caller.Option{Name: "target", Value: "app=web"})
			body, ts, sig := tt.mangle(in.Body)
			ctx := testContext(t)
			a, err := e2e.discord.SendSigned(ctx, body, ts, sig)
			if err != nil {
				t.Fatal(err)
			}
			if err := e2e.local.Idle(ctx); err != nil {
				t.Fatal(err)
			}
			if a.Status != http.StatusUnauthorized {
				t.Errorf("answer %d %s, want 401", a.Status, a.Body)
			}
			if m, ok := e2e.local.Discord.Original(in.Token); ok {
				t.Errorf("a refused request reached Discord: %+v", m)
			}
		})
	}
}

func TestInlineAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   caller.Interaction
		want shown
	}{
		{"help lists every command", e2e.discord.Command(minji, "help"), shown{Ephemeral: true, Titles: []string{"ChatOps commands"}}},
		{"unknown command", e2e.discord.Command(minji, "weather"), shown{Ephemeral: true,
			Content: "I don't know `/weather`: it may have been removed. Try `/help` for what I can do."}},
		{"status with a bad ECS target", e2e.discord.Command(minji, "status", caller.Option{Name: "service", Value: "ecs"}, caller.Option{Name: "target", Value: "web"}),
			shown{Ephemeral: true, Content: "`web` is not an ECS service: write it as `cluster/service`, for example `prod/api`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, m := interact(t, tt.in)
			if r := answerJSON(t, a); r.Type != discord.ResponseChannelMessageWithSource {
				t.Errorf("answer type %d, want 4 (inline)", r.Type)
			}
			if diff := cmp.Diff(tt.want, shownOf(m)); diff != "" {
				t.Errorf("Discord shows (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("help names each command", func(t *testing.T) {
		t.Parallel()
		_, m := interact(t, e2e.discord.Command(minji, "help"))
		if len(m.Embeds) != 1 {
			t.Fatalf("embeds %+v", m.Embeds)
		}
		for _, c := range []string{"/status", "/cost", "/deploy", "/rollback", "/assign", "/scale", "/help"} {
			if !strings.Contains(m.Embeds[0].Description, "`"+c) {
				t.Errorf("/help does not list %s:\n%s", c, m.Embeds[0].Description)
			}
		}
	})
}

// TestDeferred runs the commands that defer: the answer is {"type":5}, the asynchronous
// self-invocation does the work, and the reply is edited through the interaction webhook.
func TestDeferred(t *testing.T) {
	t.Parallel()
	w := e2e.local.World
	noAgent := "Memory: unavailable: the CloudWatch agent is not installed or not publishing mem_used_percent on this instance"
	tests := []struct {
		name string
		opts []caller.Option
		cmd  string
		want shown
	}{
		{"status ec2 by id", []caller.Option{{Name: "service", Value: "ec2"}, {Name: "target", Value: w.Instances["web-1"]}}, "status",
			shown{Content: "**EC2** `" + w.Instances["web-1"] + "`: 1 EC2 instance", Titles: []string{"web-1"},
				Fields: []string{"CPU: **38.0%** now", "Memory: **67.0%** now"}}},
		{"status ec2 by tag", []caller.Option{{Name: "service", Value: "ec2"}, {Name: "target", Value: "app=web"}}, "status",
			shown{Content: "**EC2** `app=web`: 2 EC2 instances", Titles: []string{"web-1", "web-2"},
				Fields: []string{"CPU: **38.0%** now", "Memory: **67.0%** now", "CPU: **88.0%** now", noAgent}}},
		{"status ecs", []caller.Option{{Name: "service", Value: "ecs"}, {Name: "target", Value: demo.ECSCluster + "/" + demo.ECSService}}, "status",
			shown{Content: "**ECS** `demo/web`: 1 ECS service", Titles: []string{"web"},
				Fields: []string{"CPU: **27.0%** now", "Memory: **47.0%** now"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, m := interact(t, e2e.discord.Command(minji, tt.cmd, tt.opts...))
			if a.Status != http.StatusOK || string(a.Body) != `{"type":5}` {
				t.Fatalf("answer %d %s, want the deferred {\"type\":5}", a.Status, a.Body)
			}
			if diff := cmp.Diff(tt.want, shownOf(m)); diff != "" {
				t.Errorf("edited reply (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("status eks without Container Insights", func(t *testing.T) {
		t.Parallel()
		_, m := interact(t, e2e.discord.Command(minji, "status", caller.Option{Name: "service", Value: "eks"}, caller.Option{Name: "target", Value: demo.EKSCluster}))
		s := shownOf(m)
		if len(s.Titles) != 1 || s.Titles[0] != demo.EKSCluster || len(s.Fields) != 2 ||
			!strings.Contains(s.Fields[0], "Container Insights") || !strings.Contains(s.Fields[1], "Container Insights") {
			t.Errorf("edited reply %+v, want %s with CPU and memory unavailable for want of Container Insights", s, demo.EKSCluster)
		}
	})
	t.Run("cost", func(t *testing.T) {
		t.Parallel()
		a, m := interact(t, e2e.discord.Command(minji, "cost"))
		if string(a.Body) != `{"type":5}` {
			t.Fatalf("answer %s, want the deferred {\"type\":5}", a.Body)
		}
		s := shownOf(m)
		if len(m.Embeds) != 1 || !strings.HasPrefix(s.Titles[0], "AWS cost: ") ||
			!strings.Contains(m.Embeds[0].Description, "Amazon Elastic Compute Cloud - Compute") && !strings.Contains(strings.Join(s.Fields, "\n"), "Amazon Elastic Compute Cloud - Compute") {
			t.Errorf("edited reply %+v, want the month's cost with the demo's top service", s)
		}
	})
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, event, file string
		status            int
		// title is the announcement's embed title; "" when nothing is announced.
		title string
	}{
		{"ping", "ping", "ping", http.StatusOK, ""},
		{"pull request opened", "pull_request", "pull_request.opened", http.StatusOK, "#2 Update the README with new information."},
		{"pull request merged", "pull_request", "pull_request.closed.merged.derived", http.StatusOK, "#2 Update the README with new information."},
		{"pull request closed without merging", "pull_request", "pull_request.closed", http.StatusNoContent, ""},
		{"issue opened", "issues", "issues.opened", http.StatusOK, "#1 Spelling error in the README file"},
		{"event not handled", "installation", "installation.created", http.StatusNoContent, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			payload := githubapptest.Payload(t, tt.file)
			if tt.file == "pull_request.closed" {
				// Another pull request than #2, which the cases beside it open and merge: a
				// pull request with a message has its closing shown there (github-webhook's
				// one message per pull request).
				var err error
				if payload, err = caller.Edit(payload, map[string]any{"pull_request.number": 3}); err != nil {
					t.Fatal(err)
				}
			}
			a := deliver(t, tt.event, payload)
			if a.Status != tt.status {
				t.Fatalf("answer %d %s, want %d", a.Status, a.Body, tt.status)
			}
			if tt.title == "" {
				return
			}
			var posted struct {
				MessageID string `json:"message_id"`
			}
			if err := json.Unmarshal(a.Body, &posted); err != nil {
				t.Fatalf("answer %s: %v", a.Body, err)
			}
			m, ok := e2e.local.Discord.Message(posted.MessageID)
			if !ok {
				t.Fatalf("message %s is not in the local Discord", posted.MessageID)
			}
			if got := shownOf(m).Titles; len(got) != 1 || got[0] != tt.title || m.ChannelID != demo.ChannelID {
				t.Errorf("posted %v in %s, want %q in %s", got, m.ChannelID, tt.title, demo.ChannelID)
			}
		})
	}
	t.Run("bad signature", func(t *testing.T) {
		t.Parallel()
		payload := githubapptest.Payload(t, "pull_request.opened")
		a, _, err := e2e.github.SendAs(testContext(t), "pull_request", "application/json", payload,
			githubapptest.SignWebhook([]byte("not-the-secret"), payload))
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != http.StatusUnauthorized {
			t.Errorf("answer %d %s, want 401", a.Status, a.Body)
		}
	})
	t.Run("form-encoded delivery arrives base64-encoded", func(t *testing.T) {
		t.Parallel()
		payload := githubapptest.Payload(t, "issues.opened")
		form := []byte("payload=" + url.QueryEscape(string(payload)))
		a, _, err := e2e.github.SendAs(testContext(t), "issues", "application/x-www-form-urlencoded", form,
			githubapptest.SignWebhook([]byte(e2e.local.WebhookSecret), form))
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != http.StatusOK || !strings.Contains(string(a.Body), "message_id") {
			t.Errorf("answer %d %s, want the announcement posted", a.Status, a.Body)
		}
	})
}

// runPayload is a workflow_run delivery of a run with a fresh id, edited as the tests need.
func runPayload(t *testing.T, file string, set map[string]any) ([]byte, int64) {
	t.Helper()
	base := githubapptest.Payload(t, file)
	id := 8000000000 + e2e.runSeq.Add(1)
	set["workflow_run.id"], set["workflow_run.run_number"] = id, runNumber(id)
	payload, err := caller.Edit(base, set)
	if err != nil {
		t.Fatal(err)
	}
	return payload, id
}

// runNumber is the run number the tests give the run with id: a status embed's footer names a
// run by its number. The tests' runs (8000000001, ...) and the local GitHub's (9000000001, ...)
// become 8001... and 9001..., apart from each other and from the recorded payloads' (#2).
func runNumber(id int64) int64 { return id/1000000000*1000 + id%1000 }

// postedFor returns the channel messages whose embed footer names the run with id.
func postedFor(runID int64) []discord.Message {
	var out []discord.Message
	for _, r := range e2e.local.Discord.Records() {
		if r.Kind != discordtest.KindCreate {
			continue
		}
		for _, e := range r.Message.Embeds {
			// The channel speaks English (CHATOPS_LANGUAGE=en): "run #<run number> · attempt <n> · <status>".
			if e.Footer != nil && strings.HasPrefix(e.Footer.Text, fmt.Sprintf("run #%d ", runNumber(runID))) {
				out = append(out, r.Message)
			}
		}
	}
	return out
}

// TestBus sends workflow runs through POST /github: github-webhook puts them on the local bus,
// whose rule invokes deploy-notify with the EventBridge envelope.
func TestBus(t *testing.T) {
	t.Parallel()
	t.Run("failed deploy without a card is posted to the channel", func(t *testing.T) {
		t.Parallel()
		payload, id := runPayload(t, "workflow_run.completed.failure.derived", map[string]any{
			"workflow_run.path": ".github/workflows/" + demo.Workflow, "workflow_run.display_title": "Deploy prod by minji [manual]"})
		if a := deliver(t, "workflow_run", payload); a.Status != http.StatusAccepted {
			t.Fatalf("answer %d %s, want 202", a.Status, a.Body)
		}
		got := postedFor(id)
		if len(got) != 1 {
			t.Fatalf("%d messages for run %d, want 1", len(got), id)
		}
		want := shown{Titles: []string{"Deploy to prod failed"}, Buttons: []string{"Roll back", "View run"}}
		s := shownOf(got[0])
		s.Fields = nil
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("posted (-want +got):\n%s", diff)
		}
	})
	t.Run("a run of another workflow goes to the bus and is not reported", func(t *testing.T) {
		t.Parallel()
		payload, id := runPayload(t, "workflow_run.completed.failure.derived", map[string]any{})
		if a := deliver(t, "workflow_run", payload); a.Status != http.StatusAccepted {
			t.Fatalf("answer %d %s, want 202", a.Status, a.Body)
		}
		if got := postedFor(id); len(got) != 0 {
			t.Errorf("posted %+v for a run of test.yml, want nothing", got)
		}
	})
	t.Run("deployment made elsewhere is posted", func(t *testing.T) {
		t.Parallel()
		base := githubapptest.Payload(t, "deployment_status.created")
		payload, err := caller.Edit(base, map[string]any{"deployment_status.id": 7000000000 + e2e.runSeq.Add(1)})
		if err != nil {
			t.Fatal(err)
		}
		before := len(e2e.local.Discord.Records())
		if a := deliver(t, "deployment_status", payload); a.Status != http.StatusAccepted {
			t.Fatalf("answer %d %s, want 202", a.Status, a.Body)
		}
		var titles []string
		for _, r := range e2e.local.Discord.Records()[before:] {
			if r.Kind == discordtest.KindCreate {
				titles = append(titles, shownOf(r.Message).Titles...)
			}
		}
		if !containsString(titles, "Deployment to production succeeded") {
			t.Errorf("posted %q, want Deployment to production succeeded among them", titles)
		}
	})
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestSchedule fires the 09:00 schedule twice: the report is posted once (the day's nonce
// makes Discord answer the second post with the first message).
func TestSchedule(t *testing.T) {
	t.Parallel()
	fire := func() string {
		t.Helper()
		resp, err := http.Post(e2e.local.URL+"/schedule/cost-report", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			MessageID string `json:"message_id"`
			Period    string `json:"period"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("schedule: %d %v", resp.StatusCode, err)
		}
		return out.MessageID
	}
	first, second := fire(), fire()
	if first == "" || first != second {
		t.Errorf("messages %q and %q, want one report posted once", first, second)
	}
	m, ok := e2e.local.Discord.Message(first)
	if !ok || m.ChannelID != demo.ChannelID || len(m.Embeds) != 1 || !strings.HasPrefix(m.Embeds[0].Title, "AWS cost: ") {
		t.Errorf("report %+v, want the cost report in %s", m, demo.ChannelID)
	}
}
