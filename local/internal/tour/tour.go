// Package tour is `make demo`'s script: it sends the demo suite what Discord and GitHub would
// send, one step at a time, and after each step prints what Discord would show (the local
// Discord prints each message as it changes; the tour waits until the suite is idle).
package tour

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/local/internal/fakegithub"
	"github.com/discord-chatops/chatops/local/internal/recorder"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// Env is the running demo the tour talks to.
type Env struct {
	URL           string
	Contract      map[string]string
	WebhookSecret string
	World         demo.World
	Discord       *recorder.Recorder
	GitHub        *fakegithub.Server
	// Idle waits until the suite has done what the requests so far started.
	Idle func(context.Context) error
}

// Tour runs the script.
type Tour struct {
	env     Env
	out     io.Writer
	discord *caller.Discord
	github  *caller.GitHub
	step    int
	// card is the /deploy card, once there is one, for the Approve click and the run.
	card *discord.Message
}

// Requester and Approver are the two demo members; both hold the deploy role, so that the
// approval passes a two-person rule too.
func Requester() caller.Member {
	return caller.Member{UserID: "1000000000000000042", Username: "minji", Roles: []string{demo.DeployRoleID}}
}

// Approver is the demo member who approves.
func Approver() caller.Member {
	return caller.Member{UserID: "1000000000000000043", Username: "jun", Roles: []string{demo.DeployRoleID, demo.OtherRoleID}}
}

// Worker is the caller.Discord Worker the tour sends as, apart from the runner's try routes.
const Worker = 1

// New returns a tour of env that prints to out.
func New(env Env, out io.Writer) *Tour {
	return &Tour{
		env: env,
		out: out,
		discord: &caller.Discord{URL: env.URL, Signer: demo.Signer(), AppID: env.Contract["DISCORD_APPLICATION_ID"],
			GuildID: demo.GuildID, ChannelID: env.Contract["DISCORD_CHANNEL_ID"], Worker: Worker},
		github: &caller.GitHub{URL: env.URL, Secret: env.WebhookSecret},
	}
}

// Run runs every step in order and stops at the first that cannot go on.
func (t *Tour) Run(ctx context.Context) error {
	requester := Requester()
	steps := []struct {
		title string
		run   func(context.Context) error
	}{
		{"Discord checks the endpoint: a signed PING", t.ping},
		{"/help", t.command(requester, "help")},
		{"/status service:ec2 target:app=web (two instances, the CloudWatch agent on one)", t.command(requester, "status",
			caller.Option{Name: "service", Value: "ec2"}, caller.Option{Name: "target", Value: "app=web"})},
		{"/status service:ecs target:" + demo.ECSCluster + "/" + demo.ECSService, t.command(requester, "status",
			caller.Option{Name: "service", Value: "ecs"}, caller.Option{Name: "target", Value: demo.ECSCluster + "/" + demo.ECSService})},
		{"/cost", t.command(requester, "cost")},
		{"/deploy environment:dev, then Approve by another member of the deploy role", t.deploy},
		{"GitHub: a pull request is opened", t.pullRequest("pull_request", "pull_request.opened", 0, nil)},
		{"GitHub: octocat reviews it: changes requested, with a comment (to the message's thread)", t.pullRequest("pull_request_review",
			"pull_request_review.submitted", 1, map[string]any{"review.state": "changes_requested", "review.body": "Please add a test for the new section.",
				"review.user.login": "octocat", "pull_request.requested_reviewers": []any{}})},
		{"GitHub: octocat approves", t.pullRequest("pull_request_review", "pull_request_review.submitted", 2,
			map[string]any{"review.state": "approved", "review.body": "Thanks, looks good.", "review.id": 237895672,
				"review.user.login": "octocat", "pull_request.requested_reviewers": []any{}})},
		{"GitHub: the pull request is merged: one message told its whole life, edited in place", t.pullRequest("pull_request",
			"pull_request.closed.merged.derived", 3, map[string]any{"pull_request.requested_reviewers": []any{}})},
		{"GitHub: the deploy run fails (workflow_run completed, failure) → bus → deploy-notify", t.failedRun},
		{"Roll back, from the failed deploy's button", t.rollback},
		{"The 09:00 cost report, fired on demand (POST /schedule/cost-report)", t.schedule},
	}
	fmt.Fprintf(t.out, "ChatOps demo tour: the four functions run as Lambda runs them, AWS is a seeded moto_server,\n"+
		"Discord and GitHub are local recorders. Gateway: %s\n", t.env.URL)
	for _, s := range steps {
		t.step++
		fmt.Fprintf(t.out, "\n━━ %d. %s\n", t.step, s.title)
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("step %d (%s): %w", t.step, s.title, err)
		}
		if err := t.env.Idle(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintln(t.out, "\nThat was the tour. `make local ARGS=--demo` runs the same suite and waits for your requests; docs/LOCAL.md says how.")
	return nil
}

func (t *Tour) ping(ctx context.Context) error {
	a, err := t.discord.Send(ctx, t.discord.Ping().Body)
	if err != nil {
		return err
	}
	fmt.Fprintf(t.out, "   endpoint answered HTTP %d %s\n", a.Status, a.Body)
	bad := t.discord.Ping().Body
	ts := fmt.Sprint(time.Now().Unix())
	a, err = t.discord.SendSigned(ctx, bad, ts, strings.Repeat("0", 128))
	if err != nil {
		return err
	}
	fmt.Fprintf(t.out, "   and a forged one (Discord sends those too): HTTP %d %s\n", a.Status, a.Body)
	return nil
}

func (t *Tour) command(m caller.Member, name string, opts ...caller.Option) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := t.send(ctx, t.discord.Command(m, name, opts...))
		return err
	}
}

// send posts an interaction and waits until what it started is done; it returns the message
// its answer created or edits.
func (t *Tour) send(ctx context.Context, in caller.Interaction) (discord.Message, error) {
	a, err := t.discord.Send(ctx, in.Body)
	if err != nil {
		return discord.Message{}, err
	}
	if a.Status != 200 {
		return discord.Message{}, fmt.Errorf("endpoint answered HTTP %d %s", a.Status, a.Body)
	}
	if err := t.env.Idle(ctx); err != nil {
		return discord.Message{}, err
	}
	m, _ := t.env.Discord.Original(in.Token)
	return m, nil
}

func (t *Tour) deploy(ctx context.Context) error {
	requester, approver := Requester(), Approver()
	card, err := t.send(ctx, t.discord.Command(requester, "deploy", caller.Option{Name: "environment", Value: "dev"}))
	if err != nil {
		return err
	}
	approve := findButton(card, "approve")
	if approve == "" {
		return fmt.Errorf("the /deploy card has no Approve button: %q", card.Content)
	}
	t.card = &card
	fmt.Fprintf(t.out, "   %s clicks Approve\n", approver.Username)
	after, err := t.send(ctx, t.discord.Button(approver, approve, card))
	if err != nil {
		return err
	}
	t.card = &after
	return nil
}

// pullRequest sends the recorded payload name of event, about the configured repository, as
// the step-th change of the pull request's life: its times a minute after the opening's, so
// that the feed takes them in order (the payloads were recorded apart), and set edited in.
func (t *Tour) pullRequest(event, name string, step int, set map[string]any) func(context.Context) error {
	return func(ctx context.Context) error {
		payload, err := githubapptest.ReadPayload(name)
		if err != nil {
			return err
		}
		edits := map[string]any{}
		if step > 0 {
			at := time.Date(2019, 5, 15, 15, 20, 33, 0, time.UTC).Add(time.Duration(step) * time.Minute).Format(time.RFC3339)
			edits["pull_request.updated_at"] = at
			if event == "pull_request_review" {
				edits["review.submitted_at"] = at
			} else {
				edits["pull_request.merged_at"], edits["pull_request.closed_at"] = at, at
			}
		}
		maps.Copy(edits, set)
		if payload, err = caller.Edit(payload, edits); err != nil {
			return err
		}
		if payload, err = caller.AboutRepository(payload, t.env.Contract["GITHUB_REPOSITORY"]); err != nil {
			return err
		}
		a, _, err := t.github.Send(ctx, event, payload)
		if err != nil {
			return err
		}
		fmt.Fprintf(t.out, "   github-webhook answered HTTP %d %s\n", a.Status, a.Body)
		return nil
	}
}

// failedRun sends the failure of the run the Approve dispatched when there is one (its
// display title carries the card's correlation id, as the example workflow's run-name does),
// else of a run started outside Discord.
func (t *Tour) failedRun(ctx context.Context) error {
	base, err := githubapptest.ReadPayload("workflow_run.completed.failure.derived")
	if err != nil {
		return err
	}
	title := "Deploy dev by minji [manual]"
	runID := int64(9000000001)
	sha := "5ca1ab1e0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	if d := t.env.GitHub.Dispatches(); len(d) > 0 {
		last := d[len(d)-1]
		title = fmt.Sprintf("Deploy %s by %s [%s]", last.Inputs["environment"], last.Inputs["requested_by"], last.Inputs["correlation_id"])
		runID = last.RunID
		t.env.GitHub.Complete(runID, "failure")
	} else {
		fmt.Fprintln(t.out, "   (no deploy was dispatched, so this run has no card: deploy-notify posts it to the channel)")
	}
	repo := t.env.Contract["GITHUB_REPOSITORY"]
	now := time.Now().UTC()
	payload, err := caller.Edit(base, map[string]any{
		"workflow_run.display_title":  title,
		"workflow_run.head_sha":       sha,
		"workflow_run.run_number":     42,
		"workflow_run.run_started_at": now.Add(-3 * time.Minute).Format(time.RFC3339),
		"workflow_run.updated_at":     now.Format(time.RFC3339),
		"repository.html_url":         "https://github.com/" + repo,
		"workflow_run.path":           ".github/workflows/" + t.env.Contract["DEPLOY_WORKFLOW"],
		"workflow_run.id":             runID,
		"workflow_run.head_branch":    "main",
		"workflow_run.html_url":       fmt.Sprintf("https://github.com/%s/actions/runs/%d", repo, runID),
		"repository.full_name":        repo,
	})
	if err != nil {
		return err
	}
	a, _, err := t.github.Send(ctx, "workflow_run", payload)
	if err != nil {
		return err
	}
	fmt.Fprintf(t.out, "   github-webhook answered HTTP %d (put on the bus; deploy-notify runs next)\n", a.Status)
	return nil
}

// rollback clicks the Roll back button deploy-notify put under the failure, when there is one.
func (t *Tour) rollback(ctx context.Context) error {
	if t.card == nil {
		return errors.New("no deploy card, so no Roll back button to click")
	}
	card, ok := t.env.Discord.Message(t.card.ID)
	if !ok {
		return fmt.Errorf("the card %s is gone from the local Discord", t.card.ID)
	}
	id := findButton(card, "roll")
	if id == "" {
		return errors.New("the failed deploy's card has no Roll back button")
	}
	requester := Requester()
	fmt.Fprintf(t.out, "   %s clicks Roll back\n", requester.Username)
	rollback, err := t.send(ctx, t.discord.Button(requester, id, card))
	if err != nil {
		return err
	}
	// GitHub's deployments of dev say main failed after v1.4.2 ran: the card offers v1.4.2.
	if len(rollback.Embeds) == 0 || !strings.Contains(rollback.Embeds[0].Title, lastGood[:7]) {
		return fmt.Errorf("roll back offers %q %q, want the last good commit %s", rollback.Content, titles(rollback), lastGood[:7])
	}
	fmt.Fprintf(t.out, "   the card offers %s, the last commit dev ran successfully\n", lastGood[:7])
	return nil
}

// lastGood is what dev last deployed successfully in the demo repository (v1.4.2).
const lastGood = "c0ffee15a1b2c3d4e5f60718293a4b5c6d7e8f90"

func titles(m discord.Message) []string {
	var out []string
	for _, e := range m.Embeds {
		out = append(out, e.Title)
	}
	return out
}

func (t *Tour) schedule(ctx context.Context) error {
	a, err := postJSON(ctx, t.env.URL+"/schedule/cost-report", "{}")
	if err != nil {
		return err
	}
	var res map[string]any
	_ = json.Unmarshal(a, &res)
	fmt.Fprintf(t.out, "   cost-cron returned %s\n", strings.TrimSpace(string(a)))
	return nil
}

// findButton returns the custom_id of the card's first button whose custom_id or label
// contains word, "" when there is none.
func findButton(m discord.Message, word string) string {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if c.CustomID != "" && (strings.Contains(strings.ToLower(c.CustomID), word) || strings.Contains(strings.ToLower(c.Label), word)) {
				return c.CustomID
			}
		}
	}
	return ""
}
