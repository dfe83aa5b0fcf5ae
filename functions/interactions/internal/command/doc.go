// Package command routes Discord interactions through one table of commands. A Command holds
// everything about a slash command: its definition as registered with Discord, the quick
// handler that answers within Discord's 3 seconds, and the worker that does slow work in a
// second, asynchronous invocation. Buttons are routed by the prefix of their custom_id to the
// command that owns them. The same table yields the definitions sent to Discord, so what is
// registered and what is routed cannot drift apart.
//
// Texts. Every text a member reads comes from the function's catalog (shared/i18n), in
// English and Korean, and so do the descriptions and choice names registered with Discord
// (Command.Definition; command names stay as they are). A refusal answers in the invoking
// member's language (Request.Member); the worker's answer in the language of whoever reads it
// (Request.Answer): the channel's (CHATOPS_LANGUAGE), or the member's when the deferred
// answer is theirs alone. An *Error carries a Text, printed at that edge in that language.
//
// Upstream references:
//   - Receiving and responding: https://discord.com/developers/docs/interactions/receiving-and-responding
//   - Application commands: https://discord.com/developers/docs/interactions/application-commands
//   - Message components: https://discord.com/developers/docs/components/reference
package command
