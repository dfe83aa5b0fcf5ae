package deploy

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// The test guild: requester and approver hold the allowed role in most cases, guest never.
const (
	roleID    = "100000000000000001"
	requester = "200000000000000001"
	approver  = "200000000000000002"
	guest     = "200000000000000003"
	cardMsgID = "300000000000000001"
	channelID = "400000000000000001"
)

var requestedAt = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// entries is an audit.Sink that keeps what it is given.
type entries struct {
	mu  sync.Mutex
	got []string
}

func (e *entries) Write(_ context.Context, en audit.Entry) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, strings.Join(strings.Fields(strings.Join([]string{en.RequestID, en.Action, en.Target, en.User, en.Outcome, en.Detail}, " ")), " "))
	return nil
}

func testService(sink audit.Sink) *Service {
	log := slog.New(slog.DiscardHandler)
	return &Service{Environments: []string{"dev", "prod"}, Workflow: "deploy.yml",
		Policy: authz.Policy{RoleIDs: []string{roleID}, TwoPerson: []string{"prod"}},
		Audit:  audit.NewRecorder(sink, log, nil), Log: log, Now: func() time.Time { return requestedAt }}
}

func member(id string, roles ...string) *discord.Member {
	return &discord.Member{User: &discord.User{ID: id, Username: "user" + id[len(id)-1:]}, Roles: roles}
}

// slash is /<name> with string options, by m.
func slash(name string, m *discord.Member, opts ...string) command.Request {
	data := &discord.CommandData{Name: name}
	for i := 0; i+1 < len(opts); i += 2 {
		v, _ := json.Marshal(opts[i+1])
		data.Options = append(data.Options, discord.CommandOption{Name: opts[i], Type: discord.OptionString, Value: v})
	}
	return command.Request{Interaction: discord.Interaction{Type: discord.InteractionApplicationCommand, GuildID: "g", Member: m, Command: data},
		Received: requestedAt, RequestID: "req-1", Texts: catalog()}
}

// click is a click by m on the button prefix of card, received after.
func click(card discord.Message, p Proposal, prefix string, m *discord.Member, after time.Duration) command.Request {
	card.ID = cardMsgID
	return command.Request{Interaction: discord.Interaction{Type: discord.InteractionMessageComponent, GuildID: "g", ChannelID: channelID,
		Member: m, Message: &card, Component: &discord.ComponentData{CustomID: p.customID(prefix)}},
		Received: requestedAt.Add(after), RequestID: "req-2", Texts: catalog()}
}

// answer is what a reply shows: the ephemeral text, or the card's state and whether its
// buttons are enabled.
func answer(r command.Reply, t discord.InteractionType) string {
	resp := r.Response(t)
	if resp.Data == nil {
		return "deferred"
	}
	if resp.Data.Flags&discord.FlagEphemeral != 0 {
		return "ephemeral: " + resp.Data.Content
	}
	out := "card: " + resp.Data.Embeds[0].Description
	for _, row := range resp.Data.Components {
		for _, c := range row.Components {
			if c.Disabled {
				return out + " [locked]"
			}
		}
	}
	return out + " [open]"
}

// TestRequestQuick checks what /deploy and /rollback answer at once: a refusal only the
// invoker sees, or the card deferred to the worker.
func TestRequestQuick(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		kind  Kind
		req   command.Request
		want  string
		audit []string
	}{
		{"allowed deploy", KindDeploy, slash("deploy", member(requester, roleID), "environment", "prod", "ref", "v1.2.3"), "deferred", nil},
		{"allowed rollback", KindRollback, slash("rollback", member(requester, roleID), "environment", "dev"), "deferred", nil},
		{"missing role", KindDeploy, slash("deploy", member(guest), "environment", "prod"), "ephemeral: You need one of these roles to deploy",
			[]string{"req-1 deploy.request prod user3 denied missing-role"}},
		{"direct message", KindRollback, command.Request{Interaction: discord.Interaction{User: &discord.User{ID: guest}, Command: &discord.CommandData{Name: "rollback"}}, RequestID: "req-1", Texts: catalog()},
			"ephemeral: You can only roll back from a server channel", []string{"req-1 rollback.request denied not-in-guild"}},
		{"unknown environment", KindDeploy, slash("deploy", member(requester, roleID), "environment", "staging"), "ephemeral: `staging` is not an environment I deploy to: choose one of dev, prod.",
			[]string{"req-1 deploy.request staging user1 refused environment not offered"}},
		{"ref with a space", KindDeploy, slash("deploy", member(requester, roleID), "environment", "dev", "ref", "my branch"), "ephemeral: `my branch` is not a branch or tag name.",
			[]string{"req-1 deploy.request dev@my branch user1 refused not a branch or tag name"}},
		{"ref with ..", KindDeploy, slash("deploy", member(requester, roleID), "environment", "dev", "ref", "a..b"), "ephemeral: `a..b` is not a branch or tag name.",
			[]string{"req-1 deploy.request dev@a..b user1 refused not a branch or tag name"}},
		{"commit id", KindDeploy, slash("deploy", member(requester, roleID), "environment", "dev", "ref", strings.Repeat("ab", 20)), "ephemeral: `" + strings.Repeat("ab", 20) + "` is not a branch or tag name.",
			[]string{"req-1 deploy.request dev@" + strings.Repeat("ab", 20) + " user1 refused not a branch or tag name"}},
		{"ref too long", KindDeploy, slash("deploy", member(requester, roleID), "environment", "dev", "ref", strings.Repeat("r", 256)), "ephemeral: `",
			[]string{"req-1 deploy.request dev@" + strings.Repeat("r", 256) + " user1 refused not a branch or tag name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink := &entries{}
			s := testService(sink)
			def := DeployCommand(s, command.Command{Name: "deploy"})
			if tt.kind == KindRollback {
				def = RollbackCommand(s, command.Command{Name: "rollback"})
			}
			got := answer(def.Quick(t.Context(), tt.req), tt.req.Interaction.Type)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("answer %q, want it to start with %q", got, tt.want)
			}
			if diff := cmp.Diff(tt.audit, sink.got); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRollbackButton checks that deploy-notify's "Roll back" button opens a new rollback card
// for an allowed member, in a new message, and refuses others.
func TestRollbackButton(t *testing.T) {
	t.Parallel()
	s := testService(&entries{})
	def := RollbackCommand(s, command.Command{Name: "rollback"})
	var roll command.Button
	for _, b := range def.Buttons {
		if b.Prefix == deployrun.RollbackButtonPrefix {
			roll = b
		}
	}
	in := func(m *discord.Member, env string) command.Request {
		return command.Request{Interaction: discord.Interaction{Type: discord.InteractionMessageComponent, GuildID: "g", Member: m,
			Message: &discord.Message{}, Component: &discord.ComponentData{CustomID: deployrun.RollbackButtonPrefix + env}}, Received: requestedAt, Texts: catalog()}
	}
	reply := roll.Quick(t.Context(), in(member(requester, roleID), "prod"))
	if resp := reply.Response(discord.InteractionMessageComponent); !reply.Deferred() || resp.Type != discord.ResponseDeferredChannelMessageWithSource {
		t.Errorf("allowed member: deferred %v, response type %d; want a deferred new message", reply.Deferred(), resp.Type)
	}
	if got := answer(roll.Quick(t.Context(), in(member(guest), "prod")), discord.InteractionMessageComponent); !strings.HasPrefix(got, "ephemeral: You need one of these roles to roll back") {
		t.Errorf("guest: %q", got)
	}
	if got := answer(roll.Quick(t.Context(), in(member(requester, roleID), "qa")), discord.InteractionMessageComponent); !strings.HasPrefix(got, "ephemeral: `qa` is not an environment") {
		t.Errorf("unknown environment: %q", got)
	}
}

// TestClicks checks Approve and Cancel on a card: who may, the two-person rule, expiry, a
// closed card, an unreadable one, and the audit record of each decision.
func TestClicks(t *testing.T) {
	t.Parallel()
	prod := Proposal{Kind: KindDeploy, Environment: "prod", Ref: "main", SHA: strings.Repeat("c", 40), RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
	dev := prod
	dev.Environment = "dev"
	rollback := Proposal{Kind: KindRollback, Environment: "prod", Ref: "main", SHA: strings.Repeat("a", 40), RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
	en := english().Printer
	closed := NewCard(en, prod, "changes")
	closed.Embeds[0].Description = "✖️ Cancelled by someone. Nothing was dispatched."
	closed.Components = buttons(en, prod, false, "")
	tests := []struct {
		name     string
		card     discord.Message
		p        Proposal
		approve  bool
		m        *discord.Member
		after    time.Duration
		want     string
		deferred bool
		audit    []string
	}{
		{"approve by another member", NewCard(en, prod, "c"), prod, true, member(approver, roleID), time.Minute,
			"card: ⏳ Approved by <@" + approver + ">: dispatching… [locked]", true, []string{"req-2 deploy.approve prod@main user2 approved"}},
		{"approve by the requester where two people are needed", NewCard(en, prod, "c"), prod, true, member(requester, roleID), time.Minute,
			"card: ", false, []string{"req-2 deploy.approve prod@main user1 denied same-person"}},
		{"approve by the requester in dev", NewCard(en, dev, "c"), dev, true, member(requester, roleID), time.Minute,
			"card: ⏳ Approved by <@" + requester + ">: dispatching… [locked]", true, []string{"req-2 deploy.approve dev@main user1 approved"}},
		{"approve without the role", NewCard(en, prod, "c"), prod, true, member(guest), time.Minute,
			"card: ", false, []string{"req-2 deploy.approve prod@main user3 denied missing-role"}},
		{"approve too late", NewCard(en, prod, "c"), prod, true, member(approver, roleID), 16 * time.Minute,
			"card: ⌛ Expired: not approved within 15 minutes of the request. Run `/deploy` again for a fresh card. [locked]", false,
			[]string{"req-2 deploy.approve prod@main user2 expired requested 16m0s before"}},
		{"approve a closed card", closed, prod, true, member(approver, roleID), time.Minute,
			"ephemeral: This request is already closed: ✖️ Cancelled by someone.", false, []string{"req-2 deploy.approve prod@main user2 ignored card already closed"}},
		{"approve a rollback", NewCard(en, rollback, "c"), rollback, true, member(approver, roleID), time.Minute,
			"card: ⏳ Approved by <@" + approver + ">: dispatching… [locked]", true, []string{"req-2 rollback.approve prod@aaaaaaa user2 approved"}},
		{"approve a message that is not a card", discord.Message{Embeds: []discord.Embed{{Title: "hello"}}}, prod, true, member(approver, roleID), time.Minute,
			"ephemeral: I can't read this card any more. Run `/deploy` again for a fresh one.", false, nil},
		{"cancel by the requester without the role", NewCard(en, prod, "c"), prod, false, member(requester), time.Minute,
			"card: ✖️ Cancelled by <@" + requester + ">. Nothing was dispatched. [locked]", false, []string{"req-2 deploy.cancel prod@main user1 cancelled"}},
		{"cancel by another with the role", NewCard(en, prod, "c"), prod, false, member(approver, roleID), time.Minute,
			"card: ✖️ Cancelled by <@" + approver + ">. Nothing was dispatched. [locked]", false, []string{"req-2 deploy.cancel prod@main user2 cancelled"}},
		{"cancel by another without the role", NewCard(en, prod, "c"), prod, false, member(guest), time.Minute,
			"card: ", false, []string{"req-2 deploy.cancel prod@main user3 denied missing-role"}},
	}
	moto := mototest.Start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink := &entries{}
			s := testService(sink)
			s.Approvals.Table = statetest.New(t, moto, nil)
			prefix := tt.p.Kind.cancelPrefix()
			if tt.approve {
				prefix = tt.p.Kind.approvePrefix()
			}
			var b command.Button
			for _, btn := range s.buttons(tt.p.Kind) {
				if btn.Prefix == prefix {
					b = btn
				}
			}
			reply := b.Quick(t.Context(), click(tt.card, tt.p, prefix, tt.m, tt.after))
			got := answer(reply, discord.InteractionMessageComponent)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("answer %q, want it to start with %q", got, tt.want)
			}
			if reply.Deferred() != tt.deferred {
				t.Errorf("deferred %v, want %v", reply.Deferred(), tt.deferred)
			}
			if diff := cmp.Diff(tt.audit, sink.got); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRefusalKeepsCardOpen checks that a refused click leaves the card open and says on it who
// was refused and why.
func TestRefusalKeepsCardOpen(t *testing.T) {
	t.Parallel()
	p := Proposal{Kind: KindDeploy, Environment: "prod", Ref: "main", RequesterID: requester, Requester: "user1", RequestedAt: requestedAt}
	card := NewCard(english().Printer, p, "c")
	s := testService(&entries{})
	resp := s.approve(t.Context(), KindDeploy, click(card, p, KindDeploy.approvePrefix(), member(requester, roleID), time.Minute)).Response(discord.InteractionMessageComponent)
	if resp.Type != discord.ResponseUpdateMessage || resp.Data.Components != nil {
		t.Fatalf("response type %d with components %v, want an update that leaves the buttons", resp.Type, resp.Data.Components)
	}
	e := resp.Data.Embeds[0]
	if e.Description != card.Embeds[0].Description {
		t.Errorf("description %q, want the card's %q", e.Description, card.Embeds[0].Description)
	}
	var history string
	for _, f := range e.Fields {
		if f.Name == "History" {
			history = f.Value
		}
	}
	if want := "approve by <@" + requester + "> refused: `prod` needs a second person"; !strings.Contains(history, want) {
		t.Errorf("history %q, want it to contain %q", history, want)
	}
}
