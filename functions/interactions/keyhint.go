package main

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/discord-chatops/chatops/shared/discord/signature"
)

// keyHintAfter is how many requests in a row must fail the signature check, with none passing
// in between, before the log names DISCORD_PUBLIC_KEY. Saving the Interactions Endpoint URL
// sends a PING and a deliberately forged request; with the wrong key both fail, and the
// second try at saving reaches the count.
const keyHintAfter = 3

// badSignatures counts, in one execution environment, the requests in a row whose signature
// did not match. A zero value is ready; a request that passes resets it.
type badSignatures struct{ n atomic.Int64 }

// fail counts a refused request; a signature that does not match (not a missing header or a
// stale timestamp, which scanners and slow clients cause) is what a wrong public key causes.
// After keyHintAfter in a row, and every 100 after that, it logs the likely cause.
func (b *badSignatures) fail(ctx context.Context, log *slog.Logger, err error) {
	if !errors.Is(err, signature.ErrBadSignature) {
		return
	}
	n := b.n.Add(1)
	if n != keyHintAfter && (n < keyHintAfter || n%100 != 0) {
		return
	}
	log.LogAttrs(ctx, slog.LevelError, "every request fails the signature check",
		slog.Int64("consecutive_failures", n),
		slog.String("likely_cause", "DISCORD_PUBLIC_KEY is not this application's Public Key: "+
			"copy it from the Developer Portal (your application → General Information → Public Key) "+
			"into the stack's discordPublicKey context and deploy again"))
}

// pass resets the count; it writes only when there is something to reset, so that the
// acknowledgement path stays as cheap as it was.
func (b *badSignatures) pass() {
	if b.n.Load() != 0 {
		b.n.Store(0)
	}
}
