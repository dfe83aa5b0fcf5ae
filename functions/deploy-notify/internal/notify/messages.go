package notify

import (
	"embed"
	"io/fs"
)

//go:embed locales/*.json
var messages embed.FS

// Messages is the package's message files (shared/i18n), for the function's catalog.
func Messages() fs.FS {
	return messages // its files are under locales/, where NewCatalog looks
}
