package deploy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
	statetable "github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// downTable is a state table that does not answer.
type downTable struct{}

var errDown = errors.New("connection refused")

func (downTable) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, errDown
}

func (downTable) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, errDown
}

func (downTable) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return nil, errDown
}

func (downTable) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, errDown
}

// approveButton is the card's button that approves it.
func approveButton(t *testing.T, k Kind, m discord.Message) discord.Component {
	t.Helper()
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.HasPrefix(c.CustomID, k.approvePrefix()) {
				return c
			}
		}
	}
	t.Fatalf("no approve button on %+v", m.Components)
	return discord.Component{}
}

// TestLockOnDispatch: the dispatch of an approved card takes the environment's deploy lock for
// its run; a dispatch GitHub refused takes none.
func TestLockOnDispatch(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	p := Proposal{Kind: KindDeploy, Environment: "prod", Ref: "main", RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
	card := NewCard(english().Printer, p, "c")
	for _, dispatched := range []bool{true, false} {
		t.Run(fmt.Sprint("dispatched ", dispatched), func(t *testing.T) {
			t.Parallel()
			gh, s := gitHub(t, &entries{})
			s.Now = func() time.Time { return requestedAt.Add(time.Minute) }
			s.Approvals.Table = statetest.New(t, moto, s.Now)
			s.Discord = originalsFunc(func(context.Context, string, string) (discord.Message, error) { return card, nil })
			answerJSON(gh, "GET /repos/acme/shop/actions/workflows/deploy.yml/runs", http.StatusOK, noRuns)
			gh.Handle("POST /repos/acme/shop/actions/workflows/deploy.yml/dispatches", gh.RequireInstallation(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !dispatched {
					w.WriteHeader(http.StatusUnprocessableEntity)
					fmt.Fprint(w, `{"message": "Workflow does not have 'workflow_dispatch' trigger"}`)
					return
				}
				fmt.Fprint(w, `{"workflow_run_id": 42, "run_url": "https://api.github.com/repos/acme/shop/actions/runs/42", "html_url": "https://github.com/acme/shop/actions/runs/42"}`)
			})))
			req := click(card, p, KindDeploy.approvePrefix(), member(approver, roleID), time.Minute)
			req.Interaction.ID = "500000000000000001"
			if reply := s.approve(t.Context(), KindDeploy, req); !reply.Deferred() {
				t.Fatalf("approval answered %q", answer(reply, discord.InteractionMessageComponent))
			}
			if _, err := s.startApproved(t.Context(), KindDeploy, req); err != nil {
				t.Fatal(err)
			}
			var l lock
			_, err := s.Approvals.Table.Get(t.Context(), deployrun.LockKey("prod", cardMsgID), &l)
			if !dispatched {
				if !errors.Is(err, statetable.ErrNotFound) {
					t.Fatalf("lock after a refused dispatch: %+v, %v; want none", l, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := lock{Kind: KindDeploy, CardChannelID: channelID, CardMessageID: cardMsgID, Ref: "main", RunID: 42,
				URL: "https://github.com/acme/shop/actions/runs/42", By: approver, At: requestedAt.Add(time.Minute)}
			if l != want {
				t.Errorf("lock %+v, want %+v", l, want)
			}
		})
	}
}

// TestCardWhileLocked: a /deploy to an environment with a run in flight makes a card that says
// so and whose Approve button reads "Deploy anyway", in red, approving as before; once
// deploy-notify releases the lock, or it lapses after its TTL, cards are plain again.
func TestCardWhileLocked(t *testing.T) {
	t.Parallel()
	sink := &entries{}
	gh, s := gitHub(t, sink)
	clock := statetest.NewClock(requestedAt)
	s.Now = clock.Now
	s.Approvals.Table = statetest.New(t, mototest.Start(t), clock.Now)
	answerJSON(gh, "GET /repos/acme/shop", http.StatusOK, map[string]any{"full_name": "acme/shop", "default_branch": "main"})
	gh.Handle("GET /repos/acme/shop/commits/main", gh.RequireInstallation(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, strings.Repeat("d", 40))
	})))
	answerJSON(gh, "GET /repos/acme/shop/actions/workflows/deploy.yml/runs", http.StatusOK, noRuns)
	en := english()

	newCard := func(t *testing.T) discord.Message {
		t.Helper()
		msg, err := s.requestWork(t.Context(), KindDeploy, slash("deploy", member(requester, roleID), "environment", "prod"))
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	plain := func(t *testing.T, when string) {
		t.Helper()
		msg := newCard(t)
		if b := approveButton(t, KindDeploy, msg); b.Label != "Approve" || b.Style != discord.ButtonSuccess {
			t.Errorf("%s: approve button %+v, want a green Approve", when, b)
		}
		if d := msg.Embeds[0].Description; strings.Contains(d, "in flight") {
			t.Errorf("%s: card warns: %q", when, d)
		}
	}
	hold := func(t *testing.T, cardID string) {
		t.Helper()
		s.holdLock(t.Context(), Proposal{Kind: KindDeploy, Environment: "prod", Ref: "main"}, deployrun.CorrelationID(channelID, cardID), approver,
			RunDetails{ID: 42, HTMLURL: "https://github.com/acme/shop/actions/runs/42"})
	}

	plain(t, "no run in flight")
	hold(t, cardMsgID)
	msg := newCard(t)
	b := approveButton(t, KindDeploy, msg)
	if b.Label != "Deploy anyway" || b.Style != discord.ButtonDanger || b.Disabled {
		t.Errorf("approve button %+v, want a red, enabled Deploy anyway", b)
	}
	wantWarning := fmt.Sprintf("⚠️ `prod` has a run in flight that has not finished: [deploy dispatched <t:%d:R>](https://github.com/acme/shop/actions/runs/42) (approved by <@%s>). **Deploy anyway** dispatches this one as well;",
		requestedAt.Unix(), approver)
	if d := msg.Embeds[0].Description; !strings.HasPrefix(d, wantWarning) || !strings.HasSuffix(d, en.Printer.T("deploy.card.waiting")) {
		t.Errorf("card says %q, want the warning %q then the wait", d, wantWarning)
	}
	// Deploy anyway is the approval: the card reads back and a member may approve it.
	p, err := Read(en.Catalog, KindDeploy, &msg, b.CustomID)
	if err != nil {
		t.Fatalf("the warned card does not read back: %v", err)
	}
	clock.Advance(time.Minute)
	s.Discord = originalsFunc(func(context.Context, string, string) (discord.Message, error) { return msg, nil })
	req := click(msg, p, KindDeploy.approvePrefix(), member(approver, roleID), time.Minute)
	if reply := s.approve(t.Context(), KindDeploy, req); !reply.Deferred() {
		t.Errorf("Deploy anyway answered %q, want the approval", answer(reply, discord.InteractionMessageComponent))
	}

	// deploy-notify's release when the run completes.
	if err := s.Approvals.Table.Release(t.Context(), deployrun.LockKey("prod", cardMsgID)); err != nil {
		t.Fatal(err)
	}
	plain(t, "released")

	const lapsedCard = "300000000000000077"
	hold(t, lapsedCard)
	clock.Advance(deployrun.LockTTL - time.Second)
	if b := approveButton(t, KindDeploy, newCard(t)); b.Label != "Deploy anyway" {
		t.Errorf("a second before the TTL: approve button %+v, want Deploy anyway", b)
	}
	clock.Advance(time.Second)
	plain(t, "past the TTL")
}

// TestWarnInFlight: the warning and the button in each language, for a rollback too, and a
// card left as it is when the table does not answer.
func TestWarnInFlight(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	tests := []struct {
		lang       i18n.Language
		kind       Kind
		button     string
		warning    string
		dispatched string
	}{
		{i18n.English, KindRollback, "Roll back anyway", "⚠️ `prod` has a run in flight", "[rollback dispatched <t:"},
		{i18n.Korean, KindDeploy, "그래도 배포", "⚠️ `prod`에 아직 끝나지 않은 실행이 있습니다", "에 시작한 롤백](https://github.com/acme/shop/actions/runs/42) (승인: <@" + approver + ">)"},
		{i18n.Korean, KindRollback, "그래도 롤백", "⚠️ `prod`에 아직 끝나지 않은 실행이 있습니다", "**그래도 롤백** 버튼을 누르면"},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang)+" "+string(tt.kind), func(t *testing.T) {
			t.Parallel()
			s := testService(&entries{})
			s.Approvals.Table = statetest.New(t, moto, s.Now)
			c := catalog()
			texts := approval.Texts{Catalog: c, Printer: c.Printer(tt.lang)}
			p := Proposal{Kind: tt.kind, Environment: "prod", Ref: "main", SHA: strings.Repeat("a", 40), RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
			card := NewCard(texts.Printer, p, "c")
			s.holdLock(t.Context(), Proposal{Kind: KindRollback, Environment: "prod", Ref: "main"}, deployrun.CorrelationID(channelID, "300000000000000055"),
				approver, RunDetails{ID: 42, HTMLURL: "https://github.com/acme/shop/actions/runs/42"})
			got := s.warnInFlight(t.Context(), texts, p, card)
			if b := approveButton(t, tt.kind, got); b.Label != tt.button || b.Style != discord.ButtonDanger {
				t.Errorf("approve button %+v, want %q in red", b, tt.button)
			}
			if d := got.Embeds[0].Description; !strings.HasPrefix(d, tt.warning) || !strings.Contains(d, tt.dispatched) || strings.Contains(d, "[deploy.") {
				t.Errorf("card says %q, want %q ... %q", d, tt.warning, tt.dispatched)
			}
			if approveButton(t, tt.kind, card).Label == tt.button {
				t.Error("the card passed in was changed")
			}

			// A table that does not answer: the card as made.
			s.Approvals.Table = statetable.New(downTable{}, "down", s.Now)
			if got := s.warnInFlight(t.Context(), texts, p, card); approveButton(t, tt.kind, got).Label == tt.button {
				t.Error("warned with no table to read")
			}
		})
	}
}

// TestGoldenLocked shows the warned cards in English and in Korean: a /deploy and a /rollback
// to prod while a deploy of prod is in flight.
func TestGoldenLocked(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			c := catalog()
			tx := approval.Texts{Catalog: c, Printer: c.Printer(lang)}
			s := testService(&entries{})
			s.Approvals.Table = statetest.New(t, moto, s.Now)
			s.Now = func() time.Time { return requestedAt.Add(-5 * time.Minute) } // the earlier deploy's dispatch
			s.holdLock(t.Context(), Proposal{Kind: KindDeploy, Environment: "prod", Ref: "v1.4.1"}, deployrun.CorrelationID(channelID, "300000000000000044"),
				approver, RunDetails{ID: 1000, HTMLURL: "https://github.com/acme/shop/actions/runs/1000"})
			s.Now = func() time.Time { return requestedAt }
			deploy := Proposal{Kind: KindDeploy, Environment: "prod", Ref: "v1.4.2", SHA: strings.Repeat("c", 40), RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
			rollback := Proposal{Kind: KindRollback, Environment: "prod", Ref: "main", SHA: strings.Repeat("a", 40), RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
			golden(t, "card-locked", lang, s.warnInFlight(t.Context(), tx, deploy, NewCard(tx.Printer, deploy, "")))
			golden(t, "rollback-locked", lang, s.warnInFlight(t.Context(), tx, rollback, NewCard(tx.Printer, rollback, "")))
		})
	}
}
