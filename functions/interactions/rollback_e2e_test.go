package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// deployed adds to the world's GitHub a deployment of sha to environment, created age ago by
// run, whose job went through states, as GitHub records a job with `environment:`.
func (w *deployWorld) deployed(environment, sha string, age time.Duration, run int64, states ...string) {
	w.t.Helper()
	at := w.now.Add(-age)
	d := w.gh.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: sha, Ref: "main", Environment: environment, Run: run, CreatedAt: at})
	for i, st := range states {
		w.gh.AddDeploymentStatus("acme", "shop", d.ID, githubapptest.DeploymentStatus{State: st, CreatedAt: at.Add(time.Duration(i+1) * time.Minute),
			LogURL: fmt.Sprintf("https://github.com/acme/shop/actions/runs/%d/job/%d", run, run+1)})
	}
}

// invocations counts the asynchronous invocations so far.
func (w *deployWorld) invocations() int {
	w.inv.mu.Lock()
	defer w.inv.mu.Unlock()
	return len(w.inv.calls)
}

// autocomplete is m typing typed in /rollback's to, for environment, as Discord sends it.
func (w *deployWorld) autocomplete(m deployer, environment, typed string) []byte {
	return w.interaction("deploy", m, map[string]any{"id": "1290000000000000101", "name": "rollback", "type": 1, "options": []map[string]any{
		{"name": "environment", "type": 3, "value": environment},
		{"name": "to", "type": 3, "value": typed, "focused": true},
	}}, func(in map[string]any) { in["type"] = 4 })
}

// TestRollbackFromDeployments drives /rollback through the handler against GitHub's
// deployments of dev: prod ran b2b2b2b after a1a1a1a, then the deploy of main failed. Roll
// back offers b2b2b2b; autocomplete of to offers the earlier successful deploys from the
// state table, within the interaction's answer (type 8, checked against Discord's schema);
// to: picks a1a1a1a and the approval dispatches it.
func TestRollbackFromDeployments(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	w.deployed("dev", shaBefore, 5*time.Hour, 801, "queued", "in_progress", "success")
	w.deployed("dev", shaProd, 3*time.Hour, 802, "queued", "in_progress", "success")
	w.deployed("dev", shaMain, time.Hour, 803, "queued", "in_progress", "failure")

	if resp := w.send(w.autocomplete(minji, "dev", "")); resp.Type != discord.ResponseAutocompleteResult || resp.Data == nil || len(resp.Data.Choices) != 0 {
		t.Errorf("autocomplete before any card %+v, want type 8 with no choices", resp)
	}
	cardID := w.request("rollback", minji, "environment", "dev")
	card := viewOf(w.dc.card(cardID))
	if card.Title != "Roll back dev to "+shaProd[:7] || !strings.HasPrefix(card.Fields["Changes"], "The latest deploy of dev, `"+shaMain[:7]+"`") {
		t.Errorf("card %+v, want it to roll back to the last good commit %s after the failed %s", card, shaProd[:7], shaMain[:7])
	}

	before, invoked := len(w.gh.Requests()), w.invocations()
	resp := w.send(w.autocomplete(minji, "dev", ""))
	var got []string
	if resp.Data != nil {
		for _, c := range resp.Data.Choices {
			got = append(got, c.Name+" = "+c.Value.(string))
		}
	}
	want := []string{shaProd[:7] + " (main), deployed 3 hours ago = " + shaProd, shaBefore[:7] + " (main), deployed 5 hours ago = " + shaBefore}
	if resp.Type != discord.ResponseAutocompleteResult || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("autocomplete answered type %d with %q, want type 8 with %q", resp.Type, got, want)
	}
	if resp := w.send(w.autocomplete(minji.inKorean(), "dev", "a1")); resp.Data == nil || len(resp.Data.Choices) != 1 ||
		resp.Data.Choices[0].Name != shaBefore[:7]+" (main), 5시간 전 배포" {
		t.Errorf("autocomplete in Korean typing a1: %+v", resp.Data)
	}
	if n, m := len(w.gh.Requests())-before, w.invocations()-invoked; n != 0 || m != 0 {
		t.Errorf("autocomplete made %d GitHub calls and %d invocations, want none", n, m)
	}

	cardID = w.request("rollback", minji, "environment", "dev", "to", shaBefore[:7])
	if got := viewOf(w.dc.card(cardID)).Title; got != "Roll back dev to "+shaBefore[:7] {
		t.Fatalf("to:%s made %q (%q)", shaBefore[:7], got, w.dc.card(cardID).Content)
	}
	w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
	if ds := w.gh.Dispatches(); len(ds) != 1 || ds[0].Inputs["sha"] != shaBefore || ds[0].Inputs["environment"] != "dev" {
		t.Errorf("dispatches %+v, want one rolling dev back to %s", ds, shaBefore)
	}
	cardID = w.request("rollback", minji, "environment", "dev", "to", shaMain[:7])
	if got := w.dc.card(cardID).Content; !strings.Contains(got, "never deployed successfully to `dev`") {
		t.Errorf("to: a commit that only failed: %q", got)
	}
}
