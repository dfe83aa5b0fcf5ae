// Package discord holds the Discord types the suite sends and receives: interactions, interaction
// responses, messages with embeds and components, and application command definitions. The
// transport lives apart, in package rest; signature checks in package signature.
//
// Upstream references:
//   - Receiving and responding: https://discord.com/developers/docs/interactions/receiving-and-responding
//   - Message components: https://discord.com/developers/docs/interactions/message-components
//   - Embed limits: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
//   - Application commands: https://discord.com/developers/docs/interactions/application-commands
package discord
