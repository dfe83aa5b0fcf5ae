package catalog

import (
	"embed"
	"io/fs"
)

//go:embed locales/*.json
var messages embed.FS

// Messages is the message files of the commands this package defines, the texts they are
// registered with (shared/i18n), for the function's catalog.
func Messages() fs.FS {
	return messages // its files are under locales/, where NewCatalog looks
}
