package authz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

func member(id string, roles ...string) discord.Interaction {
	return discord.Interaction{GuildID: "g1", Member: &discord.Member{User: &discord.User{ID: id, Username: "user" + id}, Roles: roles}}
}

func TestAllow(t *testing.T) {
	t.Parallel()
	p := Policy{RoleIDs: []string{"10", "20"}, TwoPerson: []string{"prod"}}
	texts := i18n.NewCatalog(Messages())
	tests := []struct {
		name   string
		policy Policy
		in     discord.Interaction
		reason string // "" = allowed
		says   string // in English
		saysKO string // in Korean
	}{
		{"allowed role", p, member("1", "5", "20"), "", "", ""},
		{"missing role", p, member("1", "5"), "missing-role", "You need one of these roles to deploy: <@&10>, <@&20>.",
			"배포하려면 다음 역할 중 하나가 필요합니다: <@&10>, <@&20>."},
		{"no roles at all", p, member("1"), "missing-role", "Ask someone", "역할이 있는 분께"},
		{"empty list means nobody", Policy{}, member("1", "10"), "no-roles-configured", "deployRoleIds", "아직 아무도 배포할 수 없습니다"},
		{"direct message", p, discord.Interaction{User: &discord.User{ID: "1"}}, "not-in-guild", "You can only deploy from a server channel",
			"배포 작업은 서버 채널에서만"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.policy.Allow(tt.in, "deploy")
			if got := DenialReason(err); got != tt.reason {
				t.Fatalf("reason = %q, want %q (err %v)", got, tt.reason, err)
			}
			if (err == nil) != (tt.reason == "") {
				t.Fatalf("err = %v", err)
			}
			for lang, says := range map[i18n.Language]string{i18n.English: tt.says, i18n.Korean: tt.saysKO} {
				if got := Text(texts.Printer(lang), err); err != nil && !strings.Contains(got, says) {
					t.Errorf("%s message %q does not say %q", lang, got, says)
				}
			}
		})
	}
}

func TestAllowApprovalTwoPerson(t *testing.T) {
	t.Parallel()
	p := Policy{RoleIDs: []string{"10"}, TwoPerson: []string{"prod"}}
	tests := []struct {
		name, env, requester string
		approver             discord.Interaction
		reason               string
	}{
		{"prod, someone else", "prod", "1", member("2", "10"), ""},
		{"prod, same person", "prod", "1", member("1", "10"), "same-person"},
		{"dev, same person", "dev", "1", member("1", "10"), ""},
		{"prod, other without role", "prod", "1", member("2"), "missing-role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := p.AllowApproval(tt.approver, "deploy", tt.env, tt.requester)
			if got := DenialReason(err); got != tt.reason || (err == nil) != (tt.reason == "") {
				t.Fatalf("AllowApproval = %v (reason %q), want reason %q", err, got, tt.reason)
			}
		})
	}
}

func TestParseRoleIDs(t *testing.T) {
	t.Parallel()
	got, err := ParseRoleIDs(" 123, ,456 ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"123", "456"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ids, err := ParseRoleIDs(""); err != nil || ids != nil {
		t.Errorf(`ParseRoleIDs("") = %v, %v; want nil, nil`, ids, err)
	}
	if _, err := ParseRoleIDs("123,admins"); err == nil || !strings.Contains(err.Error(), `"admins"`) {
		t.Errorf("ParseRoleIDs(bad) error = %v, want it to name the bad id", err)
	}
}

func TestDenialReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"denial", &Denial{Reason: "same-person"}, "same-person"},
		{"wrapped denial", fmt.Errorf("approve: %w", &Denial{Reason: "missing-role"}), "missing-role"},
		{"plain error", errors.New("x"), ""},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DenialReason(tt.err); got != tt.want {
				t.Errorf("DenialReason(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
