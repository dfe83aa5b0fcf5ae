package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/shared/discord"
)

// postLocal posts body to one of the runner's local routes and returns the status and answer.
func postLocal(t *testing.T, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, e2e.local.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestTryWebhook: POST /local/webhook sends a recorded delivery, chosen by name, about the
// demo repository and signed with the webhook secret; the answer is github-webhook's, then the
// message it posted, with the channel by name. An unknown name lists the recorded ones.
func TestTryWebhook(t *testing.T) {
	t.Parallel()
	status, answer := postLocal(t, "/local/webhook?event=pull_request.opened", "")
	if status != http.StatusOK || !strings.Contains(answer, "(pull_request): github-webhook answered HTTP 200") ||
		!strings.Contains(answer, "in #ops") || !strings.Contains(answer, "acme/shop") {
		t.Errorf("HTTP %d:\n%s\nwant github-webhook's 200 and the announcement about acme/shop in #ops", status, answer)
	}
	status, answer = postLocal(t, "/local/webhook?event=pull_request.exploded", "")
	if status != http.StatusBadRequest || !strings.Contains(answer, "issues.opened") {
		t.Errorf("unknown event: HTTP %d %s, want 400 listing the recorded deliveries", status, answer)
	}
}

// TestSeeded: the runner lists the ids it seeded, so that a request can name them.
func TestSeeded(t *testing.T) {
	t.Parallel()
	got := e2e.local.Seeded()
	for _, want := range []string{demo.ApplicationID, demo.GuildID, demo.ChannelID, demo.DeployRoleID, "1000000000000000043 (@deployers; ?as=jun)",
		demo.Repository, e2e.local.World.Instances["web-1"], e2e.local.World.Instances["batch-1"], demo.ECSCluster + "/" + demo.ECSService,
		demo.AutoScalingGroup, demo.Table} {
		if !strings.Contains(got, want) {
			t.Errorf("Seeded() does not list %s:\n%s", want, got)
		}
	}
}

// TestTryCommand: POST /local/command checks the typed command against the definitions the
// runner registered in the local Discord (those of testdata/commands.json, which must stay
// current) before it sends anything, and sends values with spaces whole.
func TestTryCommand(t *testing.T) {
	t.Parallel()
	var registered []discord.Command
	for _, raw := range e2e.local.Discord.Commands(demo.GuildID) {
		var c discord.Command
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		c.ID = ""
		registered = append(registered, c)
	}
	if diff := cmp.Diff(definitions(t), registered); diff != "" {
		t.Errorf("registered commands differ from testdata/commands.json; regenerate it (see testdata/README.md) (-file +registered):\n%s", diff)
	}
	for _, tt := range []struct {
		text string
		want int
		says string
	}{
		{"/status service:ec2 target:Name=web server", http.StatusOK, "message "},
		{"/status service:ec2 target:app=web zone:a", http.StatusBadRequest, `/status has no option "zone"`},
		{"/scale service:asg target:demo-workers desired:many", http.StatusBadRequest, "is not a whole number"},
		{"/deploy", http.StatusBadRequest, "/deploy needs option environment"},
	} {
		status, answer := postLocal(t, "/local/command", tt.text)
		if status != tt.want || !strings.Contains(answer, tt.says) {
			t.Errorf("%s: HTTP %d %s, want %d saying %q", tt.text, status, answer, tt.want, tt.says)
		}
	}
}

// TestDemoLooksReal: the demo account reads like a real one: the ECS service runs the tasks it
// wants (not 0/2 beside CPU readings), and each metric covers the hour, so every sparkline is
// full (no · for missing data).
func TestDemoLooksReal(t *testing.T) {
	t.Parallel()
	for _, target := range [][2]string{{"ecs", demo.ECSCluster + "/" + demo.ECSService}, {"ec2", "app=web"}} {
		_, m := interact(t, e2e.discord.Command(minji, "status", caller.Option{Name: "service", Value: target[0]}, caller.Option{Name: "target", Value: target[1]}))
		if target[0] == "ecs" && !strings.Contains(fmt.Sprint(m.Content, m.Embeds), "2/2") {
			t.Errorf("/status ecs %+v, want 2/2 tasks running", shownOf(m))
		}
		sparklines := 0
		for _, e := range m.Embeds {
			for _, f := range e.Fields {
				lines := strings.Split(f.Value, "\n")
				if len(lines) < 2 { // a metric that is unavailable says so in one line
					continue
				}
				sparklines++
				if strings.Contains(lines[1], "·") {
					t.Errorf("/status %s %s: sparkline %q has gaps", target[0], f.Name, lines[1])
				}
			}
		}
		if sparklines == 0 {
			t.Errorf("/status %s %+v: no sparkline", target[0], shownOf(m))
		}
	}
}
