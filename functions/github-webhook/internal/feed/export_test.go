package feed

import (
	"io/fs"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/announce"
)

// announceMessages is the catalog the messages share texts with (labels, the footer, sizes).
func announceMessages() fs.FS { return announce.Messages() }
