package main

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/audit/audittest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// TestAuditResult follows a deploy approved on a card through its run, each state delivered
// twice, and a deployment made elsewhere: the audit trail gets one entry per finished deploy,
// with its conclusion, kept for AUDIT_RETENTION_DAYS (30 in the fixture).
func TestAuditResult(t *testing.T) {
	t.Parallel()
	clock := statetest.NewClock(testNow)
	client, name := statetest.Create(t, motoServer)
	f := newFixtureOn(t, "test.yml", state.New(statetest.Serialize(client), name, clock.Now))
	seed(t, f.discord, card)
	for _, s := range []struct{ eventType, file string }{
		{"workflow_run", "workflow_run.in_progress.card.derived"},
		{"workflow_run", "workflow_run.completed.failure.card.derived"},
		{"workflow_run", "workflow_run.in_progress.card.derived"},
		{"workflow_run", "workflow_run.completed.failure.card.derived"},
		{"deployment_status", "deployment_status.created"},
		{"deployment_status", "deployment_status.created"},
	} {
		if err := f.send(t, s.eventType, s.file); err != nil {
			t.Fatalf("%s: Handle: %v", s.file, err)
		}
	}

	got, _, err := audit.NewTrail(f.h.table, 0).Recent(context.Background(), audit.Filter{}, 20)
	if err != nil {
		t.Fatal(err)
	}
	want := []audit.Entry{
		{At: time.Date(2020, 10, 5, 16, 33, 49, 0, time.UTC), Action: "deploy.result", Target: "prod@master", Outcome: "failure",
			Detail: "https://github.com/octo-org/octo-repo/actions/runs/289782451", User: "alice", ChannelID: cardChannelID, Environment: "prod"},
		// The recorded deployment status gives no URL.
		{At: time.Date(2019, 5, 15, 15, 20, 55, 0, time.UTC), Action: "deployment.result", Target: "production@master", Outcome: "success",
			User: "Codertocat", ChannelID: testChannelID, Environment: "production"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit entries (-want +got):\n%s", diff)
	}

	// The retention: each entry expires 30 days after it was written.
	exp := audittest.Expiries(t, client, name)
	if len(exp) != len(want) {
		t.Errorf("%d items, want %d", len(exp), len(want))
	}
	for sk, v := range exp {
		if want := testNow.Add(30 * 24 * time.Hour).Unix(); v != want {
			t.Errorf("entry %s expires at %d, want %d (30 days on)", sk, v, want)
		}
	}
}
