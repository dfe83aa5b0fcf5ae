package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/audit/audittest"
	"github.com/discord-chatops/chatops/shared/discord"
)

// audit sends /audit by m, whose Discord locale is locale, with options ("environment", "prod",
// "member", <user id>) and returns the acknowledgement and the message the worker made of the
// deferred response.
func (w *deployWorld) audit(m deployer, locale string, options ...string) (discord.Response, discord.Message) {
	w.t.Helper()
	var opts []map[string]any
	for i := 0; i+1 < len(options); i += 2 {
		typ := discord.OptionString
		if options[i] == "member" {
			typ = discord.OptionUser
		}
		opts = append(opts, map[string]any{"name": options[i], "type": typ, "value": options[i+1]})
	}
	body := w.interaction("deploy", m, map[string]any{"id": "1290000000000000107", "name": "audit", "type": 1, "options": opts},
		func(in map[string]any) { in["locale"] = locale })
	resp := w.send(body)
	msg, _ := w.dc.Original(fmt.Sprintf("token-%d", w.n))
	return resp, msg
}

// lastEdit is the body of the last edit of an original response, as sent, indented.
func (w *deployWorld) lastEdit() []byte {
	w.t.Helper()
	reqs := w.dc.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if r := reqs[i]; r.Method == http.MethodPatch && strings.HasSuffix(r.Path, "/messages/@original") {
			var out bytes.Buffer
			if err := json.Indent(&out, r.Body, "", "  "); err != nil {
				w.t.Fatal(err)
			}
			return out.Bytes()
		}
	}
	w.t.Fatal("no edit of an original response")
	return nil
}

// auditedLines are the actions an /audit answer lists, without their time stamps.
func auditedLines(m discord.Message) []string {
	if len(m.Embeds) == 0 {
		return nil
	}
	var out []string
	for i, l := range strings.Split(m.Embeds[0].Description, "\n") {
		if i == 0 {
			continue // the heading
		}
		_, rest, _ := strings.Cut(l, " · ")
		out = append(out, rest)
	}
	return out
}

// TestAuditTrail runs deploys through their cards, as members do, and reads them back with
// /audit: what the approval flow recorded, newest first, filtered by environment and by member,
// answered only to the member who asks, and refused to a member without an allowed role.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	step := func() { w.now = w.now.Add(time.Minute) }

	prodCard := w.request("deploy", minji, "environment", "prod", "ref", "v1.4.2")
	step()
	w.send(w.click(prodCard, w.button(prodCard, "Approve"), guest))
	step()
	w.send(w.click(prodCard, w.button(prodCard, "Approve"), jun))
	step()
	devCard := w.request("deploy", jun, "environment", "dev")
	step()
	w.send(w.click(devCard, w.button(devCard, "Cancel"), jun))
	step()

	resp, got := w.audit(minji, "en-US")
	if resp.Type != discord.ResponseDeferredChannelMessageWithSource || resp.Data == nil || resp.Data.Flags&discord.FlagEphemeral == 0 {
		t.Fatalf("/audit acknowledged with %+v, want a deferred answer only the member sees", resp)
	}
	golden(t, "work-audit.json", w.lastEdit())
	// A member whose Discord is in Korean reads it in Korean.
	w.audit(minji, "ko")
	golden(t, "work-audit-ko.json", w.lastEdit())
	mention := func(m deployer) string { return "<@" + m.id + ">" }
	want := []string{
		mention(jun) + " · **deploy.cancel** · `dev@main` · cancelled",
		mention(jun) + " · **deploy.request** · `dev@main` · requested",
		mention(jun) + " · **deploy.dispatch** · `prod@v1.4.2` · dispatched ([link](https://github.com/acme/shop/actions/runs/1000))",
		mention(jun) + " · **deploy.approve** · `prod@v1.4.2` · approved",
		mention(guest) + " · **deploy.approve** · `prod@v1.4.2` · denied (`missing-role`)",
		mention(minji) + " · **deploy.request** · `prod@v1.4.2` · requested",
	}
	if diff := cmp.Diff(want, auditedLines(got)); diff != "" {
		t.Errorf("/audit lines (-want +got):\n%s", diff)
	}

	t.Run("by environment", func(t *testing.T) {
		_, got := w.audit(minji, "en-US", "environment", "dev")
		if diff := cmp.Diff(want[:2], auditedLines(got)); diff != "" {
			t.Errorf("/audit environment:dev (-want +got):\n%s", diff)
		}
	})
	t.Run("by member", func(t *testing.T) {
		_, got := w.audit(minji, "en-US", "member", jun.id)
		if diff := cmp.Diff(want[:4], auditedLines(got)); diff != "" {
			t.Errorf("/audit member:jun (-want +got):\n%s", diff)
		}
		if h := strings.Split(got.Embeds[0].Description, "\n")[0]; h != "The last 4 actions by "+mention(jun)+", newest first:" {
			t.Errorf("heading %q", h)
		}
	})
	t.Run("by environment and member", func(t *testing.T) {
		_, got := w.audit(minji, "en-US", "environment", "prod", "member", guest.id)
		if diff := cmp.Diff(want[4:5], auditedLines(got)); diff != "" {
			t.Errorf("/audit environment:prod member:guest (-want +got):\n%s", diff)
		}
	})
	t.Run("nothing matches", func(t *testing.T) {
		_, got := w.audit(minji, "en-US", "environment", "dev", "member", minji.id)
		if want := "Nothing in the audit trail matches: no action in `dev` by " + mention(minji) + "."; got.Content != want || len(got.Embeds) != 0 {
			t.Errorf("answer %+v, want %q", got, want)
		}
	})
	t.Run("a member without an allowed role", func(t *testing.T) {
		before := len(w.inv.calls)
		resp, _ := w.audit(guest, "en-US")
		if got := ephemeral(resp); got != "⛔ You need one of these roles to see the audit trail: <@&1100000000000000010>. Ask someone who has one." {
			t.Errorf("answer %q", got)
		}
		if len(w.inv.calls) != before {
			t.Error("a refused /audit reached the worker")
		}
		// The refusal is in the trail.
		_, got := w.audit(minji, "en-US", "member", guest.id)
		if lines := auditedLines(got); len(lines) == 0 || lines[0] != mention(guest)+" · **audit.view** · denied (`missing-role`)" {
			t.Errorf("/audit member:guest %q, want the refusal first", lines)
		}
	})
	t.Run("retention from the configuration", func(t *testing.T) {
		// testConfig keeps entries for 30 days after they are written.
		exp := audittest.Expiries(t, w.dynamo, w.tableName)
		if len(exp) < len(want) {
			t.Fatalf("%d items, want at least %d", len(exp), len(want))
		}
		first, last := testNow.Add(30*24*time.Hour).Unix(), w.now.Add(30*24*time.Hour).Unix()
		for sk, v := range exp {
			if v < first || v > last {
				t.Errorf("entry %s expires at %d, want %d..%d: 30 days after it was written", sk, v, first, last)
			}
		}
	})
}

// TestAuditLimit checks that /audit shows the newest 20 actions of more.
func TestAuditLimit(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	for i := range 25 {
		w.send(w.command("deploy", guest, "environment", []string{"dev", "prod"}[i%2]))
		w.now = w.now.Add(time.Second)
	}
	_, got := w.audit(minji, "en-US")
	lines := auditedLines(got)
	if len(lines) != 20 {
		t.Fatalf("%d actions shown, want 20", len(lines))
	}
	stamps := regexpStamps(got.Embeds[0].Description)
	if len(stamps) != 20 || stamps[0] != testNow.Add(24*time.Second).Unix() || stamps[19] != testNow.Add(5*time.Second).Unix() {
		t.Errorf("times %v, want the newest 20 (of 25, a second apart), newest first", stamps)
	}
}

// regexpStamps are the unix seconds of the Discord timestamps in s, in order.
func regexpStamps(s string) []int64 {
	var out []int64
	for _, part := range strings.Split(s, "<t:")[1:] {
		v, _, _ := strings.Cut(part, ":")
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			out = append(out, n)
		}
	}
	return out
}

// TestAuditTableUnavailable: a trail that cannot be read is said plainly.
func TestAuditTableUnavailable(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	w.faults.setFail(func(op string, _ any) error {
		if op == "Query" {
			return throttled
		}
		return nil
	})
	_, got := w.audit(minji, "en-US")
	if want := "⚠️ I can't read the audit trail right now: the bot's state table did not answer. Try again in a minute."; got.Content != want {
		t.Errorf("answer %+v, want %q", got, want)
	}
}

// countingFaults fails every table call and records it: for an acknowledgement that
// must make none.
type countingFaults struct {
	mu    sync.Mutex
	calls []string
}

func (c *countingFaults) fail(op string, _ any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, op)
	return errors.New("no table call expected")
}

// TestAuditAckMakesNoCall checks that the acknowledgement of /audit by an allowed member makes
// no call to the table: the query is the worker's.
func TestAuditAckMakesNoCall(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	calls := &countingFaults{}
	w.faults.setFail(calls.fail)
	body := w.interaction("deploy", minji, map[string]any{"id": "1290000000000000107", "name": "audit", "type": 1}, nil)
	resp, err := w.h.Handle(lambdaContext(), event{APIGatewayV2HTTPRequest: signedRequest(t, body, w.now)})
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Body, `{"type":5,"data":{"flags":64}`) {
		t.Fatalf("acknowledge: %v %d %s", err, resp.StatusCode, resp.Body)
	}
	if len(calls.calls) != 0 || len(w.inv.calls) != 1 {
		t.Errorf("table calls %v, invocations %d; want none and one", calls.calls, len(w.inv.calls))
	}
}

// TestAuditTableFailure: when the table takes no audit entry, the actions they record stand
// and are answered as ever; each entry keeps its log line, beside a warning that the table
// lacks it.
func TestAuditTableFailure(t *testing.T) {
	t.Parallel()
	w := newDeployWorld(t)
	w.faults.setFail(func(op string, in any) error {
		if pk, _ := putOf(in); op == "PutItem" && pk == audit.PK {
			return throttled
		}
		return nil
	})
	if got := ephemeral(w.send(w.command("deploy", guest, "environment", "prod"))); !strings.HasPrefix(got, "You need one of these roles to deploy") {
		t.Errorf("refusal %q", got)
	}
	cardID := w.request("deploy", minji, "environment", "prod")
	w.send(w.click(cardID, w.button(cardID, "Approve"), jun))
	if n := len(w.gh.Dispatches()); n != 1 {
		t.Errorf("%d dispatches, want 1", n)
	}
	wantAudit := []string{
		"deploy.request prod guest denied missing-role",
		"deploy.request prod@main minji requested",
		"deploy.approve prod@main jun approved",
		"deploy.dispatch prod@main jun dispatched https://github.com/acme/shop/actions/runs/1000",
	}
	if diff := cmp.Diff(wantAudit, w.auditLines()); diff != "" {
		t.Errorf("audit lines (-want +got):\n%s", diff)
	}
	var warnings []string
	for line := range strings.SplitSeq(w.logs.String(), "\n") {
		var l struct{ Level, Msg, Action, Outcome string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "audit entry not stored" {
			warnings = append(warnings, l.Level+" "+l.Action+" "+l.Outcome)
		}
	}
	want := []string{"WARN deploy.request denied", "WARN deploy.request requested", "WARN deploy.approve approved", "WARN deploy.dispatch dispatched"}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
