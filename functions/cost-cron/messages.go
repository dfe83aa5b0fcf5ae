package main

import (
	"embed"

	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/i18n"
)

//go:embed locales/*.json
var messageFiles embed.FS

// texts is the function's message catalog: the report's messages and the dead-letter alarm's,
// in English and Korean (shared/i18n). It parses its files on the first post, not at start.
func texts() *i18n.Catalog {
	return i18n.NewCatalog(costreport.Messages(), messageFiles)
}
