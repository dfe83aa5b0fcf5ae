package scale

import (
	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/awserr"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// catalog is the messages a card speaks: this package's, and the refusals of authz and
// approval it shows.
func catalog() *i18n.Catalog {
	return i18n.NewCatalog(Messages(), authz.Messages(), approval.Messages(), awserr.Messages())
}

// english is how the tests' cards speak unless a test asks for Korean.
func english() approval.Texts {
	c := catalog()
	return approval.Texts{Catalog: c, Printer: c.Printer(i18n.English)}
}
