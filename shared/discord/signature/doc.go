// Package signature verifies that an interaction request comes from Discord: an Ed25519
// signature, by the application's public key, over the X-Signature-Timestamp header followed
// by the raw request body. Discord sends forged requests on purpose and removes the endpoint
// URL of an app that accepts them; answer 401 whenever errors.Is(err, ErrInvalid).
//
// See https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
package signature
