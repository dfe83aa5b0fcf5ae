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
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Policy is who may act. Build it once from the configuration.
type Policy struct {
	// RoleIDs are the Discord role ids allowed to request and approve (DEPLOY_ROLE_IDS).
	RoleIDs []string
	// TwoPerson lists the environments whose approver must be another member than the
	// requester: TWO_PERSON_ENVIRONMENTS as deployrun.TwoPersonEnvironments reads it, where
	// unset means deployrun.DefaultTwoPersonEnvironments (prod), the one default of the
	// function, the stack and the local runner.
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

// The actions a Policy allows, as Allow takes them; each names its verb in the catalog
// (authz.action.<action>).
const (
	ActionDeploy    = "deploy"
	ActionRollback  = "rollback"
	ActionScale     = "scale"
	ActionAudit     = "audit"     // /audit: see the audit trail
	ActionSubscribe = "subscribe" // /subscribe, /unsubscribe: manage a channel's subscriptions
	ActionLink      = "link"      // /link member: login: link another member's GitHub account
)

// Denial is a refusal. Text says why and what to do, in a member's or the channel's language;
// safe to show the user.
type Denial struct {
	Reason string // short, for the audit log: "not-in-guild", "no-roles-configured", "missing-role", "same-person"
	Action string // ActionDeploy, ActionRollback, ActionScale or ActionAudit
	// Roles are the allowed roles as mentions (missing-role), Environment the environment of
	// the two-person rule (same-person).
	Roles, Environment string
}

func (d *Denial) Error() string { return d.Action + " denied: " + d.Reason }

// Text is the refusal in p's language: why, and what to do.
func (d *Denial) Text(p *i18n.Printer) string {
	args := i18n.Args{"Action": p.T("authz.action." + d.Action), "Roles": d.Roles, "Environment": d.Environment}
	switch d.Reason {
	case "not-in-guild":
		return p.T("authz.denied.notinguild", args)
	case "no-roles-configured":
		return p.T("authz.denied.noroles", args)
	case "same-person":
		return p.T("authz.denied.sameperson", args)
	}
	return p.T("authz.denied.missingrole", args)
}

// Text is the refusal err in p's language when it is a *Denial, else err's own text ("" for
// nil).
func Text(p *i18n.Printer, err error) string {
	var d *Denial
	switch {
	case err == nil:
		return ""
	case errors.As(err, &d):
		return d.Text(p)
	}
	return err.Error()
}

// Allow says whether the invoker of in may request or approve action (ActionDeploy,
// ActionRollback, ActionScale). It returns nil or a *Denial.
func (p Policy) Allow(in discord.Interaction, action string) error {
	if in.GuildID == "" || in.Member == nil {
		return &Denial{Reason: "not-in-guild", Action: action}
	}
	if len(p.RoleIDs) == 0 {
		return &Denial{Reason: "no-roles-configured", Action: action}
	}
	for _, r := range in.Member.Roles {
		if slices.Contains(p.RoleIDs, r) {
			return nil
		}
	}
	return &Denial{Reason: "missing-role", Action: action, Roles: p.Roles()}
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
		return &Denial{Reason: "same-person", Action: action, Environment: environment}
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
