package catalog

import (
	"io/fs"

	"github.com/discord-chatops/chatops/functions/interactions/internal/appclient"
	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/assign"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/awserr"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/functions/interactions/internal/cost"
	"github.com/discord-chatops/chatops/functions/interactions/internal/deploy"
	"github.com/discord-chatops/chatops/functions/interactions/internal/help"
	"github.com/discord-chatops/chatops/functions/interactions/internal/history"
	"github.com/discord-chatops/chatops/functions/interactions/internal/link"
	"github.com/discord-chatops/chatops/functions/interactions/internal/scale"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status"
	"github.com/discord-chatops/chatops/functions/interactions/internal/subscribe"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// texts lists the message files of every package of the function that speaks to members,
// in English and Korean (shared/i18n).
func texts() []fs.FS {
	return []fs.FS{
		command.Messages(),
		Messages(), // the commands this package defines
		help.Messages(),
		status.Messages(),
		cost.Messages(),
		deploy.Messages(),
		scale.Messages(),
		approval.Messages(),
		assign.Messages(),
		authz.Messages(),
		history.Messages(),
		subscribe.Messages(),
		link.Messages(),
		costreport.Messages(),
		awserr.Messages(),
		appclient.Messages(),
	}
}

// Texts is the function's message catalog: every package's messages in both languages. It
// parses its files on first use.
func Texts() *i18n.Catalog {
	return i18n.NewCatalog(texts()...)
}
