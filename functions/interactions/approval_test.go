package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// hana is a third member allowed to deploy.
var hana = deployer{"1000000000000000045", "hana", []string{"1100000000000000010"}, "en-US"}

// TestConcurrentApprovals: two members click Approve on the same open card at the same
// instant, each click handled by its own execution environment (its own handler and table
// client on the one table): one approval is recorded and dispatched, the other click is told,
// only to its sender, who approved.
func TestConcurrentApprovals(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	cardID := w.request("deploy", minji, "environment", "prod")
	approve := w.button(cardID, "Approve")
	type env struct {
		h    *Handler
		inv  *fakeInvoker
		by   deployer
		body []byte
		resp events.APIGatewayV2HTTPResponse
	}
	envs := []*env{{by: jun}, {by: hana}}
	for _, e := range envs {
		e.h, e.inv = w.environment(statetest.Serialize(w.dynamo))
		e.body = w.click(cardID, approve, e.by) // both carry the open card
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, e := range envs {
		wg.Go(func() {
			<-start
			resp, err := e.h.Handle(lambdaContext(), event{APIGatewayV2HTTPRequest: signedRequest(t, e.body, w.now)})
			if err != nil {
				t.Error(err)
			}
			e.resp = resp
		})
	}
	close(start)
	wg.Wait()

	var winner, loser *env
	for _, e := range envs {
		var r discord.Response
		if err := json.Unmarshal([]byte(e.resp.Body), &r); err != nil {
			t.Fatalf("answer %s: %v", e.resp.Body, err)
		}
		switch {
		case r.Type == discord.ResponseUpdateMessage:
			winner = e
		case ephemeral(r) != "":
			loser = e
			if want := fmt.Sprintf("Already approved by <@%s> at <t:%d:T>.", otherThan(envs, e).by.id, w.now.Unix()); ephemeral(r) != want {
				t.Errorf("the second click was told %q, want %q", ephemeral(r), want)
			}
		}
		if err := w.dc.Answer(e.body, []byte(e.resp.Body)); err != nil {
			t.Fatal(err)
		}
	}
	if winner == nil || loser == nil {
		t.Fatalf("answers %s and %s: want one approval and one refusal", envs[0].resp.Body, envs[1].resp.Body)
	}
	if len(loser.inv.calls) != 0 || len(winner.inv.calls) != 1 {
		t.Fatalf("invocations: %d by the winner, %d by the loser; want 1 and 0", len(winner.inv.calls), len(loser.inv.calls))
	}
	if _, err := winner.h.Invoke(lambdaContext(), winner.inv.calls[0].Payload); err != nil {
		t.Fatal(err)
	}
	if n := len(w.gh.Dispatches()); n != 1 {
		t.Errorf("%d dispatches, want 1", n)
	}
	card := viewOf(w.dc.card(cardID))
	if want := "approved by <@" + winner.by.id + ">"; !cmp.Equal(card.History, []string{"requested by <@" + minji.id + ">", want, "dispatched [the run](https://github.com/acme/shop/actions/runs/1000)"}) {
		t.Errorf("history %q", card.History)
	}
}

// acknowledge delivers body signed as Discord does and hands the answer to Discord, leaving
// the work it started for the test to run.
func (w *deployWorld) acknowledge(body []byte) {
	w.t.Helper()
	resp, err := w.h.Handle(lambdaContext(), event{APIGatewayV2HTTPRequest: signedRequest(w.t, body, w.now)})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.dc.Answer(body, []byte(resp.Body)); err != nil {
		w.t.Fatal(err)
	}
}

func otherThan[E comparable](all []E, e E) E {
	for _, o := range all {
		if o != e {
			return o
		}
	}
	return e
}

// TestApprovalWorkOnce: the work of one approval dispatches once however Lambda delivers it:
// again after its edit failed, and while another invocation holds its claim.
func TestApprovalWorkOnce(t *testing.T) {
	t.Parallel()
	t.Run("edit failed, retried", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod")
		w.acknowledge(w.click(cardID, w.button(cardID, "Approve"), jun))
		w.dc.Script(http.MethodPatch, discordtest.ServerError(http.StatusBadGateway))
		payload := w.inv.calls[len(w.inv.calls)-1].Payload
		var edit *EditError
		if _, err := w.h.Invoke(lambdaContext(), payload); !errors.As(err, &edit) {
			t.Fatalf("first delivery: %v, want an EditError for Lambda to retry", err)
		}
		w.now = w.now.Add(time.Minute) // Lambda's first retry
		w.work(payload)
		if n := len(w.gh.Dispatches()); n != 1 {
			t.Errorf("%d dispatches, want 1", n)
		}
		if card := viewOf(w.dc.card(cardID)); card.Run != "https://github.com/acme/shop/actions/runs/1000" ||
			!cmp.Equal(card.History, []string{"requested by <@" + minji.id + ">", "approved by <@" + jun.id + ">", "dispatched [the run](https://github.com/acme/shop/actions/runs/1000)"}) {
			t.Errorf("card %+v", card)
		}
	})
	t.Run("claim held by another invocation", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod")
		click := w.click(cardID, w.button(cardID, "Approve"), jun)
		w.acknowledge(click)
		var in struct{ ID string }
		_ = json.Unmarshal(click, &in)
		table := state.New(w.dynamo, w.tableName, func() time.Time { return w.now })
		if err := table.Claim(context.Background(), state.Key{PK: "work#" + in.ID, SK: "dispatch"}, 50*time.Second, nil); err != nil {
			t.Fatal(err)
		}
		edits := len(w.dc.Requests())
		payload := w.inv.calls[len(w.inv.calls)-1].Payload
		var retry *RetryError
		if _, err := w.h.Invoke(lambdaContext(), payload); !errors.As(err, &retry) {
			t.Fatalf("delivery while the claim is held: %v, want a RetryError", err)
		}
		if n := len(w.gh.Dispatches()); n != 0 || len(w.dc.Requests()) != edits {
			t.Errorf("%d dispatches, %d calls to Discord; want none while another invocation works", n, len(w.dc.Requests())-edits)
		}
		w.now = w.now.Add(time.Minute) // the holder died; Lambda retries
		w.work(payload)
		if n := len(w.gh.Dispatches()); n != 1 {
			t.Errorf("%d dispatches, want 1", n)
		}
	})
}

// TestApprovalTableFaults: when the table does not answer, nothing is dispatched without a
// recorded approval, and the member is told so: at the click, and on the card.
func TestApprovalTableFaults(t *testing.T) {
	t.Parallel()
	t.Run("on the click", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod")
		before := w.dc.card(cardID)
		w.faults.setFail(func(string, any) error { return throttled })
		invocations := len(w.inv.calls)
		got := ephemeral(w.send(w.click(cardID, w.button(cardID, "Approve"), jun)))
		if want := "⚠️ I couldn't record your click: the bot's state table did not answer in time. Nothing was done and the card is unchanged: try again in a minute."; got != want {
			t.Errorf("answer %q, want %q", got, want)
		}
		if len(w.inv.calls) != invocations || len(w.gh.Dispatches()) != 0 {
			t.Errorf("%d invocations, %d dispatches; want none", len(w.inv.calls)-invocations, len(w.gh.Dispatches()))
		}
		if diff := cmp.Diff(viewOf(before), viewOf(w.dc.card(cardID))); diff != "" {
			t.Errorf("the card changed (-before +after):\n%s", diff)
		}
		if got := w.auditLines(); got[len(got)-1] != "deploy.approve prod@main jun failed decision not recorded:" {
			t.Errorf("audit %q", got[len(got)-1])
		}
		// The table is back: the same card can be approved.
		w.faults.setFail(nil)
		w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
		if n := len(w.gh.Dispatches()); n != 1 {
			t.Errorf("%d dispatches after the table came back, want 1", n)
		}
	})
	t.Run("in the worker", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod")
		// The click's write goes through; the worker's reads do not.
		w.faults.setFail(failReads)
		w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
		if n := len(w.gh.Dispatches()); n != 0 {
			t.Errorf("%d dispatches without a confirmed approval", n)
		}
		card := viewOf(w.dc.card(cardID))
		want := "⚠️ Not dispatched: I couldn't confirm this approval in the bot's state table, so I dispatched nothing. Run `/deploy` again for a fresh card and approve it again."
		if card.Description != want || len(card.Buttons) != 0 ||
			card.History[len(card.History)-1] != "nothing done: approval not confirmed" {
			t.Errorf("card %+v", card)
		}
		if got := w.auditLines(); got[len(got)-1] != "deploy.dispatch prod@main jun refused approval not confirmed" {
			t.Errorf("audit %q", got[len(got)-1])
		}
	})
	t.Run("no record", func(t *testing.T) {
		t.Parallel()
		w := newDeployWorld(t)
		cardID := w.request("deploy", minji, "environment", "prod")
		click := w.click(cardID, w.button(cardID, "Approve"), jun)
		// A work payload that no recorded approval backs: the worker must not dispatch.
		if err := w.dc.Answer(click, []byte(`{"type":6}`)); err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(workPayload{Kind: workKind, ReceivedAt: w.now, Interaction: click})
		w.work(payload)
		if n := len(w.gh.Dispatches()); n != 0 {
			t.Errorf("%d dispatches without a recorded approval", n)
		}
		if got := viewOf(w.dc.card(cardID)).Description; !strings.HasPrefix(got, "⚠️ Not dispatched: I couldn't confirm this approval") {
			t.Errorf("description %q", got)
		}
	})
}

// TestApprovalHistoryFromRecord: the worker reads the card before Discord has applied the
// click's update (seen on 2 of 15 approvals); the approval stays in the card's History, which
// the worker renders from the record.
func TestApprovalHistoryFromRecord(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	cardID := w.request("deploy", minji, "environment", "prod")
	stale, err := json.Marshal(w.dc.card(cardID))
	if err != nil {
		t.Fatal(err)
	}
	w.dc.Intercept(func(r discordtest.Request) (discordtest.Reply, bool) {
		return discordtest.Reply{Status: http.StatusOK, Body: string(stale)}, r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/messages/@original")
	})
	w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
	card := viewOf(w.dc.card(cardID))
	want := []string{"requested by <@" + minji.id + ">", "approved by <@" + jun.id + ">", "dispatched [the run](https://github.com/acme/shop/actions/runs/1000)"}
	if diff := cmp.Diff(want, card.History); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(card.Description, "approved by <@"+jun.id+">.") {
		t.Errorf("description %q", card.Description)
	}
}
