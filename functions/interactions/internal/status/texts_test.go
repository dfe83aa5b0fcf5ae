package status

import (
	"github.com/discord-chatops/chatops/functions/interactions/internal/awserr"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// texts is the catalog of what /status says: this package's messages and those it uses.
func texts() *i18n.Catalog {
	return i18n.NewCatalog(Messages(), command.Messages(), awserr.Messages())
}

// english is the English printer of texts, for the tests that check the English wording.
func english() *i18n.Printer { return texts().Printer(i18n.English) }
