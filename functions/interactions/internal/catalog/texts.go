package catalog

import (
	"io/fs"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// texts lists the message files of every package of the function that speaks to members,
// in English and Korean (shared/i18n).
func texts() []fs.FS {
	return []fs.FS{
		command.Messages(),
		costreport.Messages(),
	}
}

// Texts is the function's message catalog: every package's messages in both languages. It
// parses its files on first use.
func Texts() *i18n.Catalog {
	return i18n.NewCatalog(texts()...)
}
