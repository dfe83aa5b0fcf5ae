package discordapp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Permissions is a Discord permission bitfield, sent by Discord as a decimal string.
type Permissions uint64

// The permission bits the suite uses.
//
// See https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags
const (
	PermissionAdministrator      Permissions = 1 << 3
	PermissionManageGuild        Permissions = 1 << 5
	PermissionViewChannel        Permissions = 1 << 10
	PermissionSendMessages       Permissions = 1 << 11
	PermissionEmbedLinks         Permissions = 1 << 14
	PermissionReadMessageHistory Permissions = 1 << 16
)

// permissionName is a bit and the name Discord's client shows for it.
type permissionName struct {
	bit  Permissions
	name string
}

// permissionNames are the names Discord's client shows for the bits above.
func permissionNames() []permissionName {
	return []permissionName{
		{PermissionAdministrator, "Administrator"},
		{PermissionManageGuild, "Manage Server"},
		{PermissionViewChannel, "View Channel"},
		{PermissionSendMessages, "Send Messages"},
		{PermissionEmbedLinks, "Embed Links"},
		{PermissionReadMessageHistory, "Read Message History"},
	}
}

// BotPermissions are exactly the permissions the suite's bot needs in its channels: see the
// channel (View Channel), post the announcements, reports and cards (Send Messages) as embeds
// (Embed Links), and read back the card it edits when a deploy ends (Read Message History).
// Interaction responses and edits of its own messages need none.
const BotPermissions = PermissionViewChannel | PermissionSendMessages | PermissionEmbedLinks | PermissionReadMessageHistory

// Names lists the permissions set in p, by the names Discord shows.
func (p Permissions) Names() []string {
	var names []string
	for _, n := range permissionNames() {
		if p&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// String is the decimal bitfield, as Discord writes it.
func (p Permissions) String() string { return strconv.FormatUint(uint64(p), 10) }

// UnmarshalJSON reads Discord's decimal string (or a number).
func (p *Permissions) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*p = 0
		return nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("permissions %s: %w", b, err)
	}
	*p = Permissions(n)
	return nil
}

// MarshalJSON writes the decimal string.
func (p Permissions) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// InviteURL is the OAuth2 URL that adds the bot to a server with the bot and
// applications.commands scopes and BotPermissions; guildID, when set, preselects the server.
func InviteURL(applicationID, guildID string) string {
	q := url.Values{
		"client_id":   {applicationID},
		"scope":       {"bot applications.commands"},
		"permissions": {BotPermissions.String()},
	}
	if guildID != "" {
		q.Set("guild_id", guildID)
		q.Set("disable_guild_select", "true")
	}
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

// ChannelPermissions computes the permissions a member has in a channel, as Discord does: the
// @everyone role (whose id is the guild's) and the member's roles, then the channel's
// overwrites for @everyone, for the member's roles and for the member. The owner and an
// Administrator have every permission.
func ChannelPermissions(guild Guild, roles []Role, userID string, member Member, channel Channel) Permissions {
	const all = ^Permissions(0)
	if guild.OwnerID != "" && guild.OwnerID == userID {
		return all
	}
	var base Permissions
	for _, r := range roles {
		if r.ID == guild.ID || slices.Contains(member.Roles, r.ID) {
			base |= r.Permissions
		}
	}
	if base&PermissionAdministrator != 0 {
		return all
	}
	perms := base
	var allow, deny Permissions
	for _, o := range channel.PermissionOverwrites {
		switch {
		case o.Type == OverwriteRole && o.ID == guild.ID:
			perms = perms&^o.Deny | o.Allow
		case o.Type == OverwriteRole && slices.Contains(member.Roles, o.ID):
			allow |= o.Allow
			deny |= o.Deny
		}
	}
	perms = perms&^deny | allow
	for _, o := range channel.PermissionOverwrites {
		if o.Type == OverwriteMember && o.ID == userID {
			perms = perms&^o.Deny | o.Allow
		}
	}
	return perms
}

// IntegrationsStep is what a server admin clicks so that the deploy roles that lack Manage
// Server may use /deploy, /rollback and /scale, which are registered with
// default_member_permissions Manage Server; "" when every deploy role holds it (or
// Administrator). A bot token cannot change command permissions: Discord takes that only from
// an admin's own OAuth token, so this stays a click.
//
// See https://discord.com/developers/docs/interactions/application-commands#permissions
func IntegrationsStep(appName string, roles []Role, deployRoleIDs []string) string {
	var names []string
	for _, r := range roles {
		if slices.Contains(deployRoleIDs, r.ID) && r.Permissions&(PermissionManageGuild|PermissionAdministrator) == 0 {
			names = append(names, "@"+r.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	list := strings.Join(names, ", ")
	return fmt.Sprintf("Let %s use the commands that change things (Discord shows /deploy, /rollback and /scale only to members with Manage Server until then): "+
		"Server Settings > Integrations > %s > Manage > for /deploy, /rollback and /scale: Add Roles or Members > %s.", list, appName, list)
}
