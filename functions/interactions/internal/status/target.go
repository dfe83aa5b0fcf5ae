package status

import (
	"regexp"
	"slices"
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Kind is the kind of resource /status reads, the value of its service option.
type Kind string

// Kinds /status knows.
const (
	EC2 Kind = "ec2"
	ECS Kind = "ecs"
	EKS Kind = "eks"
)

// maxTargetItems bounds a comma-separated target, well above what fits in one answer.
const maxTargetItems = 50

// Target is a parsed target option: which resources of a kind to read.
type Target struct {
	Kind Kind
	// EC2: instance ids, or a tag key with one or more values (a bare word is a Name tag).
	InstanceIDs []string
	TagKey      string
	TagValues   []string
	// ECS: services as cluster/service; EKS: cluster names.
	Services []ECSService
	Clusters []string
}

// ECSService is one ECS service by its cluster.
type ECSService struct{ Cluster, Service string }

func (s ECSService) String() string { return s.Cluster + "/" + s.Service }

var (
	// The length limits are checked apart (validInstanceID, ...): counted repetitions in a
	// regexp compile into that many copies and cost milliseconds at every cold start.
	instanceIDPattern = regexp.MustCompile(`^i-[0-9a-f]+$`)
	eksNamePattern    = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]*$`)
	ecsNamePattern    = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	tagKeyForbidden   = "\x00\n\r\t"
)

// ParseTarget reads the service and target options of /status. Its errors are *command.Error:
// messages for the user that say what is wrong and what would be right.
func ParseTarget(service, target string) (Target, error) {
	target = strings.TrimSpace(target)
	t := Target{Kind: Kind(strings.ToLower(strings.TrimSpace(service)))}
	if target == "" {
		return t, command.Fail(nil, command.T("status.target.empty", i18n.Args{"Example": example(t.Kind)}))
	}
	switch t.Kind {
	case EC2:
		return t, t.parseEC2(target)
	case ECS:
		return t, t.parseECS(target)
	case EKS:
		return t, t.parseEKS(target)
	}
	return t, command.Fail(nil, command.T("status.target.service", i18n.Args{"Service": discord.Quote(service)}))
}

func example(k Kind) command.Text {
	switch k {
	case ECS:
		return command.T("status.target.example.ecs")
	case EKS:
		return command.T("status.target.example.eks")
	}
	return command.T("status.target.example.ec2")
}

// parseEC2 reads instance ids, key=value (values comma-separated) or a bare Name tag value.
// Tag values may use DescribeInstances' wildcards, * and ?.
func (t *Target) parseEC2(s string) error {
	if key, values, ok := strings.Cut(s, "="); ok {
		key = strings.TrimSpace(key)
		if key == "" || strings.ContainsAny(key, tagKeyForbidden) || len(key) > 128 {
			return command.Fail(nil, command.T("status.target.tag", i18n.Args{"Target": discord.Quote(s)}))
		}
		vals, err := splitList(values, command.T("status.target.none.tagvalue"))
		if err != nil {
			return err
		}
		t.TagKey, t.TagValues = key, vals
		return nil
	}
	items, err := splitList(s, command.T("status.target.none.instance"))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(items[0], "i-") {
		t.TagKey, t.TagValues = "Name", items // bare words are Name tag values
		return nil
	}
	for _, id := range items {
		if !((len(id) == 10 || len(id) == 19) && instanceIDPattern.MatchString(id)) {
			return command.Fail(nil, command.T("status.target.instance", i18n.Args{"Target": discord.Quote(id)}))
		}
	}
	t.InstanceIDs = items
	return nil
}

func (t *Target) parseECS(s string) error {
	items, err := splitList(s, command.T("status.target.none.service"))
	if err != nil {
		return err
	}
	for _, item := range items {
		cluster, service, ok := strings.Cut(item, "/")
		if !ok || !validECSName(cluster) || !validECSName(service) {
			return command.Fail(nil, command.T("status.target.ecs", i18n.Args{"Target": discord.Quote(item)}))
		}
		t.Services = append(t.Services, ECSService{Cluster: cluster, Service: service})
	}
	return nil
}

func (t *Target) parseEKS(s string) error {
	items, err := splitList(s, command.T("status.target.none.cluster"))
	if err != nil {
		return err
	}
	for _, name := range items {
		if !(len(name) <= 100 && eksNamePattern.MatchString(name)) {
			return command.Fail(nil, command.T("status.target.eks", i18n.Args{"Target": discord.Quote(name)}))
		}
	}
	t.Clusters = items
	return nil
}

// splitList splits a comma-separated list, dropping blanks and duplicates; none is the error
// text of a list with nothing in it.
func splitList(s string, none command.Text) ([]string, error) {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item != "" && !slices.Contains(out, item) {
			out = append(out, item)
		}
	}
	if len(out) == 0 {
		return nil, command.Fail(nil, none)
	}
	if len(out) > maxTargetItems {
		return nil, command.Fail(nil, command.T("status.target.toomany", i18n.Args{"Count": len(out), "Max": maxTargetItems}))
	}
	return out, nil
}

// String is the target as a user would write it.
func (t Target) String() string {
	switch {
	case len(t.InstanceIDs) > 0:
		return strings.Join(t.InstanceIDs, ",")
	case t.TagKey != "":
		return t.TagKey + "=" + strings.Join(t.TagValues, ",")
	case len(t.Services) > 0:
		parts := make([]string, len(t.Services))
		for i, s := range t.Services {
			parts[i] = s.String()
		}
		return strings.Join(parts, ",")
	}
	return strings.Join(t.Clusters, ",")
}

// validECSName is the rule for ECS cluster and service names: up to 255 letters, digits,
// hyphens and underscores.
func validECSName(s string) bool { return len(s) <= 255 && ecsNamePattern.MatchString(s) }
