package status

import (
	"context"
	"errors"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Command is the /status entry of the command table: it checks the options at once, refusing
// in the member's language, and reads AWS in the deferred invocation, whose answer everyone in
// the channel sees in its language. r may be nil where only the definition is used
// (registration, /help); now is the clock, time.Now outside tests.
func Command(r *Reader, now func() time.Time) command.Command {
	return command.Command{
		Name: "status",
		Options: []discord.OptionDef{
			{Type: discord.OptionString, Name: "service", Required: true,
				Choices: []discord.Choice{{Value: "ec2"}, {Value: "ecs"}, {Value: "eks"}}},
			{Type: discord.OptionString, Name: "target", Required: true, MaxLength: 500},
		},
		Contexts: []command.Context{command.ContextGuild}, // AWS state is for the server, not any DM
		Quick: func(_ context.Context, req command.Request) command.Reply {
			if _, err := ParseTarget(req.Option("service"), req.Option("target")); err != nil {
				return command.Ephemeral(message(req.Member(), err))
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
			return Render(req.Channel(), rep), nil
		},
	}
}

// message is what the member is told of a target that cannot be read, in p's language.
func message(p *i18n.Printer, err error) string {
	var e *command.Error
	if errors.As(err, &e) {
		return e.In(p)
	}
	return p.T("status.target.unreadable")
}
