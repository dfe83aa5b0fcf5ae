// Package authz decides who may request and approve the commands that change things (/deploy,
// /rollback, /scale). The decisions are recorded by package audit.
//
// Default deny: only members holding one of DEPLOY_ROLE_IDS may act, an empty list lets nobody,
// and nothing is allowed outside a guild. Discord's default_member_permissions is only a first
// fence that server admins can override, so the check lives here too:
// https://discord.com/developers/docs/interactions/application-commands#permissions
package authz

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Policy is who may act. Build it once from the configuration.
type Policy struct {
	// RoleIDs are the Discord role ids allowed to request and approve (DEPLOY_ROLE_IDS).
	RoleIDs []string
	// TwoPerson lists the environments whose approver must be another member than the
	// requester (TWO_PERSON_ENVIRONMENTS).
	TwoPerson []string
}

// ParseList reads a comma-separated list, dropping blanks and spaces.
func ParseList(s string) []string {
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ParseRoleIDs reads DEPLOY_ROLE_IDS: comma-separated Discord role ids (snowflakes).
func ParseRoleIDs(s string) ([]string, error) {
	ids := ParseList(s)
	var bad []string
	for _, id := range ids {
		if !discord.IsSnowflake(id) {
			bad = append(bad, fmt.Sprintf("%q", id))
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("DEPLOY_ROLE_IDS: %s not a role id (a number: right-click the role, Copy Role ID)", strings.Join(bad, ", "))
	}
	return ids, nil
}

// Denial is a refusal, with a message that says why and what to do; safe to show the user.
type Denial struct {
	Reason  string // short, for the audit log: "not-in-guild", "no-roles-configured", "missing-role", "same-person"
	Message string
}

func (d *Denial) Error() string { return d.Message }

// Allow says whether the invoker of in may request or approve action ("deploy", "roll back",
// "scale"). It returns nil or a *Denial.
func (p Policy) Allow(in discord.Interaction, action string) error {
	if in.GuildID == "" || in.Member == nil {
		return &Denial{Reason: "not-in-guild", Message: fmt.Sprintf("You can only %s from a server channel, not from direct messages.", action)}
	}
	if len(p.RoleIDs) == 0 {
		return &Denial{Reason: "no-roles-configured", Message: fmt.Sprintf(
			"Nobody may %s yet: no role is allowed. An admin lists the allowed role ids in the stack's `deployRoleIds` context (DEPLOY_ROLE_IDS) and redeploys.", action)}
	}
	for _, r := range in.Member.Roles {
		if slices.Contains(p.RoleIDs, r) {
			return nil
		}
	}
	return &Denial{Reason: "missing-role", Message: fmt.Sprintf(
		"You need one of these roles to %s: %s. Ask someone who has one.", action, p.Roles())}
}

// Roles lists the allowed roles as Discord role mentions (shown as names, pinging nobody when
// the message's allowed_mentions parse nothing).
func (p Policy) Roles() string {
	mentions := make([]string, len(p.RoleIDs))
	for i, id := range p.RoleIDs {
		mentions[i] = discord.MentionRole(id)
	}
	return strings.Join(mentions, ", ")
}

// AllowApproval is Allow for the approver of a request, plus the two-person rule: in the
// environments of TwoPerson, the approver must not be the requester.
func (p Policy) AllowApproval(in discord.Interaction, action, environment, requesterID string) error {
	if err := p.Allow(in, action); err != nil {
		return err
	}
	if !slices.Contains(p.TwoPerson, environment) {
		return nil
	}
	if u := in.Invoker(); u != nil && u.ID == requesterID {
		return &Denial{Reason: "same-person", Message: fmt.Sprintf(
			"`%s` needs a second person: someone other than the requester must approve.", environment)}
	}
	return nil
}

// DenialReason is the audit Detail for err: the *Denial's reason, or "".
func DenialReason(err error) string {
	var d *Denial
	if errors.As(err, &d) {
		return d.Reason
	}
	return ""
}
