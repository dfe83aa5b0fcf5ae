// Package signaturetest signs test requests the way Discord does, with a key derived from a
// fixed seed, so that tests can re-sign recorded payloads after editing them.
package signaturetest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
)

// Signer holds an Ed25519 key made from a fixed seed.
type Signer struct {
	key ed25519.PrivateKey
}

// NewSigner derives a key from 32 bytes of seed: the same seed always gives the same key.
func NewSigner(seed byte) *Signer {
	return &Signer{key: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))}
}

// PublicKeyHex is the public key, hex-encoded as the Developer Portal shows it and
// DISCORD_PUBLIC_KEY carries it.
func (s *Signer) PublicKeyHex() string {
	return hex.EncodeToString(s.key.Public().(ed25519.PublicKey))
}

// Sign returns the X-Signature-Ed25519 header, hex, for timestamp followed by body.
func (s *Signer) Sign(timestamp string, body []byte) string {
	msg := append([]byte(timestamp), body...)
	return hex.EncodeToString(ed25519.Sign(s.key, msg))
}
