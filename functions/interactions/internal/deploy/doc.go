// Package deploy is /deploy and /rollback: a card that asks for approval, and the dispatch of
// the deploy workflow through the GitHub App once a member with an allowed role approves.
//
// Its first embed holds the request (environment, ref, commit, requester) and its history;
// its buttons' custom_ids hold the requester and the time of the request. A click's decision
// is kept in the state table (package approval): the worker dispatches what the approval
// record names, not what the card shows. deploy-notify later adds a second embed with the run's status and replaces the
// buttons; edits here keep every embed but the first. The run is tied to the card by the
// correlation id deployrun.CorrelationID(channel, message), which the workflow puts in its
// run-name.
//
// What an environment runs, and what /rollback deploys, comes from GitHub's deployments of that
// environment and their statuses (history.go); the run-name is the record only where an
// environment has none. /rollback's `to` is autocompleted from the choices the last card kept
// in the state table (choices.go).
//
// Upstream references:
//   - Workflow dispatch: https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event
//   - Workflow runs: https://docs.github.com/en/rest/actions/workflow-runs
//   - Deployments: https://docs.github.com/en/rest/deployments/deployments
//   - Autocomplete: https://discord.com/developers/docs/interactions/application-commands#autocomplete
//   - Responding to a button: https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
package deploy
