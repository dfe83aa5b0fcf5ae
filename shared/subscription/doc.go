// Package subscription is what a Discord channel asked to hear about a GitHub repository
// (/subscribe): which kinds of event, on which base branches, drafts or not, with which labels,
// from whom. Filter is pure: the github-webhook function turns a delivery into an Event and asks
// each subscription of the repository whether it Wants it. Store keeps the subscriptions in the
// state table (shared/state), where the interactions function writes them and github-webhook
// reads them; docs/STATE.md describes the item.
//
// Base-branch patterns are path.Match globs ("release/*", "main"):
// https://pkg.go.dev/path#Match
package subscription
