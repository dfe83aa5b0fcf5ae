package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// jun holds the demo's deploy role too; guest does not.
var (
	jun   = caller.Member{UserID: "1000000000000000043", Username: "jun", Roles: []string{demo.DeployRoleID}}
	guest = caller.Member{UserID: "1000000000000000044", Username: "guest", Roles: []string{demo.OtherRoleID}}
)

// button returns the custom_id of the enabled button labelled label, "" when there is none.
func button(m discord.Message, label string) string {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if c.Label == label && c.CustomID != "" && !c.Disabled {
				return c.CustomID
			}
		}
	}
	return ""
}

// TestDeployFlow is /deploy from request to failed run: the card, a refused approval by a
// member without the role, the approval by a second member of the role, the workflow dispatch
// at the local GitHub, then the run's failure through POST /github, the bus and deploy-notify,
// onto the same card.
func TestDeployFlow(t *testing.T) {
	t.Parallel()
	_, card := interact(t, e2e.discord.Command(minji, "deploy", caller.Option{Name: "environment", Value: "dev"}))
	approve := button(card, "Approve")
	if approve == "" || button(card, "Cancel") == "" || len(card.Embeds) == 0 {
		t.Fatalf("card %+v, want an embed with Approve and Cancel", shownOf(card))
	}
	correlation := demo.ChannelID + "-" + card.ID
	dispatched := func() []string {
		var refs []string
		for _, d := range e2e.local.GitHub.Dispatches() {
			if d.Inputs["correlation_id"] == correlation {
				refs = append(refs, d.Ref)
			}
		}
		return refs
	}

	a, refused := interact(t, e2e.discord.Button(guest, approve, card))
	if r := answerJSON(t, a); r.Type != discord.ResponseUpdateMessage {
		t.Errorf("refused approval answered type %d, want 7 (update the card)", r.Type)
	}
	if refused.ID != card.ID || button(refused, "Approve") == "" || !strings.Contains(fmt.Sprint(refused.Embeds), "refused") {
		t.Errorf("card after guest's click %+v, want it still open, saying the approval was refused", shownOf(refused))
	}
	if got := dispatched(); len(got) != 0 {
		t.Fatalf("a refused approval dispatched %v", got)
	}

	_, approved := interact(t, e2e.discord.Button(jun, approve, refused))
	if got := dispatched(); len(got) != 1 || got[0] != "main" {
		t.Fatalf("dispatches for %s: %v, want one of main", correlation, got)
	}
	var run int64
	for _, d := range e2e.local.GitHub.Dispatches() {
		if d.Inputs["correlation_id"] == correlation {
			run = d.RunID
			if d.Repo != demo.Repository || d.Workflow != demo.Workflow || d.Inputs["environment"] != "dev" || d.Inputs["requested_by"] != "minji" {
				t.Errorf("dispatch %+v, want %s %s for dev requested by minji", d, demo.Repository, demo.Workflow)
			}
		}
	}
	if button(approved, "Approve") != "" || !strings.Contains(fmt.Sprint(approved.Embeds), fmt.Sprint(run)) {
		t.Errorf("card after the approval %+v, want it closed and naming run %d", shownOf(approved), run)
	}

	payload, err := caller.Edit(githubapptest.Payload(t, "workflow_run.completed.failure.derived"), map[string]any{
		"workflow_run.id":            run,
		"workflow_run.run_number":    runNumber(run),
		"workflow_run.path":          ".github/workflows/" + demo.Workflow,
		"workflow_run.display_title": "Deploy dev by minji [" + correlation + "]",
	})
	if err != nil {
		t.Fatal(err)
	}
	if a := deliver(t, "workflow_run", payload); a.Status != http.StatusAccepted {
		t.Fatalf("workflow_run: %d %s, want 202", a.Status, a.Body)
	}
	final, _ := e2e.local.Discord.Message(card.ID)
	s := shownOf(final)
	if len(s.Titles) < 2 || s.Titles[len(s.Titles)-1] != "Deploy to dev failed" || !containsString(s.Buttons, "Roll back") {
		t.Errorf("card after the failed run %+v, want the failure embed under the approval, with Roll back", s)
	}
	if got := postedFor(run); len(got) != 0 {
		t.Errorf("the run's failure was posted to the channel too: %+v", got)
	}
}
