// Package announce decides which GitHub pull request and issue events become a Discord message,
// and builds that message's embed. It is pure: a decoded go-github event and the team's rules in,
// a decision out.
//
// Upstream references:
//   - pull_request webhook: https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
//   - issues webhook: https://docs.github.com/en/webhooks/webhook-events-and-payloads#issues
//   - Embed object and limits: https://discord.com/developers/docs/resources/message#embed-object
//   - Markdown in Discord: https://support.discord.com/hc/en-us/articles/210298617
package announce
