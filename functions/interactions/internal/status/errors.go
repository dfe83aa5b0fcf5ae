package status

import (
	"strings"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// notFound is the message for a target that matches nothing.
func notFound(t Target, missing []string) error {
	names := i18n.Args{"Names": discord.Quote(strings.Join(missing, ", "))}
	switch {
	case t.Kind == EC2 && t.TagKey != "":
		return command.Fail(nil, command.T("status.notfound.tag", i18n.Args{"Tag": discord.Quote(t.TagKey + "=" + strings.Join(t.TagValues, ","))}))
	case t.Kind == EC2:
		return command.Fail(nil, command.T("status.notfound.ec2", names))
	case t.Kind == ECS:
		return command.Fail(nil, command.T("status.notfound.ecs", names))
	}
	return command.Fail(nil, command.T("status.notfound.eks", names))
}
