package status

import (
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
)

// notFound is the message for a target that matches nothing.
func notFound(t Target, missing []string) error {
	switch {
	case t.Kind == EC2 && t.TagKey != "":
		return command.Errorf(nil, "No EC2 instance has the tag %s (terminated instances are not listed). Check the spelling and case, use * as a wildcard, or give an instance id.",
			discord.Quote(t.TagKey+"="+strings.Join(t.TagValues, ",")))
	case t.Kind == EC2:
		return command.Errorf(nil, "No EC2 instance %s in this account and Region. Check the id.", discord.Quote(strings.Join(missing, ", ")))
	case t.Kind == ECS:
		return command.Errorf(nil, "No ECS service %s in this account and Region. Write it as `cluster/service` and check both names.", discord.Quote(strings.Join(missing, ", ")))
	}
	return command.Errorf(nil, "No EKS cluster %s in this account and Region. Check the name.", discord.Quote(strings.Join(missing, ", ")))
}
