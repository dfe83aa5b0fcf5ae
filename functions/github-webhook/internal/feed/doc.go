// Package feed keeps one Discord message per pull request and per issue, edited in place as it
// changes: the record of each in the state table (shared/state, item kind pr#/issue#), what a
// webhook event changes in it, and the message and thread notes rendered from it. It is pure:
// a decoded go-github event in, a change to a record out; the handler does the I/O.
//
// Upstream references:
//   - pull_request: https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
//   - pull_request_review: https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request_review
//   - check_suite: https://docs.github.com/en/webhooks/webhook-events-and-payloads#check_suite
//   - Start thread from message: https://discord.com/developers/docs/resources/channel#start-thread-from-message
package feed
