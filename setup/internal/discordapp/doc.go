// Package discordapp is what setup, the deploy wiring and doctor ask of Discord about the
// application itself: the application (its id, public key and Interactions Endpoint URL), the
// bot's servers, their channels and roles, and the permissions the bot holds in a channel. The
// functions' own calls (messages, interaction webhooks, command registration) are in
// shared/discord/rest.
//
// Upstream references:
//   - https://discord.com/developers/docs/resources/application#get-current-application
//   - https://discord.com/developers/docs/resources/application#edit-current-application
//   - https://discord.com/developers/docs/resources/user#get-current-user-guilds
//   - https://discord.com/developers/docs/topics/permissions#permission-overwrites
//   - https://discord.com/developers/docs/topics/oauth2#bot-authorization-flow
//   - https://discord.com/developers/docs/interactions/application-commands#get-guild-application-command-permissions
package discordapp
