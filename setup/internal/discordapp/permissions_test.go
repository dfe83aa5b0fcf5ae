package discordapp

import (
	"encoding/json"
	"testing"
)

func TestBotPermissions(t *testing.T) {
	t.Parallel()
	if BotPermissions != 84992 {
		t.Errorf("BotPermissions = %d, want 84992 (View Channel 1024 + Send Messages 2048 + Embed Links 16384 + Read Message History 65536)", BotPermissions)
	}
	got := InviteURL("123", "456")
	want := "https://discord.com/oauth2/authorize?client_id=123&disable_guild_select=true&guild_id=456&permissions=84992&scope=bot+applications.commands"
	if got != want {
		t.Errorf("InviteURL\n got %s\nwant %s", got, want)
	}
	var p Permissions
	if err := json.Unmarshal([]byte(`"2048"`), &p); err != nil || p != PermissionSendMessages {
		t.Errorf("unmarshal: %v %v", p, err)
	}
}

// TestChannelPermissions follows Discord's order: @everyone, roles, then the channel's
// @everyone overwrite, role overwrites together, the member's overwrite last.
func TestChannelPermissions(t *testing.T) {
	t.Parallel()
	const guild, bot, role = "1", "2", "3"
	g := Guild{ID: guild, OwnerID: "9"}
	roles := []Role{{ID: guild, Permissions: PermissionViewChannel}, {ID: role, Permissions: PermissionSendMessages | PermissionEmbedLinks}}
	member := Member{Roles: []string{role}}
	tests := []struct {
		name       string
		overwrites []Overwrite
		roles      []Role
		want       Permissions
	}{
		{"roles only", nil, roles, PermissionViewChannel | PermissionSendMessages | PermissionEmbedLinks},
		{"everyone denied view", []Overwrite{{ID: guild, Type: OverwriteRole, Deny: PermissionViewChannel}}, roles, PermissionSendMessages | PermissionEmbedLinks},
		{"role allows back", []Overwrite{{ID: guild, Type: OverwriteRole, Deny: PermissionViewChannel}, {ID: role, Type: OverwriteRole, Allow: PermissionViewChannel}}, roles,
			PermissionViewChannel | PermissionSendMessages | PermissionEmbedLinks},
		{"member deny wins", []Overwrite{{ID: role, Type: OverwriteRole, Allow: PermissionReadMessageHistory}, {ID: bot, Type: OverwriteMember, Deny: PermissionReadMessageHistory | PermissionEmbedLinks}}, roles,
			PermissionViewChannel | PermissionSendMessages},
		{"administrator ignores overwrites", []Overwrite{{ID: guild, Type: OverwriteRole, Deny: BotPermissions}},
			[]Role{{ID: guild}, {ID: role, Permissions: PermissionAdministrator}}, ^Permissions(0)},
	}
	for _, tt := range tests {
		got := ChannelPermissions(g, tt.roles, bot, member, Channel{PermissionOverwrites: tt.overwrites})
		if got != tt.want {
			t.Errorf("%s: %v (%v), want %v (%v)", tt.name, got, got.Names(), tt.want, tt.want.Names())
		}
	}
	if got := ChannelPermissions(Guild{ID: guild, OwnerID: bot}, nil, bot, Member{}, Channel{}); got != ^Permissions(0) {
		t.Errorf("owner: %v", got)
	}
}

func TestIntegrationsStep(t *testing.T) {
	t.Parallel()
	roles := []Role{{ID: "1", Name: "deployers"}, {ID: "2", Name: "managers", Permissions: PermissionManageGuild}, {ID: "3", Name: "admins", Permissions: PermissionAdministrator}}
	if got := IntegrationsStep("ChatOps", roles, []string{"2", "3"}); got != "" {
		t.Errorf("roles with Manage Server or Administrator need a click: %s", got)
	}
	want := "Let @deployers use the commands that change things (Discord shows /deploy, /rollback and /scale only to members with Manage Server until then): " +
		"Server Settings > Integrations > ChatOps > Manage > for /deploy, /rollback and /scale: Add Roles or Members > @deployers."
	if got := IntegrationsStep("ChatOps", roles, []string{"1", "2"}); got != want {
		t.Errorf("IntegrationsStep =\n%s\nwant\n%s", got, want)
	}
}
