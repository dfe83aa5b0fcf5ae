package signature

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Headers that carry the signature (hex) and the signed timestamp (unix seconds).
const (
	HeaderSignature = "X-Signature-Ed25519"
	HeaderTimestamp = "X-Signature-Timestamp"
)

// MaxSkew is how far the timestamp may stand from now, either way, before a request is taken
// for a replay.
const MaxSkew = 5 * time.Minute

// ErrInvalid is wrapped by every error Verify returns.
var ErrInvalid = errors.New("invalid request signature")

// Reasons a request is invalid; each wraps ErrInvalid.
var (
	ErrMissing      = fmt.Errorf("%w: missing signature or timestamp", ErrInvalid)
	ErrMalformed    = fmt.Errorf("%w: malformed signature or timestamp", ErrInvalid)
	ErrStale        = fmt.Errorf("%w: timestamp outside the replay window", ErrInvalid)
	ErrBadSignature = fmt.Errorf("%w: signature does not match", ErrInvalid)
)

// Verifier checks requests against one application's public key. It is safe for concurrent
// use.
type Verifier struct {
	key ed25519.PublicKey
}

// NewVerifier parses the application's public key, as hex, from the Developer Portal. Check
// it at start-up: ed25519.Verify panics on a key of the wrong length.
func NewVerifier(publicKeyHex string) (*Verifier, error) {
	key, err := hex.DecodeString(publicKeyHex)
	if err != nil {
		return nil, fmt.Errorf("decode public key: %w", err)
	}
	if len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key is %d bytes, want %d", len(key), ed25519.PublicKeySize)
	}
	return &Verifier{key: key}, nil
}

// Verify checks the headers of a request against its raw body, exactly as received, at time
// now. Cheap checks come first so that malformed and replayed requests cost no curve
// arithmetic.
func (v *Verifier) Verify(signatureHex, timestamp string, body []byte, now time.Time) error {
	if signatureHex == "" || timestamp == "" {
		return ErrMissing
	}
	var sig [ed25519.SignatureSize]byte
	if !decodeHex(sig[:], signatureHex) {
		return ErrMalformed
	}
	sec, ok := parseSeconds(timestamp)
	if !ok {
		return ErrMalformed
	}
	if skew := now.Sub(time.Unix(sec, 0)); skew > MaxSkew || skew < -MaxSkew {
		return ErrStale
	}
	if v == nil || len(v.key) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: verifier has no key", ErrInvalid)
	}
	// The signed message is the two joined. Most interaction bodies fit the stack buffer, which
	// does not escape: no allocation on the acknowledgement path.
	var buf [4096]byte
	msg := append(append(buf[:0], timestamp...), body...)
	if !ed25519.Verify(v.key, msg, sig[:]) {
		return ErrBadSignature
	}
	return nil
}

// decodeHex decodes s into dst, which it must fill exactly. Unlike hex.Decode it reads a
// string, so the header needs no copy to a byte slice.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := fromHex(s[2*i])
		lo, ok2 := fromHex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseSeconds reads unix seconds as Discord sends them: decimal digits only, no sign. Eleven
// digits reach the year 5138, far past any request that is not a replay.
func parseSeconds(s string) (int64, bool) {
	if len(s) > 11 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
