package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/deploy-notify/internal/notify"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/state"
)

// The members of the card's approval record.
const (
	requesterID = "1200000000000000011"
	approverID  = "1200000000000000022"
)

// proposal and approvalRecord are the approval record as the interactions function writes it
// (functions/interactions/internal/approval.Record of deploy.Proposal, docs/STATE.md): the
// proposal's fields carry no tags.
type proposal struct {
	Kind, Environment, Ref, SHA, RequesterID, Requester string
	RequestedAt                                         time.Time
}

type approvalRecord struct {
	Kind          string    `dynamodbav:"kind"`
	State         string    `dynamodbav:"state"`
	Proposal      proposal  `dynamodbav:"proposal"`
	By            string    `dynamodbav:"by"`
	At            time.Time `dynamodbav:"at"`
	InteractionID string    `dynamodbav:"interaction_id"`
}

// seedApproval records the card's approval: requested by requester, approved by approver.
func seedApproval(t *testing.T, table *state.Table, requester, approver string) {
	t.Helper()
	rec := approvalRecord{Kind: "deploy", State: "dispatched", By: approver, At: testNow.Add(-10 * time.Minute), InteractionID: "1500000000000000001",
		Proposal: proposal{Kind: "deploy", Environment: "prod", Ref: "main", RequesterID: requester, Requester: "alice", RequestedAt: testNow.Add(-12 * time.Minute)}}
	if _, err := table.Create(context.Background(), notify.ApprovalKey(cardMessageID), 30*24*time.Hour, rec); err != nil {
		t.Fatal(err)
	}
}

// sentReply is what a reply's body says.
type sentReply struct {
	Content         string                   `json:"content"`
	AllowedMentions discord.AllowedMentions  `json:"allowed_mentions"`
	Reference       discord.MessageReference `json:"message_reference"`
	Nonce           string                   `json:"nonce"`
	EnforceNonce    bool                     `json:"enforce_nonce"`
	Embeds          []discord.Embed          `json:"embeds"`
}

// replies are the posts to the card's channel: the replies, in order.
func replies(t *testing.T, d *discordtest.Server) []sentReply {
	t.Helper()
	var out []sentReply
	for _, r := range d.Requests() {
		if r.Method != http.MethodPost || r.Path != discordtest.APIPath+"/channels/"+cardChannelID+"/messages" || r.Status != http.StatusOK {
			continue
		}
		var m sentReply
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// conclude makes the card's failed run end with conclusion instead.
func conclude(t *testing.T, conclusion string) []byte {
	t.Helper()
	b := githubapptest.Payload(t, "workflow_run.completed.failure.card.derived")
	out := bytes.Replace(b, []byte(`"conclusion": "failure"`), []byte(`"conclusion": "`+conclusion+`"`), 1)
	if conclusion != "failure" && bytes.Equal(out, b) {
		t.Fatal("the edit changed nothing")
	}
	return out
}

// TestReply: a finished run approved on a card is replied to on the card, in the channel's
// language: one line with the result, the run's linked number, the short linked commit and the
// people of the approval record. A failure pings exactly the requester and the approver
// (allowed_mentions names just them); a success names them without a ping.
func TestReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		conclusion           string
		requester, approver  string
		wantUsers            []string
		wantNames, wantTitle map[i18n.Language]string
	}{
		{"failure", "failure", requesterID, approverID, []string{requesterID, approverID},
			map[i18n.Language]string{i18n.English: "requested by <@" + requesterID + ">, approved by <@" + approverID + ">", i18n.Korean: "요청: <@" + requesterID + ">, 승인: <@" + approverID + ">"},
			map[i18n.Language]string{i18n.English: "Deploy to prod failed", i18n.Korean: "prod 배포에 실패했습니다"}},
		{"success", "success", requesterID, approverID, nil,
			map[i18n.Language]string{i18n.English: "requested by <@" + requesterID + ">, approved by <@" + approverID + ">", i18n.Korean: "요청: <@" + requesterID + ">, 승인: <@" + approverID + ">"},
			map[i18n.Language]string{i18n.English: "Deploy to prod succeeded", i18n.Korean: "prod 배포에 성공했습니다"}},
		{"cancelled", "cancelled", requesterID, approverID, []string{requesterID, approverID},
			map[i18n.Language]string{i18n.English: "requested by <@" + requesterID + ">, approved by <@" + approverID + ">", i18n.Korean: "요청: <@" + requesterID + ">, 승인: <@" + approverID + ">"},
			map[i18n.Language]string{i18n.English: "Deploy to prod was cancelled", i18n.Korean: "prod 배포가 취소되었습니다"}},
		{"self-approved failure", "failure", requesterID, requesterID, []string{requesterID},
			map[i18n.Language]string{i18n.English: "requested and approved by <@" + requesterID + ">", i18n.Korean: "요청·승인: <@" + requesterID + ">"},
			map[i18n.Language]string{i18n.English: "Deploy to prod failed", i18n.Korean: "prod 배포에 실패했습니다"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, lang := range i18n.Languages() {
				f := newFixtureIn(t, "test.yml", lang)
				seed(t, f.discord, card)
				seedApproval(t, f.h.table, tt.requester, tt.approver)
				if err := f.h.Handle(context.Background(), envelope(t, "workflow_run", conclude(t, tt.conclusion))); err != nil {
					t.Fatalf("%s: Handle: %v", lang, err)
				}
				got := replies(t, f.discord)
				if len(got) != 1 {
					t.Fatalf("%s: %d replies, want 1", lang, len(got))
				}
				r := got[0]
				run := "[" + map[i18n.Language]string{i18n.English: "run", i18n.Korean: "실행"}[lang] + " #163](https://github.com/octo-org/octo-repo/actions/runs/289782451)"
				commit := "[`3484a3f`](https://github.com/octo-org/octo-repo/commit/3484a3fb816e0859fd6e1cea078d76385ff50625)"
				if want := strings.Join([]string{tt.wantTitle[lang], run, commit, tt.wantNames[lang]}, " · "); r.Content != want {
					t.Errorf("%s: reply %q, want %q", lang, r.Content, want)
				}
				if diff := cmp.Diff(discord.AllowedMentions{Parse: []string{}, Users: tt.wantUsers}, r.AllowedMentions); diff != "" {
					t.Errorf("%s: allowed_mentions (-want +got):\n%s", lang, diff)
				}
				if r.Reference.MessageID != cardMessageID || r.Reference.ChannelID != cardChannelID {
					t.Errorf("%s: reply references %+v, want the card", lang, r.Reference)
				}
				if !r.EnforceNonce || r.Nonce != "dr-4sj1kj-1-"+tt.conclusion || len(r.Embeds) != 0 {
					t.Errorf("%s: nonce %q (enforced %v), %d embeds; want dr-4sj1kj-1-%s enforced, no embed", lang, r.Nonce, r.EnforceNonce, len(r.Embeds), tt.conclusion)
				}
				reqs := f.discord.Requests()
				checkBodies(t, reqs)
				if tt.name == "failure" || tt.name == "success" {
					compareGolden(t, lang, reqs)
				}
			}
		})
	}
}

// TestReplyOnce: the reply is posted once however the event arrives: twice, as a new event
// with the same run state, or retried by Lambda after Discord failed it, and a 429 is waited
// out rather than posted twice.
func TestReplyOnce(t *testing.T) {
	t.Parallel()
	serverError := discordtest.Reply{Status: http.StatusBadGateway, Body: `<html>502 Bad Gateway</html>`}
	tests := []struct {
		name    string
		script  []discordtest.Reply // answers to the first posts
		wantErr bool                // the first delivery fails, for Lambda to retry it
	}{
		{"delivered twice", nil, false},
		{"429 waited out", []discordtest.Reply{discordtest.RateLimited(time.Second, false)}, false},
		{"5xx beyond the retries, then retried by Lambda", []discordtest.Reply{serverError, serverError, serverError, serverError}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "test.yml")
			seed(t, f.discord, card)
			seedApproval(t, f.h.table, requesterID, approverID)
			f.discord.Script(http.MethodPost, tt.script...)
			e := envelope(t, "workflow_run", githubapptest.Payload(t, "workflow_run.completed.failure.card.derived"))
			err := f.h.Handle(context.Background(), e)
			if (err != nil) != tt.wantErr {
				t.Fatalf("first delivery: Handle error %v, want error %v", err, tt.wantErr)
			}
			var pe *PublishError
			if err != nil && (!errors.As(err, &pe) || !strings.HasPrefix(pe.Step, "reply")) {
				t.Errorf("first delivery: error %v, want a PublishError of the reply", err)
			}
			// Lambda's retry, or EventBridge's second delivery, and a redelivery from GitHub.
			if err := f.h.Handle(context.Background(), e); err != nil {
				t.Fatalf("second delivery: %v", err)
			}
			e.ID = otherEventID
			if err := f.h.Handle(context.Background(), e); err != nil {
				t.Fatalf("redelivery: %v", err)
			}
			if got := replies(t, f.discord); len(got) != 1 || len(got[0].AllowedMentions.Users) != 2 {
				t.Errorf("replies %+v, want one that pings both", got)
			}
			if n := len(f.discord.Created(cardChannelID)); n != 1 {
				t.Errorf("%d messages in the card's channel, want 1", n)
			}
			edits := 0
			for _, r := range f.discord.Requests() {
				if r.Method == http.MethodPatch {
					edits++
				}
			}
			if edits != 1 {
				t.Errorf("%d card edits, want 1", edits)
			}
		})
	}
}

// TestReplyWithoutRecord: a card whose approval record is gone gets a reply that names the
// run's requester as the run gives it, and pings nobody.
func TestReplyWithoutRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "test.yml")
	seed(t, f.discord, card)
	if err := f.send(t, "workflow_run", "workflow_run.completed.failure.card.derived"); err != nil {
		t.Fatal(err)
	}
	got := replies(t, f.discord)
	if len(got) != 1 || !strings.HasSuffix(got[0].Content, " · requested by alice") || len(got[0].AllowedMentions.Users) != 0 {
		t.Errorf("replies %+v, want one naming alice without a ping", got)
	}
}

// TestLockReleased: the card's deploy lock lasts while the run runs and goes when it completes;
// the lock of another card's run, dispatched anyway beside it, stays.
func TestLockReleased(t *testing.T) {
	t.Parallel()
	for _, conclusion := range []string{"success", "failure", "cancelled"} {
		t.Run(conclusion, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "test.yml")
			seed(t, f.discord, card)
			ctx := context.Background()
			const otherCard = "1300000000000000999"
			for _, id := range []string{cardMessageID, otherCard} {
				if err := f.h.table.Put(ctx, deployrun.LockKey("prod", id), deployrun.LockTTL, map[string]any{"run_id": 1}); err != nil {
					t.Fatal(err)
				}
			}
			held := func(id string) bool {
				_, err := f.h.table.Get(ctx, deployrun.LockKey("prod", id), nil)
				if err != nil && !errors.Is(err, state.ErrNotFound) {
					t.Fatal(err)
				}
				return err == nil
			}
			if err := f.send(t, "workflow_run", "workflow_run.in_progress.card.derived"); err != nil {
				t.Fatal(err)
			}
			if !held(cardMessageID) {
				t.Fatal("lock released while the run is in progress")
			}
			if err := f.h.Handle(ctx, envelope(t, "workflow_run", conclude(t, conclusion))); err != nil {
				t.Fatal(err)
			}
			if held(cardMessageID) {
				t.Error("lock still held after the run completed")
			}
			if !held(otherCard) {
				t.Error("the other card's lock was released")
			}
		})
	}
}

// TestCardFromBefore: a card whose status embed names the run by its id, as footers did before
// they named its number, is still read: the run's result replaces that embed rather than
// joining it, and a late event of an earlier state leaves it alone.
func TestCardFromBefore(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "test.yml")
	old := strings.Replace(card, `"footer": {"text": "correlation 1100000000000000002-1300000000000000100"}}]`,
		`"footer": {"text": "correlation 1100000000000000002-1300000000000000100"}},
		{"type": "rich", "title": "Deploy to prod is running", "footer": {"text": "run 289782451 · attempt 1 · in_progress"}}]`, 1)
	if old == card {
		t.Fatal("the edit changed nothing")
	}
	seed(t, f.discord, old)
	if err := f.send(t, "workflow_run", "workflow_run.requested.card.derived"); err != nil {
		t.Fatal(err)
	}
	if got := cardState(t, f.discord); got.Embeds[1].Footer.Text != "run 289782451 · attempt 1 · in_progress" {
		t.Errorf("a late requested changed the card: %q", got.Embeds[1].Footer.Text)
	}
	if err := f.send(t, "workflow_run", "workflow_run.completed.failure.card.derived"); err != nil {
		t.Fatal(err)
	}
	got := cardState(t, f.discord)
	if len(got.Embeds) != 2 || got.Embeds[1].Footer.Text != "run #163 · attempt 1 · failure" {
		t.Errorf("card embeds %+v, want the approval and the failure, named by the run's number", got.Embeds)
	}
}
