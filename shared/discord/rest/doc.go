// Package rest is the suite's Discord REST client: interaction webhook edits and follow-ups,
// channel messages, and command registration. It sends every message within Discord's limits
// (discord.Message.Fit) and pinging nobody unless told otherwise; it waits out rate limits and
// retries server errors within a bounded number of tries and a bounded total wait; it keeps
// bot and interaction tokens out of every error it returns.
//
// Upstream references:
//   - Rate limits: https://discord.com/developers/docs/topics/rate-limits
//   - Interaction webhooks: https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages
//   - Messages: https://discord.com/developers/docs/resources/message#create-message
//   - Commands: https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
package rest
