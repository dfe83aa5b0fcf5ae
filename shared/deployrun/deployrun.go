// Package deployrun is the contract between the deploy card in Discord and the GitHub Actions
// run it starts: the correlation id that names the card, the run-name the example workflow
// (examples/deploy.yml) gives its runs, and the custom_id of the "Roll back" button that
// deploy-notify puts under a failed deploy.
//
// GitHub's Actions API never returns a run's inputs, so what the suite needs to recognise a run
// travels in its run-name, visible as `display_title` on runs and in workflow_run webhooks:
// https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#run-name
package deployrun

import (
	"regexp"
	"strings"

	"github.com/discord-chatops/chatops/shared/discord"
)

// RunNameTemplate is the run-name the deploy workflow must carry; ParseTitle reads what it
// renders. A rollback's commit (input sha) ends it after an "@": a run's head_sha is the tip of
// its ref, not the commit a rollback deployed, and the Actions API does not return inputs.
const RunNameTemplate = "Deploy ${{ inputs.environment }} by ${{ inputs.requested_by || github.actor }} [${{ inputs.correlation_id || 'manual' }}]${{ inputs.sha && format(' @{0}', inputs.sha) || '' }}"

// Manual is the correlation id of a run started outside Discord.
const Manual = "manual"

// Title is what a run's display title says about its deploy.
type Title struct {
	Environment string
	RequestedBy string
	// CorrelationID is empty for runs started outside Discord.
	CorrelationID string
	// SHA is the commit the run was asked to deploy (a rollback's input sha); empty when it
	// deploys its ref, whose tip is the run's head_sha.
	SHA string
}

var titlePattern = regexp.MustCompile(`^Deploy (\S+) by (\S+) \[([^\]\s]*)\](?: @([0-9a-f]+))?$`)

// ParseTitle reads a run's display title. ok is false for titles of another shape (runs of a
// workflow that does not use RunNameTemplate, or other workflows).
func ParseTitle(displayTitle string) (t Title, ok bool) {
	m := titlePattern.FindStringSubmatch(strings.TrimSpace(displayTitle))
	if m == nil {
		return Title{}, false
	}
	t = Title{Environment: m[1], RequestedBy: m[2], CorrelationID: m[3], SHA: m[4]}
	if t.CorrelationID == Manual {
		t.CorrelationID = ""
	}
	return t, true
}

// DeployedSHA is the commit a run deployed: the commit in its title when it was asked for one
// (a rollback), else headSHA, the tip of its ref when it ran.
func (t Title) DeployedSHA(headSHA string) string {
	if t.SHA != "" {
		return t.SHA
	}
	return headSHA
}

// CorrelationID names the Discord card a deploy was approved on: its channel and message ids.
func CorrelationID(channelID, messageID string) string {
	return channelID + "-" + messageID
}

// ParseCorrelationID returns the card's channel and message ids. ok is false when id is not
// two Discord snowflakes joined by a dash.
func ParseCorrelationID(id string) (channelID, messageID string, ok bool) {
	channelID, messageID, found := strings.Cut(id, "-")
	if !found || !discord.IsSnowflake(channelID) || !discord.IsSnowflake(messageID) {
		return "", "", false
	}
	return channelID, messageID, true
}

// RollbackButtonPrefix starts the custom_id of the "Roll back" button under a failed deploy;
// the environment follows it. The interactions function routes it to the /rollback flow.
const RollbackButtonPrefix = "rollback:start:"

// RollbackButtonID is the custom_id of the "Roll back" button for environment.
func RollbackButtonID(environment string) string { return RollbackButtonPrefix + environment }
