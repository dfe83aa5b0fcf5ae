package scale

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

var rewrite = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares v with testdata/golden/<kind>.<lang>.json (i18ntest.Golden).
func golden(t *testing.T, kind string, lang i18n.Language, v any) {
	t.Helper()
	i18ntest.Golden(t, filepath.Join("testdata", "golden"), kind, lang, v, *rewrite)
}

// message is what err shows the user.
func message(err error) string {
	var e *command.Error
	if !errors.As(err, &e) {
		return "not a *command.Error: " + err.Error()
	}
	return e.Message
}

// fakeECS is one tagged ECS service at a desired count of 2; refuse, when set, answers
// UpdateService.
type fakeECS struct{ refuse error }

func (f fakeECS) DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	return &ecs.DescribeServicesOutput{Services: []ecstypes.Service{{Status: aws.String("ACTIVE"), DesiredCount: 2, RunningCount: 2,
		Tags: []ecstypes.Tag{{Key: aws.String(TagKey), Value: aws.String(TagValue)}}}}}, nil
}

func (f fakeECS) UpdateService(context.Context, *ecs.UpdateServiceInput, ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	return &ecs.UpdateServiceOutput{}, f.refuse
}

// TestGolden shows each kind of message of /scale in English and in Korean: the cards of an
// ECS service and an Auto Scaling group, approved (locked), scaled, failed, cancelled,
// expired, refused on the card, and the answers only a member sees.
func TestGolden(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	const role, requester, approver, guest = "10", "200000000000000001", "200000000000000002", "200000000000000003"
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	web := Proposal{Target: Target{Kind: ECS, Name: "prod/web", Cluster: "prod", Service: "web"}, Desired: 4, RequesterID: requester, At: at}
	group := Proposal{Target: Target{Kind: ASG, Name: "web-asg"}, Desired: 1, RequesterID: requester, At: at}
	member := func(id string, roles ...string) *discord.Member {
		return &discord.Member{User: &discord.User{ID: id, Username: "user" + id[len(id)-1:]}, Roles: roles}
	}
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			c := catalog()
			p := c.Printer(lang)
			now := at.Add(time.Minute)
			log := slog.New(slog.DiscardHandler)
			s := &Service{Scaler: &Scaler{ECS: fakeECS{}, MaxDesired: 10}, Policy: authz.Policy{RoleIDs: []string{role}},
				Audit: audit.NewRecorder(nil, log, nil), Now: func() time.Time { return now }}
			req := func(in discord.Interaction) command.Request {
				in.GuildID, in.ChannelID, in.Locale = "g", "400000000000000001", string(lang)
				return command.Request{Interaction: in, Received: now, RequestID: "req-1", Texts: c, Language: lang}
			}
			// press clicks the button prefix of card as m, on a card of its own, and returns the
			// card as the click leaves it and the request.
			press := func(card discord.Message, r Proposal, prefix string, m *discord.Member) (discord.Message, command.Request) {
				s.Approvals.Table = statetest.New(t, moto, nil)
				card.ID = "300000000000000001"
				rq := req(discord.Interaction{ID: "500000000000000001", Type: discord.InteractionMessageComponent, Member: m, Message: &card,
					Component: &discord.ComponentData{CustomID: r.customID(prefix)}})
				quick := s.cancel
				if prefix == ApprovePrefix {
					quick = s.approve
				}
				resp := quick(t.Context(), rq).Response(discord.InteractionMessageComponent)
				if resp.Data == nil {
					t.Fatalf("click %s answered %+v", prefix, resp)
				}
				return *resp.Data, rq
			}
			card := Preview(p, web, State{Target: web.Target, Desired: 2, Max: 10, Running: 2, Tagged: true})
			golden(t, "card-ecs", lang, card)
			golden(t, "card-asg", lang, Preview(p, group, State{Target: group.Target, Desired: 2, Min: 1, Max: 6, Running: 2, Tagged: true}))

			approved, click := press(card, web, ApprovePrefix, member(approver, role))
			golden(t, "approved", lang, approved)
			scaled, err := s.apply(t.Context(), click)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "scaled", lang, scaled)
			s.Scaler.ECS = fakeECS{refuse: &smithy.GenericAPIError{Code: "AccessDeniedException"}}
			_, click = press(card, web, ApprovePrefix, member(approver, role))
			failed, err := s.apply(t.Context(), click)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "failed", lang, failed)

			cancelled, _ := press(card, web, CancelPrefix, member(requester))
			golden(t, "cancelled", lang, cancelled)
			refused, _ := press(card, web, ApprovePrefix, member(guest))
			golden(t, "refusal", lang, refused)
			now = at.Add(16 * time.Minute)
			expired, _ := press(card, web, ApprovePrefix, member(approver, role))
			golden(t, "expired", lang, expired)

			slash := func(m *discord.Member, service, target string, desired int) string {
				data := &discord.CommandData{Name: "scale"}
				for name, v := range map[string]any{"service": service, "target": target, "desired": desired} {
					raw, _ := json.Marshal(v)
					typ := discord.OptionString
					if name == "desired" {
						typ = discord.OptionInteger
					}
					data.Options = append(data.Options, discord.CommandOption{Name: name, Type: typ, Value: raw})
				}
				resp := s.request(t.Context(), req(discord.Interaction{Type: discord.InteractionApplicationCommand, Member: m, Command: data})).
					Response(discord.InteractionApplicationCommand)
				return resp.Data.Content
			}
			closedCard, _ := press(card, web, CancelPrefix, member(requester))
			closedAnswer, _ := press(closedCard, web, ApprovePrefix, member(approver, role))
			golden(t, "answers", lang, map[string]string{
				"missing-role": slash(member(guest), "ecs", "prod/web", 4),
				"bad-target":   slash(member(requester, role), "ecs", "web", 4),
				"bad-service":  slash(member(requester, role), "ec2", "i-1", 4),
				"bad-desired":  slash(member(requester, role), "ecs", "prod/web", -1),
				"closed":       closedAnswer.Content,
				"untagged":     message(Check(p, State{Target: group.Target, Desired: 2, Max: 6}, 3)),
				"ceiling":      message(Check(p, State{Target: web.Target, Desired: 2, Max: 10, Tagged: true}, 11)),
				"range":        message(Check(p, State{Target: group.Target, Desired: 2, Min: 1, Max: 6, Tagged: true}, 7)),
				"no-change":    message(Check(p, State{Target: group.Target, Desired: 2, Min: 1, Max: 6, Tagged: true}, 2)),
				"not-found":    message(notFound(p, web.Target)),
			})
		})
	}
}
