package history

import (
	"fmt"
	"strings"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Every text /audit shows, in English, in this one file: the language work moves them into
// the message catalogs as they are.

// Definition texts: the command's and its options' descriptions, as registered.
const (
	commandDescription     = "The last 20 actions taken through the bot, newest first; only you see them"
	environmentDescription = "Only actions on this deploy environment"
	memberDescription      = "Only actions by this member"
)

// permission is what authz's denial says the member may not do: "You need one of these roles
// to see the audit trail: …".
const permission = "see the audit trail"

// unavailable is the answer when the trail cannot be read: the state table did not answer.
const unavailable = "⚠️ I can't read the audit trail right now: the bot's state table did not answer. Try again in a minute."

// title is the reply's embed title.
const title = "Audit trail"

// heading is the first line of the reply: how many actions, and the filters given (either may
// be empty).
func heading(n int, environment, memberID string) string {
	noun := "actions"
	if n == 1 {
		noun = "action"
	}
	return fmt.Sprintf("The last %d %s%s, newest first:", n, noun, filters(environment, memberID))
}

// noMatch is the answer when nothing in the trail matches.
func noMatch(environment, memberID string) string {
	if environment == "" && memberID == "" {
		return "Nothing in the audit trail yet: no action has been taken through the bot within its retention."
	}
	return "Nothing in the audit trail matches: no action" + filters(environment, memberID) + "."
}

// filters says which filters were given: " in `prod` by @member".
func filters(environment, memberID string) string {
	var b strings.Builder
	if environment != "" {
		b.WriteString(" in " + discord.Quote(environment))
	}
	if memberID != "" {
		b.WriteString(" by " + discord.Mention(memberID))
	}
	return b.String()
}

// truncatedNote is the footer when the search stopped before the end of the trail.
const truncatedNote = "Only the newest part of the trail was searched: older matching actions may exist."

// linkLabel is the text of the link to an entry's URL (a run, a deployment's log).
const linkLabel = "link"

// nobody stands for who acted when an entry names no one.
const nobody = "someone"
