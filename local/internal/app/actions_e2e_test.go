package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
)

// desiredCapacity reads the demo Auto Scaling group's desired capacity from the demo's moto.
func desiredCapacity(t *testing.T) int32 {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithBaseEndpoint(e2e.local.MotoURL),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")))
	if err != nil {
		t.Fatal(err)
	}
	out, err := autoscaling.NewFromConfig(cfg).DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{
		AutoScalingGroupNames: []string{demo.AutoScalingGroup}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("describe %s: %v", demo.AutoScalingGroup, err)
	}
	return aws.ToInt32(out.AutoScalingGroups[0].DesiredCapacity)
}

// TestScaleFlow is /scale on the demo's tagged Auto Scaling group (min 1, desired 2, max 4): a
// value outside the group's range is refused with nothing changed; then a preview card,
// approved by a second member of the deploy role, sets the new desired capacity in AWS once.
func TestScaleFlow(t *testing.T) {
	t.Parallel()
	scale := func(desired int) caller.Interaction {
		return e2e.discord.Command(minji, "scale", caller.Option{Name: "service", Value: "asg"},
			caller.Option{Name: "target", Value: demo.AutoScalingGroup}, caller.Option{Name: "desired", Value: desired})
	}
	_, refused := interact(t, scale(9))
	if button(refused, "Approve") != "" || !strings.Contains(fmt.Sprint(refused.Content, refused.Embeds), "4") {
		t.Errorf("/scale to 9 (max 4): %+v, want a refusal naming the maximum and no Approve", shownOf(refused))
	}
	if got := desiredCapacity(t); got != 2 {
		t.Fatalf("desired capacity %d after a refused request, want 2", got)
	}

	_, card := interact(t, scale(3))
	approve := button(card, "Approve")
	if approve == "" {
		t.Fatalf("/scale to 3: %+v, want a preview card with Approve", shownOf(card))
	}
	_, done := interact(t, e2e.discord.Button(jun, approve, card))
	if button(done, "Approve") != "" || !strings.Contains(fmt.Sprint(done.Embeds), "2 → 3") {
		t.Errorf("card after the approval %+v, want it closed and saying 2 → 3", shownOf(done))
	}
	if got := desiredCapacity(t); got != 3 {
		t.Errorf("desired capacity %d after the approval, want 3", got)
	}
	// The same click again (Discord redelivering it) finds the card closed: nothing more is written.
	interact(t, e2e.discord.Button(jun, approve, done))
	if got := desiredCapacity(t); got != 3 {
		t.Errorf("desired capacity %d after a repeated click, want 3", got)
	}
}

// TestAssign is /assign through the runner: the local GitHub records the assignment the App
// made, and the answer names the login and the issue.
func TestAssign(t *testing.T) {
	t.Parallel()
	before := len(e2e.local.GitHub.Assignments())
	_, answer := interact(t, e2e.discord.Command(minji, "assign",
		caller.Option{Name: "number", Value: 7}, caller.Option{Name: "assignee", Value: "@octocat"}))
	got := e2e.local.GitHub.Assignments()
	if len(got) != before+1 {
		t.Fatalf("%d assignments, want %d", len(got), before+1)
	}
	if a := got[len(got)-1]; a.Repo != demo.Repository || a.Number != 7 || len(a.Assignees) != 1 || a.Assignees[0] != "octocat" {
		t.Errorf("assignment %+v, want octocat on %s#7", a, demo.Repository)
	}
	if text := fmt.Sprint(answer.Content, answer.Embeds); !strings.Contains(text, "octocat") || !strings.Contains(text, "7") {
		t.Errorf("answer %+v, want it to name octocat and #7", shownOf(answer))
	}
	// The local GitHub answers an issue the repository does not have with GitHub's 404.
	_, missing := interact(t, e2e.discord.Command(minji, "assign",
		caller.Option{Name: "number", Value: 404}, caller.Option{Name: "assignee", Value: "@octocat"}))
	if n := len(e2e.local.GitHub.Assignments()); n != before+1 {
		t.Errorf("%d assignments after #404, want %d", n, before+1)
	}
	if text := fmt.Sprint(missing.Content, missing.Embeds); !strings.Contains(text, "#404") {
		t.Errorf("answer %+v, want it to say there is no #404", shownOf(missing))
	}
}

// TestRollbackCard is /rollback through the runner: a card naming the earlier successful
// deploy's commit from the local GitHub's run history, with Approve and Cancel; Cancel closes it
// without a dispatch.
func TestRollbackCard(t *testing.T) {
	t.Parallel()
	_, card := interact(t, e2e.discord.Command(minji, "rollback", caller.Option{Name: "environment", Value: "prod"}))
	cancel := button(card, "Cancel")
	if button(card, "Approve") == "" || cancel == "" || len(card.Embeds) == 0 || !strings.HasPrefix(card.Embeds[0].Title, "Roll back prod to ") {
		t.Fatalf("/rollback card %+v, want \"Roll back prod to <commit>\" with Approve and Cancel", shownOf(card))
	}
	correlation := demo.ChannelID + "-" + card.ID
	_, closed := interact(t, e2e.discord.Button(minji, cancel, card))
	if button(closed, "Approve") != "" {
		t.Errorf("card after Cancel %+v, want it closed", shownOf(closed))
	}
	for _, d := range e2e.local.GitHub.Dispatches() {
		if d.Inputs["correlation_id"] == correlation {
			t.Errorf("a cancelled rollback dispatched %+v", d)
		}
	}
}
