// Package notify turns the GitHub events deploy-notify receives (workflow_run and
// deployment_status, as github-webhook put them on the bus) into what Discord shows: a run
// status embed on the deploy card the run was approved on, or a message in the notification
// channel.
//
// Decide reads an event into a Report (or says why it is ignored); Report.Embed and
// Report.Components render it in the channel's language (CHATOPS_LANGUAGE, through Texts and
// the package's catalog, Messages); Publisher puts it on the card or in the channel; Once
// claims the event and its run state in the state table first, so that each is reported once.
// The status embed's footer is how a later event knows what the card shows: Texts reads it
// back in either language, so a card written before the language changed is still updated.
//
// Upstream references:
//   - workflow_run: https://docs.github.com/en/webhooks/webhook-events-and-payloads#workflow_run
//   - deployment_status: https://docs.github.com/en/webhooks/webhook-events-and-payloads#deployment_status
//   - Editing a message: https://discord.com/developers/docs/resources/message#edit-message
//   - Nonces: https://discord.com/developers/docs/resources/message#create-message-jsonform-params
package notify
