// Package command routes Discord interactions through one table of commands. A Command holds
// everything about a slash command: its definition as registered with Discord, the quick
// handler that answers within Discord's 3 seconds, and the worker that does slow work in a
// second, asynchronous invocation. Buttons are routed by the prefix of their custom_id to the
// command that owns them. The same table yields the definitions sent to Discord, so what is
// registered and what is routed cannot drift apart.
//
// Upstream references:
//   - Receiving and responding: https://discord.com/developers/docs/interactions/receiving-and-responding
//   - Application commands: https://discord.com/developers/docs/interactions/application-commands
//   - Message components: https://discord.com/developers/docs/components/reference
package command
