package costreport

import (
	"embed"
	"io/fs"
)

//go:embed locales/*.json
var messages embed.FS

// Messages is the report's message files (shared/i18n), for the catalog of every binary that
// renders a report: add it to i18n.NewCatalog.
func Messages() fs.FS {
	return messages // its files are under locales/, where NewCatalog looks
}
