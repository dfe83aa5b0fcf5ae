package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale/scaletest"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// The members of the /scale tests. scaleRole is the role allowed to scale.
const scaleRole = "1100000000000000010"

// member is who sends an interaction in the /scale tests, from a Discord client in locale.
type member struct{ id, name, role, locale string }

var (
	requester = member{"1000000000000000042", "minji", scaleRole, "en-US"}
	approver  = member{"1000000000000000043", "joon", scaleRole, "en-US"}
	outsider  = member{"1000000000000000044", "sora", "1100000000000000099", "en-US"}
)

// inKorean is m with a Discord client in Korean.
func (m member) inKorean() member {
	m.locale = "ko"
	return m
}

// countingECS passes calls on to moto and counts the writes; refuse, when set, answers the
// writes instead, as AWS does when the IAM tag condition fails.
type countingECS struct {
	scale.ECSAPI
	writes atomic.Int32
	refuse error
}

func (c *countingECS) UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	c.writes.Add(1)
	if c.refuse != nil {
		return nil, c.refuse
	}
	return c.ECSAPI.UpdateService(ctx, in, optFns...)
}

// countingASG is countingECS for Auto Scaling.
type countingASG struct {
	scale.AutoScalingAPI
	writes atomic.Int32
}

func (c *countingASG) SetDesiredCapacity(ctx context.Context, in *autoscaling.SetDesiredCapacityInput, optFns ...func(*autoscaling.Options)) (*autoscaling.SetDesiredCapacityOutput, error) {
	c.writes.Add(1)
	return c.AutoScalingAPI.SetDesiredCapacity(ctx, in, optFns...)
}

// scaleFlow is a /scale conversation through the handler: signed commands and clicks in, the
// answers, the edits Discord receives, and the card as Discord shows it after each.
type scaleFlow struct {
	t     *testing.T
	h     *Handler
	inv   *fakeInvoker
	d     *discordtest.Server
	c     *clock
	logs  *bytes.Buffer
	ecs   *countingECS
	asg   *countingASG
	awsCf aws.Config
	card  discord.Message // the card as Discord shows it now
	// updated is the card as the last click's inline answer (UPDATE_MESSAGE) showed it.
	updated discord.Message
	n       int // interactions sent, for their ids and tokens
	// faults stands between the handler and its state table in moto.
	faults *faultyAPI
}

// newScaleFlow empties moto, seeds it and builds the handler as main does over it. The tests
// of one moto_server run one after the other: one server each would cost more than the tests.
func newScaleFlow(t *testing.T, moto *mototest.Server) *scaleFlow {
	t.Helper()
	return newScaleFlowIn(t, moto, "")
}

// newScaleFlowIn is newScaleFlow whose channel speaks language ("" speaks English).
func newScaleFlowIn(t *testing.T, moto *mototest.Server, language i18n.Language) *scaleFlow {
	t.Helper()
	if err := moto.Reset(); err != nil {
		t.Fatal(err)
	}
	awsCfg := moto.Config(t)
	scaletest.Seed(t, awsCfg)
	f := &scaleFlow{t: t, inv: &fakeInvoker{}, d: newFakeDiscord(t), c: &clock{t: testNow}, logs: &bytes.Buffer{}, awsCf: awsCfg,
		ecs: &countingECS{ECSAPI: ecs.NewFromConfig(awsCfg)}, asg: &countingASG{AutoScalingAPI: autoscaling.NewFromConfig(awsCfg)}}
	cfg := testConfig()
	cfg.Language = language
	cfg.Policy = authz.Policy{RoleIDs: []string{scaleRole}, TwoPerson: []string{"prod"}}
	client, name := statetest.Create(t, moto)
	f.faults = &faultyAPI{next: statetest.Serialize(client)}
	h, err := newHandler(cfg, deps{invoker: f.inv, editor: startDiscord(t, f.d), table: state.New(f.faults, name, f.c.now),
		scaler: &scale.Scaler{ECS: f.ecs, AutoScaling: f.asg, MaxDesired: 10}}, slog.New(slog.NewJSONHandler(f.logs, nil)), f.c.now)
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	return f
}

// body is the recorded /scale interaction as m sends it, with change applied to its JSON.
func (f *scaleFlow) body(m member, change func(map[string]any)) []byte {
	f.t.Helper()
	f.n++
	var in map[string]any
	if err := json.Unmarshal(interaction(f.t, "scale"), &in); err != nil {
		f.t.Fatal(err)
	}
	in["id"], in["token"] = fmt.Sprintf("13000000000000%05d", f.n), fmt.Sprintf("c2NhbGUtdG9rZW4-%05d", f.n)
	in["locale"] = m.locale
	mem := in["member"].(map[string]any)
	mem["roles"] = []string{m.role}
	mem["user"].(map[string]any)["id"], mem["user"].(map[string]any)["username"] = m.id, m.name
	change(in)
	b, err := json.Marshal(in)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// send runs body through the handler and keeps what Discord would then show.
func (f *scaleFlow) send(body []byte) discord.Response {
	f.t.Helper()
	edits := len(f.d.Requests())
	resp := flow(f.t, f.h, f.inv, f.c, body)
	var r discord.Response
	if err := json.Unmarshal([]byte(resp.Body), &r); err != nil {
		f.t.Fatalf("answer %d %s: %v", resp.StatusCode, resp.Body, err)
	}
	if r.Type == discord.ResponseUpdateMessage {
		f.card, f.updated = *r.Data, *r.Data
	}
	if len(f.d.Requests()) > edits {
		f.card = f.d.Requests()[len(f.d.Requests())-1].Message
	}
	return r
}

// command sends /scale service target desired as m.
func (f *scaleFlow) command(m member, service, target string, desired int) discord.Response {
	f.t.Helper()
	return f.send(f.body(m, func(in map[string]any) {
		in["data"].(map[string]any)["options"] = []map[string]any{
			{"name": "service", "type": 3, "value": service},
			{"name": "target", "type": 3, "value": target},
			{"name": "desired", "type": 4, "value": desired},
		}
	}))
}

// click sends m's click on the button of card whose label is label.
func (f *scaleFlow) click(m member, card discord.Message, label string) discord.Response {
	f.t.Helper()
	var customID string
	for _, row := range card.Components {
		for _, c := range row.Components {
			if c.Label == label {
				customID = c.CustomID
			}
		}
	}
	if customID == "" {
		f.t.Fatalf("no %s button on the card", label)
	}
	card.ID, card.ChannelID = "1300000000000000777", "1100000000000000002"
	return f.send(f.body(m, func(in map[string]any) {
		in["type"] = 3
		in["data"] = map[string]any{"component_type": 2, "custom_id": customID}
		in["message"] = card
	}))
}

// status is the card's status line, in English or Korean.
func (f *scaleFlow) status() string {
	for _, fl := range f.card.Embeds[0].Fields {
		if fl.Name == "status" || fl.Name == "상태" {
			return fl.Value
		}
	}
	return ""
}

// audits are the audit lines so far, as "action outcome user".
func (f *scaleFlow) audits() []string {
	var out []string
	for line := range strings.SplitSeq(strings.TrimSpace(f.logs.String()), "\n") {
		var e struct{ Msg, Action, Outcome, User, Target string }
		if json.Unmarshal([]byte(line), &e) == nil && e.Msg == "audit" {
			out = append(out, e.Action+" "+e.Outcome+" "+e.User+" "+e.Target)
		}
	}
	return out
}

func (f *scaleFlow) checkAudits(want ...string) {
	f.t.Helper()
	if diff := cmp.Diff(want, f.audits()); diff != "" {
		f.t.Errorf("audit lines mismatch (-want +got):\n%s", diff)
	}
}

func (f *scaleFlow) checkDesired(service, group string, want int32, writes int32) {
	f.t.Helper()
	if got := scaletest.Desired(f.t, f.awsCf, service, group); got != want {
		f.t.Errorf("desired count in AWS %d, want %d", got, want)
	}
	if got := f.ecs.writes.Load() + f.asg.writes.Load(); got != writes {
		f.t.Errorf("%d writes to AWS, want %d", got, writes)
	}
}

func ephemeralText(t *testing.T, r discord.Response) string {
	t.Helper()
	if r.Type != discord.ResponseChannelMessageWithSource || r.Data == nil || r.Data.Flags != discord.FlagEphemeral {
		t.Fatalf("answer %+v, want an ephemeral message", r)
	}
	return r.Data.Content
}

// marshal is m as a golden file holds it: indented, with <@id> mentions left readable.
func marshal(t *testing.T, m discord.Message) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// TestScaleApproved: a request, its preview, an approval by another member, the change made
// once in AWS and the card closed, for an ECS service; for an Auto Scaling group approved by
// its requester (no two-person rule for /scale).
func TestScaleApproved(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	t.Run("ecs", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		if r := f.command(requester, "ecs", scaletest.Web, 4); r.Type != discord.ResponseDeferredChannelMessageWithSource || r.Data != nil {
			t.Fatalf("/scale answered %+v, want the public deferred response", r)
		}
		golden(t, "work-scale-preview-ecs.json", marshal(t, f.card))
		preview := f.card
		f.c.t = testNow.Add(2 * time.Minute)
		if r := f.click(approver, preview, "Approve"); r.Type != discord.ResponseUpdateMessage {
			t.Fatalf("Approve answered %+v, want the card updated", r)
		}
		golden(t, "ack-scale-approve.json", marshal(t, f.updated))
		golden(t, "work-scale-scaled-ecs.json", marshal(t, f.card))
		f.checkDesired("web", "", 4, 1)
		f.checkAudits(
			"scale.request requested minji ecs prod/web -> 4",
			"scale.approve approved joon ecs prod/web -> 4",
			"scale.apply scaled joon ecs prod/web -> 4")
	})
	t.Run("asg", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.command(requester, "asg", scaletest.WebASG, 4)
		golden(t, "work-scale-preview-asg.json", marshal(t, f.card))
		f.click(requester, f.card, "Approve")
		want := fmt.Sprintf("✅ Scaled `web-asg`: 2 → 4, approved by <@%s> at <t:%d:f>.", requester.id, testNow.Unix())
		if got := f.status(); got != want || len(f.card.Components) != 0 {
			t.Errorf("card status %q with %d rows of buttons, want %q and none", got, len(f.card.Components), want)
		}
		f.checkDesired("", scaletest.WebASG, 4, 1)
	})
}

// TestScaleRefused: what the preview refuses, before any change: untagged, out of the group's
// range or above the ECS ceiling, no change, not found; and malformed options and members
// without an allowed role, answered at once to them only.
func TestScaleRefused(t *testing.T) {
	t.Parallel()
	f := newScaleFlow(t, mototest.Start(t))
	for _, tt := range []struct {
		name            string
		m               member
		service, target string
		desired         int
		want            string // the ephemeral answer, or the edit of the deferred response
	}{
		{"untagged", requester, "ecs", scaletest.Worker, 3, "⚠️ `prod/worker` is not tagged chatops:scalable=true: tag it to let the bot scale it."},
		{"untagged group", requester, "asg", scaletest.BatchASG, 2, "⚠️ `batch-asg` is not tagged chatops:scalable=true: tag it to let the bot scale it."},
		{"above the group's max", requester, "asg", scaletest.WebASG, 7,
			"⚠️ 7 is outside `web-asg`'s min and max (1 to 6). Change the group's min or max first, or pick a value in that range. Nothing was changed."},
		{"below the group's min", requester, "asg", scaletest.WebASG, 0,
			"⚠️ 0 is outside `web-asg`'s min and max (1 to 6). Change the group's min or max first, or pick a value in that range. Nothing was changed."},
		{"above the ECS ceiling", requester, "ecs", scaletest.Web, 11,
			"⚠️ 11 is above the bot's ceiling for ECS services: at most 10 tasks (SCALE_MAX_DESIRED). Nothing was changed."},
		{"no change", requester, "ecs", scaletest.Web, 2, "⚠️ `prod/web` already has a desired count of 2: nothing to change."},
		{"no such service", requester, "ecs", "prod/nope", 2,
			"⚠️ No active ECS service `prod/nope` in this account and Region. Write it as `cluster/service` and check both names."},
		{"no such cluster", requester, "ecs", "staging/web", 2,
			"⚠️ No active ECS service `staging/web` in this account and Region. Write it as `cluster/service` and check both names."},
		{"no such group", requester, "asg", "nope-asg", 2,
			"⚠️ No Auto Scaling group `nope-asg` in this account and Region. Check the name (it is case-sensitive)."},
		{"malformed target", requester, "ecs", "web", 2, "Write an ECS target as `cluster/service`, for example `prod/api` (not `web`)."},
		{"no allowed role", outsider, "ecs", scaletest.Web, 4,
			"⛔ You need one of these roles to scale: <@&" + scaleRole + ">. Ask someone who has one."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			edits := len(f.d.Requests())
			r := f.command(tt.m, tt.service, tt.target, tt.desired)
			got := ""
			if r.Type == discord.ResponseDeferredChannelMessageWithSource {
				if len(f.d.Requests()) != edits+1 {
					t.Fatalf("%d edits, want 1", len(f.d.Requests())-edits)
				}
				m := f.d.Requests()[edits].Message
				got = m.Content
				if len(m.Embeds) != 0 || len(m.Components) != 0 {
					t.Errorf("a refusal with a card: %+v", m)
				}
			} else {
				got = ephemeralText(t, r)
			}
			if got != tt.want {
				t.Errorf("answer\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	f.checkDesired("web", "", 2, 0)
	f.checkDesired("", scaletest.WebASG, 2, 0)
	f.checkAudits(
		"scale.request refused minji ecs prod/worker -> 3",
		"scale.request refused minji asg batch-asg -> 2",
		"scale.request refused minji asg web-asg -> 7",
		"scale.request refused minji asg web-asg -> 0",
		"scale.request refused minji ecs prod/web -> 11",
		"scale.request refused minji ecs prod/web -> 2",
		"scale.request refused minji ecs prod/nope -> 2",
		"scale.request refused minji ecs staging/web -> 2",
		"scale.request refused minji asg nope-asg -> 2",
		"scale.request refused minji ecs web",
		"scale.request denied sora ecs prod/web -> 4")
}

// TestScaleCards: what becomes of a card and of AWS when it is clicked: cancelled, clicked
// after it expired, approved by a member without the role, approved twice, and approved after
// the resource changed.
func TestScaleCards(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	t.Run("cancelled", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.command(requester, "ecs", scaletest.Web, 4)
		preview := f.card
		if r := f.click(requester, preview, "Cancel"); r.Type != discord.ResponseUpdateMessage {
			t.Fatalf("Cancel answered %+v", r)
		}
		golden(t, "ack-scale-cancel.json", marshal(t, f.updated))
		if len(f.updated.Components) != 0 || len(f.inv.calls) != 1 {
			t.Errorf("after Cancel: %d rows of buttons, %d invocations; want none and only the request's", len(f.updated.Components), len(f.inv.calls))
		}
		// A member without the role may not cancel someone else's request.
		f.command(requester, "ecs", scaletest.Web, 5)
		f.click(outsider, f.card, "Cancel")
		if len(f.card.Components) == 0 {
			t.Error("an outsider's Cancel closed the card")
		}
		f.checkDesired("web", "", 2, 0)
		f.checkAudits(
			"scale.request requested minji ecs prod/web -> 4",
			"scale.cancel cancelled minji ecs prod/web -> 4",
			"scale.request requested minji ecs prod/web -> 5",
			"scale.cancel denied sora ecs prod/web -> 5")
	})
	t.Run("expired", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.command(requester, "asg", scaletest.WebASG, 3)
		f.c.t = testNow.Add(scale.MaxAge + time.Second)
		if r := f.click(approver, f.card, "Approve"); r.Type != discord.ResponseUpdateMessage {
			t.Fatalf("Approve on an old card answered %+v", r)
		}
		if got := f.status(); !strings.HasPrefix(got, "⌛ Expired") || len(f.card.Components) != 0 {
			t.Errorf("card status %q, %d rows of buttons; want it expired and closed", got, len(f.card.Components))
		}
		f.checkDesired("", scaletest.WebASG, 2, 0)
		f.checkAudits(
			"scale.request requested minji asg web-asg -> 3",
			"scale.approve expired joon asg web-asg -> 3")
	})
	t.Run("approver without the role", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.command(requester, "ecs", scaletest.Web, 4)
		if r := f.click(outsider, f.card, "Approve"); r.Type != discord.ResponseUpdateMessage {
			t.Fatalf("Approve by an outsider answered %+v", r)
		}
		golden(t, "ack-scale-approve-denied.json", marshal(t, f.updated))
		// The card stays open: an allowed member can still approve it.
		f.click(approver, f.card, "Approve")
		f.checkDesired("web", "", 4, 1)
		f.checkAudits(
			"scale.request requested minji ecs prod/web -> 4",
			"scale.approve denied sora ecs prod/web -> 4",
			"scale.approve approved joon ecs prod/web -> 4",
			"scale.apply scaled joon ecs prod/web -> 4")
	})
	t.Run("approved twice", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.command(requester, "ecs", scaletest.Web, 4)
		preview := f.card
		f.click(approver, preview, "Approve")
		scaled := f.status()
		// A click on the card once it shows the approval: refused at once, no work.
		calls := len(f.inv.calls)
		if got := ephemeralText(t, f.click(requester, f.updated, "Approve")); got != "This request is already closed: Approved by <@"+approver.id+">: scaling…" {
			t.Errorf("Approve on a locked card: %s", got)
		}
		if len(f.inv.calls) != calls {
			t.Error("a click on a locked card started work")
		}
		// Two clicks at the same moment both carry the open card: the approval recorded first
		// decides, and the other click is told who approved.
		want := fmt.Sprintf("Already approved by <@%s> at <t:%d:T>.", approver.id, testNow.Unix())
		if got := ephemeralText(t, f.click(requester, preview, "Approve")); got != want {
			t.Errorf("second Approve on the open card: %s, want %s", got, want)
		}
		if len(f.inv.calls) != calls {
			t.Error("the second approval started work")
		}
		f.checkDesired("web", "", 4, 1)
		if got := f.status(); got != scaled || !strings.Contains(scaled, "✅ Scaled `prod/web`: 2 → 4") {
			t.Errorf("statuses %q then %q", scaled, got)
		}
		f.checkAudits(
			"scale.request requested minji ecs prod/web -> 4",
			"scale.approve approved joon ecs prod/web -> 4",
			"scale.apply scaled joon ecs prod/web -> 4",
			"scale.approve ignored minji ecs prod/web -> 4",
			"scale.approve ignored minji ecs prod/web -> 4")
	})
	t.Run("untagged after the preview", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.command(requester, "ecs", scaletest.Web, 4)
		arn := "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
		if _, err := ecs.NewFromConfig(f.awsCf).UntagResource(context.Background(), &ecs.UntagResourceInput{
			ResourceArn: aws.String(arn), TagKeys: []string{scale.TagKey}}); err != nil {
			t.Fatal(err)
		}
		f.click(approver, f.card, "Approve")
		want := "❌ Not scaled (approved by <@" + approver.id + ">): `prod/web` is not tagged chatops:scalable=true: tag it to let the bot scale it."
		if got := f.status(); got != want {
			t.Errorf("status\n got %s\nwant %s", got, want)
		}
		f.checkDesired("web", "", 2, 0)
	})
	t.Run("AWS refuses the write", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.ecs.refuse = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: ecs:UpdateService"}
		f.command(requester, "ecs", scaletest.Web, 4)
		f.click(approver, f.card, "Approve")
		golden(t, "work-scale-aws-refused.json", marshal(t, f.card))
		if strings.Contains(f.status(), "123456789012") {
			t.Error("the card shows AWS's message, account id included")
		}
		f.checkDesired("web", "", 2, 1)
		f.checkAudits(
			"scale.request requested minji ecs prod/web -> 4",
			"scale.approve approved joon ecs prod/web -> 4",
			"scale.apply failed joon ecs prod/web -> 4")
	})
}

// TestScaleTableFaults: when the state table does not answer, nothing is scaled without a
// recorded approval, and the member is told: at the click, or on the card.
func TestScaleTableFaults(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	t.Run("on the click", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.command(requester, "ecs", scaletest.Web, 4)
		f.faults.setFail(func(string, any) error { return throttled })
		calls := len(f.inv.calls)
		if got := ephemeralText(t, f.click(approver, f.card, "Approve")); !strings.HasPrefix(got, "⚠️ I couldn't record your click") {
			t.Errorf("answer %q", got)
		}
		if len(f.inv.calls) != calls {
			t.Error("a click whose approval was not recorded started work")
		}
		f.checkDesired("web", "", 2, 0)
	})
	t.Run("in the worker", func(t *testing.T) {
		f := newScaleFlow(t, moto)
		f.command(requester, "ecs", scaletest.Web, 4)
		f.faults.setFail(failReads)
		f.click(approver, f.card, "Approve")
		if got := f.status(); !strings.HasPrefix(got, "❌ Not scaled: I couldn't confirm this approval") || len(f.card.Components) != 0 {
			t.Errorf("status %q, %d rows of buttons", got, len(f.card.Components))
		}
		f.checkDesired("web", "", 2, 0)
		f.checkAudits(
			"scale.request requested minji ecs prod/web -> 4",
			"scale.approve approved joon ecs prod/web -> 4",
			"scale.apply refused joon ecs prod/web -> 4")
	})
}

// BenchmarkAckScale is the acknowledgement of /scale and of a click on Approve: the role
// check, the options or the card read back, and the answer (the asynchronous invocation is a
// fake). The request makes no network call; the click makes one, the conditional write of its
// approval record, here to a moto_server on the loopback (every click after the first is a
// redelivery of the same one, whose write fails its condition and reads the record back, as
// costly as the first). Compare with BenchmarkAck.
func BenchmarkAckScale(b *testing.B) {
	at := testNow.Add(-time.Minute)
	r := scale.Proposal{Target: scale.Target{Kind: scale.ECS, Name: "prod/web", Cluster: "prod", Service: "web"}, Desired: 4,
		RequesterID: requester.id, At: at}
	card := scale.Preview(catalog.Texts().Printer(i18n.English), r, scale.State{Target: r.Target, Desired: 2, Max: 10, Tagged: true})
	card.ID = "1300000000000000777"
	var in map[string]any
	if err := json.Unmarshal(interaction(b, "scale"), &in); err != nil {
		b.Fatal(err)
	}
	in["type"], in["message"] = 3, card
	in["data"] = map[string]any{"component_type": 2, "custom_id": card.Components[0].Components[0].CustomID}
	click, _ := json.Marshal(in)
	for name, body := range map[string][]byte{"request": interaction(b, "scale"), "approve": click} {
		b.Run(name, func(b *testing.B) {
			h, err := newHandler(testConfig(), deps{invoker: &fakeInvoker{}, table: stateTable(b, func() time.Time { return testNow })},
				slog.New(slog.NewJSONHandler(discard{}, nil)), func() time.Time { return testNow })
			if err != nil {
				b.Fatal(err)
			}
			ev := event{APIGatewayV2HTTPRequest: signedRequest(b, body, testNow)}
			ctx := context.Background()
			for b.Loop() {
				if resp, _ := h.Handle(ctx, ev); resp.StatusCode != 200 || !strings.HasPrefix(resp.Body, `{"type":`+map[string]string{"request": "5", "approve": "7"}[name]) {
					b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
				}
			}
		})
	}
}

// TestScaleKorean: with CHATOPS_LANGUAGE=ko the card and its outcome are in Korean, with
// Korean labels on its buttons; a refusal follows the member's Discord locale, not the
// channel's.
func TestScaleKorean(t *testing.T) {
	t.Parallel()
	f := newScaleFlowIn(t, mototest.Start(t), i18n.Korean)
	if got := ephemeralText(t, f.command(outsider, "ecs", scaletest.Web, 4)); got != "⛔ You need one of these roles to scale: <@&"+scaleRole+">. Ask someone who has one." {
		t.Errorf("refusal of an English-speaking member: %q", got)
	}
	if got := ephemeralText(t, f.command(outsider.inKorean(), "ecs", scaletest.Web, 4)); got != "⛔ 스케일 조정하려면 다음 역할 중 하나가 필요합니다: <@&"+scaleRole+">. 역할이 있는 분께 부탁하세요." {
		t.Errorf("refusal of a Korean-speaking member: %q", got)
	}
	f.command(requester, "ecs", scaletest.Web, 4)
	preview := f.card
	if got := preview.Embeds[0].Title; got != "ECS 서비스 prod/web 스케일 조정: 2 → 4" {
		t.Errorf("title %q", got)
	}
	if got := f.status(); !strings.HasPrefix(got, "허용된 역할이 있는 멤버의 승인을 <t:") {
		t.Errorf("status %q", got)
	}
	f.click(outsider, preview, "승인")
	if note := f.card.Embeds[0].Fields[len(f.card.Embeds[0].Fields)-1]; note.Name != "메모" ||
		note.Value != "⛔ <@"+outsider.id+"> 님이 승인 버튼을 눌렀지만 거부되었습니다: 스케일 조정하려면 다음 역할 중 하나가 필요합니다: <@&"+scaleRole+">. 역할이 있는 분께 부탁하세요." {
		t.Errorf("note on the card, in the channel's language: %+v", note)
	}
	f.click(approver, f.card, "승인")
	want := fmt.Sprintf("✅ `prod/web` 조정 완료: 2 → 4, <@%s> 님이 <t:%d:f>에 승인했습니다.", approver.id, testNow.Unix())
	if got := f.status(); got != want {
		t.Errorf("status\n got %s\nwant %s", got, want)
	}
	f.checkDesired("web", "", 4, 1)
	if got := ephemeralText(t, f.click(approver.inKorean(), preview, "승인")); got != fmt.Sprintf("<@%s> 님이 <t:%d:T>에 이미 승인했습니다.", approver.id, testNow.Unix()) {
		t.Errorf("a second approval, to a Korean-speaking member: %q", got)
	}
	if got := ephemeralText(t, f.click(approver, preview, "승인")); !strings.HasPrefix(got, "Already approved by <@"+approver.id+">") {
		t.Errorf("a second approval, to an English-speaking member: %q", got)
	}
}
