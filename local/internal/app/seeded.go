package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/local/internal/fakegithub"
)

// Seeded lists the ids the runner made up or seeded, to copy into requests: the local
// Discord's application, server, channel, roles and members, the local GitHub's repository,
// and in demo mode the AWS resources in moto. It is empty when nothing is local.
func (l *Local) Seeded() string {
	var b strings.Builder
	row := func(what, value string) { fmt.Fprintf(&b, "  %-22s %s\n", what, value) }
	if l.Discord != nil {
		b.WriteString("Local Discord:\n")
		row("application", l.Contract["DISCORD_APPLICATION_ID"])
		row("server (guild)", demo.GuildID)
		row("channel #ops", l.Contract["DISCORD_CHANNEL_ID"])
		row("role @deployers", demo.DeployRoleID+" (DEPLOY_ROLE_IDS "+l.Contract["DEPLOY_ROLE_IDS"]+")")
		row("role @on-call", demo.OtherRoleID)
		ms := members()
		names := make([]string, 0, len(ms))
		for name := range ms {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			m := ms[name]
			roles := "no role"
			if slices.Contains(m.Roles, demo.DeployRoleID) {
				roles = "@deployers"
			}
			row("member "+name, m.UserID+" ("+roles+"; ?as="+name+")")
		}
		row("public key", l.Contract["DISCORD_PUBLIC_KEY"]+fmt.Sprintf(" (Ed25519 seed 0x%02x)", demo.SignerSeed))
	}
	if l.GitHub != nil {
		b.WriteString("Local GitHub:\n")
		row("App", l.Contract["GITHUB_APP_ID"])
		row("repository", fmt.Sprintf("%s (issues and pull requests #1 to #%d)", l.Contract["GITHUB_REPOSITORY"], fakegithub.DemoIssues))
		row("workflow", l.Contract["DEPLOY_WORKFLOW"]+" (environments "+l.Contract["DEPLOY_ENVIRONMENTS"]+")")
		if l.WebhookSecret != "" {
			row("webhook secret", l.WebhookSecret)
		}
	}
	if l.MotoURL != "" {
		b.WriteString("Demo AWS (moto_server " + l.MotoURL + "):\n")
		for _, name := range []string{"web-1", "web-2", "batch-1"} {
			row("EC2 "+name, l.World.Instances[name])
		}
		row("ECS service", demo.ECSCluster+"/"+demo.ECSService)
		row("Auto Scaling group", demo.AutoScalingGroup)
		row("EKS cluster", demo.EKSCluster)
		row("state table", l.Contract["CHATOPS_TABLE"])
		row("SSM prefix", l.Contract["CHATOPS_PARAMETER_PREFIX"])
	}
	return b.String()
}
