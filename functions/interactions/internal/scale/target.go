package scale

import (
	"regexp"
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Kind is what /scale changes: the service option's value.
type Kind string

// The kinds of resource /scale changes.
const (
	ECS Kind = "ecs" // an ECS service's desired task count
	ASG Kind = "asg" // an EC2 Auto Scaling group's desired capacity
)

// Target is one resource to scale.
type Target struct {
	Kind Kind
	// Name is what the user wrote: cluster/service for ECS, the group name for Auto Scaling.
	Name string
	// Cluster and Service split an ECS target.
	Cluster, Service string
}

// String is the target as the user wrote it.
func (t Target) String() string { return t.Name }

// Noun names the target's kind for people, in p's language.
func (t Target) Noun(p *i18n.Printer) string {
	if t.Kind == ECS {
		return p.T("scale.noun.ecs")
	}
	return p.T("scale.noun.asg")
}

// Unit is what n of the target's desired count are, in p's language: "task" or "tasks".
func (t Target) Unit(p *i18n.Printer, n int32) string {
	if t.Kind == ECS {
		return p.N("scale.unit.task", int(n))
	}
	return p.N("scale.unit.instance", int(n))
}

// ecsName is the rule for ECS cluster and service names: up to 255 letters, digits, hyphens and
// underscores. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
var ecsNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func ecsName(s string) bool { return len(s) <= 255 && ecsNamePattern.MatchString(s) }

// ParseTarget checks the service and target options of /scale. A mistake the user can fix is a
// *command.Error saying how to write it, in p's language.
func ParseTarget(p *i18n.Printer, service, target string) (Target, error) {
	target = strings.TrimSpace(target)
	t := Target{Kind: Kind(service), Name: target}
	switch t.Kind {
	case ECS:
		cluster, svc, ok := strings.Cut(target, "/")
		if !ok || !ecsName(cluster) || !ecsName(svc) {
			return Target{}, &command.Error{Message: p.T("scale.target.ecs", i18n.Args{"Target": discord.Quote(target)})}
		}
		t.Cluster, t.Service = cluster, svc
	case ASG:
		// Group names are 1 to 255 characters of text; ARNs are not accepted.
		// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html
		if target == "" || len(target) > 255 || strings.ContainsAny(target, "\r\n\t`") || strings.HasPrefix(target, "arn:") {
			return Target{}, &command.Error{Message: p.T("scale.target.asg", i18n.Args{"Target": discord.Quote(target)})}
		}
	default:
		return Target{}, &command.Error{Message: p.T("scale.target.kind", i18n.Args{"Service": discord.Quote(service)})}
	}
	return t, nil
}
