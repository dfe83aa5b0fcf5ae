package history

import (
	"embed"
	"io/fs"

	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// What /audit says is in the message files of locales/ (shared/i18n), in English and Korean,
// in the language of the member who asks; so are its definition's descriptions, registered
// in English with the Korean as localizations (command.Definition).

//go:embed locales/*.json
var messages embed.FS

// Messages is the package's message files, for the function's catalog.
func Messages() fs.FS {
	return messages // its files are under locales/, where NewCatalog looks
}

// permission is the action authz allows or refuses: "You need one of these roles to see the
// audit trail: …".
const permission = authz.ActionAudit

// filterArgs are the filters of f as the messages name them: Env and Member, "" when not
// given.
func filterArgs(environment, memberID string) i18n.Args {
	a := i18n.Args{"Env": "", "Member": ""}
	if environment != "" {
		a["Env"] = discord.Quote(environment)
	}
	if memberID != "" {
		a["Member"] = discord.Mention(memberID)
	}
	return a
}

// heading is the first line of the reply: how many actions, and the filters given.
func heading(p *i18n.Printer, n int, environment, memberID string) string {
	return p.N("history.heading", n, filterArgs(environment, memberID))
}

// noMatch is the answer when nothing in the trail matches.
func noMatch(p *i18n.Printer, environment, memberID string) string {
	if environment == "" && memberID == "" {
		return p.T("history.nothing_yet")
	}
	return p.T("history.no_match", filterArgs(environment, memberID))
}
