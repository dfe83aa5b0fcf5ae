package remind

import (
	"embed"
	"io/fs"
)

//go:embed locales/*.json
var messages embed.FS

// Messages is the package's message files (shared/i18n), for the function's catalog.
func Messages() fs.FS {
	sub, _ := fs.Sub(messages, "locales") // a valid path: Sub cannot fail
	return sub
}
