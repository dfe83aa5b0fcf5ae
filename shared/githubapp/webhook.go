package githubapp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"strings"

	"github.com/google/go-github/v66/github"
)

// ErrBadSignature is wrapped by the error ValidateWebhook returns when X-Hub-Signature-256 is
// missing, not sha256, not hex or does not match the body; the caller answers 401.
var ErrBadSignature = errors.New("bad webhook signature")

// ErrBadPayload is wrapped by the error ValidateWebhook returns when a correctly signed delivery
// has a content type other than JSON or form-encoded, or carries no payload; the caller answers
// 400.
var ErrBadPayload = errors.New("bad webhook payload")

// signaturePrefix marks the only algorithm accepted. GitHub also sends X-Hub-Signature (SHA-1)
// for old integrations; it is not trusted here.
const signaturePrefix = "sha256="

// ValidateWebhook checks a GitHub webhook delivery and returns its JSON payload. signature256 is
// the X-Hub-Signature-256 header ("sha256=<hex HMAC-SHA256 of the raw body>"), body the raw
// request body and contentType the Content-Type header, parameters and all. For
// application/x-www-form-urlencoded deliveries the payload is the "payload" form field.
//
// The signature is checked over the raw bytes before anything is parsed (see
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries), then the
// payload is extracted by go-github's ValidatePayloadFromBody, which wants the bare media type.
// Errors wrap ErrBadSignature or ErrBadPayload, and never contain the signature or the secret.
// An empty secret is a configuration error and wraps neither.
func ValidateWebhook(secret []byte, contentType, signature256 string, body []byte) ([]byte, error) {
	if len(secret) == 0 {
		return nil, errors.New("validate webhook: no secret configured")
	}
	if err := checkSignatureFormat(signature256); err != nil {
		return nil, fmt.Errorf("check webhook signature: %s: %w", err, ErrBadSignature)
	}
	if err := github.ValidateSignature(signature256, body, secret); err != nil {
		return nil, fmt.Errorf("check webhook signature: HMAC mismatch: %w", ErrBadSignature)
	}

	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("parse webhook content type %q: %w", contentType, ErrBadPayload)
	}
	payload, err := github.ValidatePayloadFromBody(mediaType, bytes.NewReader(body), signature256, secret)
	if err != nil {
		return nil, fmt.Errorf("read webhook payload (%s): %w: %w", mediaType, ErrBadPayload, err)
	}
	if len(payload) == 0 {
		return nil, fmt.Errorf("read webhook payload (%s): empty: %w", mediaType, ErrBadPayload)
	}
	return payload, nil
}

// checkSignatureFormat rejects what is not "sha256=" and 64 hex digits, with a reason that does
// not repeat the header.
func checkSignatureFormat(signature string) error {
	if signature == "" {
		return errors.New("missing")
	}
	hexMAC, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok {
		return errors.New("not sha256")
	}
	if len(hexMAC) != hex.EncodedLen(32) {
		return fmt.Errorf("%d hex digits, want 64", len(hexMAC))
	}
	if _, err := hex.DecodeString(hexMAC); err != nil {
		return errors.New("not hex")
	}
	return nil
}
