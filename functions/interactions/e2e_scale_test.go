package main

import (
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/scale/scaletest"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/costreport/costreporttest"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/mototest"
)

// TestEndToEndCostAndScale drives the built binary as TestEndToEnd does, through the clients
// main builds from the environment: /cost with Cost Explorer in moto, then /scale on an ECS
// service, approved, with the change checked in moto.
func TestEndToEndCostAndScale(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	awsCfg := moto.Config(t)
	scaletest.Seed(t, awsCfg)
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	local := time.Now().In(seoul) // the binary reads the real clock
	period, previous := costreport.Periods(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC))
	costreporttest.Seed(t, moto, costreporttest.UsageResult(previous.Start, period.End, []string{"AWS Lambda"},
		func(string, time.Time) float64 { return 1 }))

	d := newFakeDiscord(t)
	f := startE2E(t, moto, d.URL, "DEPLOY_ROLE_IDS="+scaleRole, "SCALE_MAX_DESIRED=8")

	// exchange sends a signed interaction, runs the asynchronous invocation it starts, and
	// returns the answer and the last edit Discord received.
	exchange := func(body []byte) (discord.Response, discord.Message) {
		t.Helper()
		r := f.answer(body)
		f.runWork()
		edits := d.Requests()
		if len(edits) == 0 {
			t.Fatal("no edit")
		}
		return r, edits[len(edits)-1].Message
	}

	r, report := exchange(interaction(t, "cost"))
	if r.Type != discord.ResponseDeferredChannelMessageWithSource || len(report.Embeds) != 1 ||
		!strings.HasPrefix(report.Embeds[0].Title, "AWS 비용: ") || !strings.Contains(report.Embeds[0].Description, "달러") { // CHATOPS_LANGUAGE unset: Korean
		t.Errorf("/cost: answer %+v, edit %+v", r, report)
	}

	flow := &scaleFlow{t: t} // for its interaction bodies
	r, card := exchange(flow.body(requester, func(in map[string]any) {
		in["data"].(map[string]any)["options"] = []map[string]any{
			{"name": "service", "type": 3, "value": "ecs"}, {"name": "target", "type": 3, "value": scaletest.Web},
			{"name": "desired", "type": 4, "value": 4}}
	}))
	if r.Type != discord.ResponseDeferredChannelMessageWithSource || len(card.Components) != 1 {
		t.Fatalf("/scale: answer %+v, edit %+v", r, card)
	}
	card.ID = "1300000000000000777"
	r, done := exchange(flow.body(approver, func(in map[string]any) {
		in["type"], in["message"] = 3, card
		in["data"] = map[string]any{"component_type": 2, "custom_id": card.Components[0].Components[0].CustomID}
	}))
	if r.Type != discord.ResponseUpdateMessage || !strings.Contains(done.Embeds[0].Fields[len(done.Embeds[0].Fields)-1].Value, "✅ `prod/web` 조정 완료: 2 → 4") { // Korean, the default
		t.Errorf("Approve: answer %+v, card %+v", r, done)
	}
	if got := scaletest.Desired(t, awsCfg, "web", ""); got != 4 {
		t.Errorf("desired count in AWS %d, want 4", got)
	}
}
