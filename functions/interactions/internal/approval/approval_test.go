package approval

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

var at = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// proposal stands for a feature's proposal.
type proposal struct {
	Target string `dynamodbav:"target"`
}

// TestDecide drives the transitions of a card's record: refusals keep it open and are kept as
// history events, the first decision closes it, a later click reads who decided, and a
// redelivered click wins again.
func TestDecide(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	r := Records[proposal]{Table: statetest.New(t, moto, nil)}
	p := proposal{Target: "prod@main"}
	refusal := Event{At: at, What: "history.refused.approve", By: "1", Reason: "needs a second person"}

	rec, won, err := r.Decide(t.Context(), "card", "deploy", p, Open, refusal, "i1")
	if err != nil || !won || rec.State != Open || len(rec.Events) != 1 {
		t.Fatalf("refusal: %+v, %v, %v", rec, won, err)
	}
	if rec, _, _ = r.Decide(t.Context(), "card", "deploy", p, Open, refusal, "i1"); len(rec.Events) != 1 {
		t.Errorf("a refusal delivered twice shows twice: %+v", rec.Events)
	}
	approved := Event{At: at.Add(time.Minute), What: "history.approved", By: "2"}
	rec, won, err = r.Decide(t.Context(), "card", "deploy", p, Approved, approved, "i2")
	if err != nil || !won || rec.State != Approved || rec.By != "2" || rec.InteractionID != "i2" {
		t.Fatalf("approval: %+v, %v, %v", rec, won, err)
	}
	if diff := cmp.Diff([]Event{refusal, approved}, rec.Events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if rec, won, _ = r.Decide(t.Context(), "card", "deploy", p, Approved, approved, "i2"); !won || rec.State != Approved {
		t.Errorf("the approval delivered again: %+v, won %v", rec, won)
	}
	cancel := Event{At: at.Add(2 * time.Minute), What: "history.cancelled", By: "3"}
	if rec, won, _ = r.Decide(t.Context(), "card", "deploy", p, Cancelled, cancel, "i3"); won || rec.State != Approved || rec.By != "2" {
		t.Errorf("a cancel after the approval: %+v, won %v", rec, won)
	}
	if _, _, err := (Records[proposal]{}).Decide(t.Context(), "card", "deploy", p, Approved, approved, "i2"); err == nil {
		t.Error("a Records without a table decided")
	}
}

// TestDecideConcurrently: clicks on one card at the same instant: exactly one decision wins, every loser reads the winner, and the refusals made
// meanwhile are all kept before the decision.
func TestDecideConcurrently(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	table := statetest.New(t, moto, nil)
	p := proposal{Target: "prod@main"}
	const approvers, refused = 3, 3
	type answer struct {
		rec Record[proposal]
		won bool
		err error
		id  string
	}
	answers := make([]answer, approvers+refused)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			r := Records[proposal]{Table: table}
			id := fmt.Sprintf("i%d", i)
			<-start
			to, ev := Approved, Event{At: at, What: "history.approved", By: id}
			if i >= approvers {
				to, ev = Open, Event{At: at, What: "history.refused.approve", By: id, Reason: "no role"}
			}
			rec, won, err := r.Decide(t.Context(), "card", "deploy", p, to, ev, id)
			answers[i] = answer{rec, won, err, id}
		})
	}
	close(start)
	wg.Wait()
	var winner string
	for _, a := range answers[:approvers] {
		switch {
		case a.err != nil:
			t.Fatalf("%s: %v", a.id, a.err)
		case a.won && winner != "":
			t.Fatalf("%s and %s both approved", winner, a.id)
		case a.won:
			winner = a.id
		}
	}
	if winner == "" {
		t.Fatal("no approval won")
	}
	for _, a := range answers[:approvers] {
		if !a.won && (a.rec.By != winner || a.rec.State != Approved) {
			t.Errorf("%s was told %+v, want the approval by %s", a.id, a.rec, winner)
		}
	}
	var stands Record[proposal]
	if _, err := table.Get(t.Context(), Key("card"), &stands); err != nil {
		t.Fatal(err)
	}
	last := stands.Events[len(stands.Events)-1]
	if stands.By != winner || last.By != winner || last.What != "history.approved" {
		t.Errorf("record %+v, want the approval by %s last", stands, winner)
	}
	kept := 0
	for _, a := range answers[approvers:] {
		if a.err != nil {
			t.Fatalf("%s: %v", a.id, a.err)
		}
		if a.won {
			kept++
			if !strings.Contains(fmt.Sprint(stands.Events), a.id) {
				t.Errorf("the refusal of %s, recorded, is not in the history %+v", a.id, stands.Events)
			}
		} else if a.rec.By != winner {
			t.Errorf("refused %s was told %+v, want the approval by %s", a.id, a.rec, winner)
		}
	}
	if len(stands.Events) != kept+1 {
		t.Errorf("%d events, want %d refusals and the approval", len(stands.Events), kept)
	}
}

// TestHistory checks the card's history rendered from a record: the request first, then the
// events and the result, at most maxHistory lines and one field's length, newest kept.
func TestHistory(t *testing.T) {
	t.Parallel()
	p := i18n.NewCatalog(Messages()).Printer(i18n.English)
	rec := Record[proposal]{Events: []Event{{At: at, What: "history.refused.cancel", Reason: "no role"}, {At: at, What: "history.approved", By: "2"}},
		Result: &Result{At: at.Add(time.Minute), Line: "dispatched run 7"}}
	want := []string{"<t:1772445600:T> requested by <@1>", "<t:1772445600:T> cancel by someone refused: no role",
		"<t:1772445600:T> approved by <@2>", "<t:1772445660:T> dispatched run 7"}
	if diff := cmp.Diff(want, History(p, "1", at, rec, false)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if got := History(p, "1", at, Record[proposal]{Result: &Result{At: at}}, true); got[1] != "<t:1772445600:T> nothing done: approval not confirmed" {
		t.Errorf("unconfirmed: %q", got)
	}
	rec = Record[proposal]{}
	for i := range 30 {
		rec.Events = append(rec.Events, Event{At: at, What: "history.refused.approve", By: "2", Reason: strings.Repeat("x", 60) + fmt.Sprint(i)})
	}
	got := History(p, "1", at, rec, false)
	if len(got) > maxHistory || len(strings.Join(got, "\n")) > 1024 || !strings.HasSuffix(got[len(got)-1], "x29") {
		t.Errorf("%d lines of %d characters, the last %q", len(got), len(strings.Join(got, "\n")), got[len(got)-1])
	}
}

// TestCustomID checks the buttons' custom_ids: the format cards had before this package, read
// back for their own kind only.
func TestCustomID(t *testing.T) {
	t.Parallel()
	id := CustomID("scale", "approve", "1000000000000000042", at)
	if id != "scale:approve:1000000000000000042:1772445600" {
		t.Errorf("custom_id %q", id)
	}
	if verb, who, when, ok := ParseCustomID("scale", id); !ok || verb != "approve" || who != "1000000000000000042" || !when.Equal(at) {
		t.Errorf("read back as %q %q %v %v", verb, who, when, ok)
	}
	for _, bad := range []string{"deploy:approve:1:1772445600", "scale:approve::1772445600", "scale:approve:1", "scale:merge:1:2", "scale:approve:1:soon"} {
		if _, _, _, ok := ParseCustomID("scale", bad); ok {
			t.Errorf("%q read", bad)
		}
	}
}
