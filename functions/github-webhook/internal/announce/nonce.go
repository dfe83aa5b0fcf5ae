package announce

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// nonceLen is the longest string nonce Discord accepts on message create.
//
// See https://discord.com/developers/docs/resources/message#create-message-jsonform-params
const nonceLen = 25

// Nonce derives the message nonce from a webhook's X-GitHub-Delivery GUID. GitHub reuses the
// GUID when a delivery is redelivered, so sending the nonce with enforce_nonce makes Discord
// return the first message instead of posting a second one.
//
// A GUID (36 characters) is longer than Discord allows, so the nonce is the first 25 hex digits
// of the SHA-256 of the GUID written in lower case without dashes: deterministic, 100 bits, and
// the same whatever case or dashes the header used. An empty delivery yields "": no nonce.
func Nonce(delivery string) string {
	id := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(delivery), "-", ""))
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])[:nonceLen]
}
