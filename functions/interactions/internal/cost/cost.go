// Package cost answers /cost with the suite's cost report, the one cost-cron posts every
// morning (shared/costreport), read through the cost cache in the state table so that Cost
// Explorer ($0.01 a request) is asked once a day however many /cost there are. The answer
// says how old its figures are. See docs/COST.md.
package cost

import (
	"context"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord"
)

// Builder gives the report for now; *costreport.Cache satisfies it.
type Builder interface {
	Build(ctx context.Context, now time.Time) (costreport.Report, error)
}

// Unavailable is the message id of what /cost says when Cost Explorer fails, in the channel's
// language. A forecast that cannot be made is not a failure: the report says so itself.
const Unavailable = "cost.unavailable"

// Command is the /cost entry of the command table: it defers at once and builds the report in
// the deferred invocation; everyone in the channel sees it, in the channel's language. b may be nil where only the
// definition is used (registration, /help); now is the clock, time.Now outside tests.
func Command(b Builder, now func() time.Time) command.Command {
	deferred := command.Defer(false)
	return command.Command{
		Name:     "cost",
		Contexts: []command.Context{command.ContextGuild}, // the account's spend is for the server, not any DM
		Quick:    func(context.Context, command.Request) command.Reply { return deferred },
		Work: func(ctx context.Context, req command.Request) (discord.Message, error) {
			rep, err := b.Build(ctx, now())
			if err != nil {
				return discord.Message{}, command.Fail(err, command.T("cost.unavailable"))
			}
			return rep.AgedMessage(req.Channel()), nil // public: the channel's language
		},
	}
}
