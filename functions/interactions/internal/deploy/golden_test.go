package deploy

import (
	"flag"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares v with testdata/golden/<kind>.<lang>.json (i18ntest.Golden).
func golden(t *testing.T, kind string, lang i18n.Language, v any) {
	t.Helper()
	i18ntest.Golden(t, filepath.Join("testdata", "golden"), kind, lang, v, *update)
}

// TestGolden shows each kind of message of /deploy and /rollback in English and in Korean: the
// open card, approved (locked), dispatched, cancelled, expired, failed, refused on the card,
// and the answers only a member sees. The channel and the member speak the same language here;
// the module's tests mix them.
func TestGolden(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	prod := Proposal{Kind: KindDeploy, Environment: "prod", Ref: "v1.4.2", SHA: strings.Repeat("c", 40), RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
	rollback := Proposal{Kind: KindRollback, Environment: "prod", Ref: "main", SHA: strings.Repeat("a", 40), RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
	changes := Comparison{Status: "diverged", AheadBy: 3, BehindBy: 1, Commits: []Commit{
		{SHA: strings.Repeat("1", 40), Subject: "Retry checkout calls on 502", Author: "minji"},
		{SHA: strings.Repeat("2", 40), Subject: "결제 재시도 로그 추가", Author: "jun"},
	}}
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			c := catalog()
			tx := approval.Texts{Catalog: c, Printer: c.Printer(lang)}
			s := testService(&entries{})
			s.Workflow = "deploy.yml"
			in := func(r command.Request) command.Request {
				r.Texts, r.Language, r.Interaction.Locale = c, lang, string(lang)
				return r
			}
			// press clicks the button verb of card as m, after the request, on a card of its own.
			press := func(card discord.Message, p Proposal, verb string, m *discord.Member, after time.Duration) discord.Message {
				s.Approvals.Table = statetest.New(t, moto, nil)
				req := in(click(card, p, verb, m, after))
				resp := button(t, s, p.Kind, verb).Quick(t.Context(), req).Response(discord.InteractionMessageComponent)
				if resp.Data == nil {
					t.Fatalf("click %s answered %+v", verb, resp)
				}
				return *resp.Data
			}
			open := NewCard(tx.Printer, prod, changesText(tx.Printer, prod.Environment, strings.Repeat("b", 40), changes))
			golden(t, "card-open", lang, open)
			golden(t, "rollback-open", lang, NewCard(tx.Printer, rollback, ""))

			approved := press(open, prod, "approve", member(approver, roleID), time.Minute)
			golden(t, "approved", lang, approved)
			at := requestedAt.Add(time.Minute)
			rec := approval.Record[Proposal]{Kind: "deploy", State: approval.Dispatched, Proposal: prod, By: approver, At: at,
				Events: []approval.Event{{At: at, What: "history.approved", By: approver}},
				Result: &approval.Result{At: at, RunID: 1000, URL: "https://github.com/acme/shop/actions/runs/1000",
					Line: tx.Printer.T("deploy.history.dispatchedrun", i18n.Args{"URL": "https://github.com/acme/shop/actions/runs/1000"})}}
			golden(t, "dispatched", lang, s.flow(KindDeploy).Render(tx, approved, rec))
			rec.Result = &approval.Result{At: at, Line: tx.Printer.T("deploy.history.failed"),
				Text: tx.Printer.T("deploy.result.refused", i18n.Args{"Reason": repo{t: tx, workflow: "deploy.yml", fullName: "acme/shop"}.dispatchError(
					noTrigger, "v1.4.2").(*command.Error).Message, "Command": "deploy"})}
			rec.State = approval.Failed
			golden(t, "failed", lang, s.flow(KindDeploy).Render(tx, approved, rec))

			golden(t, "cancelled", lang, press(open, prod, "cancel", member(requester), time.Minute))
			golden(t, "expired", lang, press(open, prod, "approve", member(approver, roleID), 16*time.Minute))
			golden(t, "refusal", lang, press(open, prod, "approve", member(guest), time.Minute))

			p := c.Printer(lang)
			golden(t, "answers", lang, map[string]string{
				"missing-role":       answer(s.requestQuick(t.Context(), KindDeploy, in(slash("deploy", member(guest), "environment", "prod"))), discord.InteractionApplicationCommand),
				"unknown-env":        answer(s.requestQuick(t.Context(), KindDeploy, in(slash("deploy", member(requester, roleID), "environment", "qa"))), discord.InteractionApplicationCommand),
				"bad-ref":            answer(s.requestQuick(t.Context(), KindDeploy, in(slash("deploy", member(requester, roleID), "environment", "dev", "ref", "a b"))), discord.InteractionApplicationCommand),
				"already-approved":   approval.Already(p, approval.Record[Proposal]{State: approval.Approved, By: approver, At: at}),
				"already-cancelled":  approval.Already(p, approval.Record[Proposal]{State: approval.Cancelled, By: approver, At: at}),
				"already-expired":    approval.Already(p, approval.Record[Proposal]{State: approval.Expired, By: approver, At: at}),
				"not-recorded":       approval.NotRecorded(p),
				"closed":             answer(button(t, s, KindDeploy, "approve").Quick(t.Context(), in(click(approved, prod, "approve", member(approver, roleID), time.Minute))), discord.InteractionMessageComponent),
				"two-person-refusal": tx.Field(press(open, prod, "approve", member(requester, roleID), time.Minute).Embeds[0], fieldHistory),
			})
		})
	}
}

// noTrigger is GitHub's refusal of a dispatch to a workflow without workflow_dispatch.
var noTrigger = &github.ErrorResponse{Response: &http.Response{StatusCode: http.StatusUnprocessableEntity},
	Message: "Workflow does not have 'workflow_dispatch' trigger"}
