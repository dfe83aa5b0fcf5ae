package app

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/shared/discord"
)

// TestResolveReadsTheStackContext: the features' variables come from the repository's CDK
// context as the stack sets them, unless the user's environment sets them.
func TestResolveReadsTheStackContext(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Root: root, Demo: true, Discord: Record, GitHub: Record}
	s, err := resolve(o, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.contract["TWO_PERSON_ENVIRONMENTS"]; got != "prod" {
		t.Errorf("TWO_PERSON_ENVIRONMENTS = %q, want cdk.json's prod", got)
	}
	if got := s.contract["SCALE_MAX_DESIRED"]; got != "10" {
		t.Errorf("SCALE_MAX_DESIRED = %q, want cdk.json's 10", got)
	}
	if _, ok := s.contract["MONTHLY_BUDGET_USD"]; ok {
		t.Error("MONTHLY_BUDGET_USD set while cdk.json leaves it empty")
	}
	s, err = resolve(o, env(map[string]string{"TWO_PERSON_ENVIRONMENTS": "none"}))
	if err != nil || s.contract["TWO_PERSON_ENVIRONMENTS"] != "none" {
		t.Errorf("TWO_PERSON_ENVIRONMENTS=none: %q, %v; want the environment over cdk.json", s.contract["TWO_PERSON_ENVIRONMENTS"], err)
	}
	if _, err := resolve(Options{Root: t.TempDir(), Demo: true, Discord: Record, GitHub: Record}, env(nil)); err == nil ||
		!strings.Contains(err.Error(), "cdk.json") {
		t.Errorf("no cdk.json: error %v, want one naming it", err)
	}
}

// TestSelfApprovalOfProdRefused: with the configuration `make local` starts with (the
// repository's cdk.json, no TWO_PERSON_ENVIRONMENTS in the environment), a member who asks to
// deploy prod cannot approve it herself: the card stays open, says why, and nothing is
// dispatched.
func TestSelfApprovalOfProdRefused(t *testing.T) {
	t.Parallel()
	_, card := interact(t, e2e.discord.Command(minji, "deploy", caller.Option{Name: "environment", Value: "prod"}))
	approve := prefixed(card, "deploy:approve:")
	if approve == "" {
		t.Fatalf("card %+v, want an Approve button", shownOf(card))
	}
	_, refused := interact(t, e2e.discord.Button(minji, approve, card))
	shown := fmt.Sprint(refused.Embeds)
	if prefixed(refused, "deploy:approve:") == "" ||
		!(strings.Contains(shown, "needs a second person") || strings.Contains(shown, "두 사람이 필요합니다")) {
		t.Errorf("card after minji approved her own prod deploy %+v, want it open, saying a second person must approve", shownOf(refused))
	}
	for _, d := range e2e.local.GitHub.Dispatches() {
		if d.Inputs["correlation_id"] == demo.ChannelID+"-"+card.ID {
			t.Errorf("a self-approval of prod dispatched %+v", d)
		}
	}
}

// prefixed is the custom_id of m's enabled button whose custom_id starts with prefix, "" when
// there is none.
func prefixed(m discord.Message, prefix string) string {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.HasPrefix(c.CustomID, prefix) && !c.Disabled {
				return c.CustomID
			}
		}
	}
	return ""
}
