package status

import (
	"context"
	"errors"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
)

// Command is the /status entry of the command table: it checks the options at once and reads
// AWS in the deferred invocation. r may be nil where only the definition is used
// (registration, /help); now is the clock, time.Now outside tests.
func Command(r *Reader, now func() time.Time) command.Command {
	return command.Command{
		Name:        "status",
		Description: "CPU and memory of EC2 instances, ECS services or EKS clusters, now and over the last hour",
		Options: []discord.OptionDef{
			{Type: discord.OptionString, Name: "service", Description: "What to read", Required: true,
				Choices: []discord.Choice{{Name: "ec2", Value: "ec2"}, {Name: "ecs", Value: "ecs"}, {Name: "eks", Value: "eks"}}},
			{Type: discord.OptionString, Name: "target", Required: true, MaxLength: 500,
				Description: "Instance id(s), key=value tag or Name; cluster/service for ECS; cluster name for EKS"},
		},
		Contexts: []command.Context{command.ContextGuild}, // AWS state is for the server, not any DM
		Quick: func(_ context.Context, req command.Request) command.Reply {
			if _, err := ParseTarget(req.Option("service"), req.Option("target")); err != nil {
				return command.Ephemeral(message(err))
			}
			return command.Defer(false)
		},
		Work: func(ctx context.Context, req command.Request) (discord.Message, error) {
			t, err := ParseTarget(req.Option("service"), req.Option("target"))
			if err != nil {
				return discord.Message{}, err
			}
			rep, err := r.Read(ctx, t, now())
			if err != nil {
				return discord.Message{}, err
			}
			return Render(rep), nil
		},
	}
}

func message(err error) string {
	var e *command.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "That target can't be read."
}
