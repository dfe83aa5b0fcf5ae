package apigw

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBodyBytes is the largest request body, after base64 decoding, that Body accepts. Discord
// interactions and GitHub webhooks (capped by GitHub at 25 MB, in practice a few kB) fit well
// within it; anything bigger is refused before it is decoded.
const MaxBodyBytes = 1 << 20

// ErrTooLarge is returned by Body when the body exceeds MaxBodyBytes; the caller answers 413.
var ErrTooLarge = errors.New("request body too large")

// ErrBadEncoding is returned by Body when a body marked base64-encoded does not decode; the caller
// answers 400.
var ErrBadEncoding = errors.New("request body not valid base64")

// Body returns the request body as received by API Gateway, decoding it when the event says
// IsBase64Encoded. Errors wrap ErrTooLarge or ErrBadEncoding. The size is checked from the encoded
// length before any decoding work, so an oversized body costs no allocation.
func Body(req events.APIGatewayV2HTTPRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		if len(req.Body) > MaxBodyBytes {
			return nil, fmt.Errorf("read body of %d bytes: %w", len(req.Body), ErrTooLarge)
		}
		return []byte(req.Body), nil
	}
	if n := decodedLen(req.Body); n > MaxBodyBytes {
		return nil, fmt.Errorf("read base64 body of %d decoded bytes: %w", n, ErrTooLarge)
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, fmt.Errorf("decode body: %w: %w", ErrBadEncoding, err)
	}
	return b, nil
}

// decodedLen is the length of the bytes that the padded base64 text s decodes to, assuming s is
// well formed; DecodeString reports it when it is not.
func decodedLen(s string) int {
	n := base64.StdEncoding.DecodedLen(len(s))
	if strings.HasSuffix(s, "==") {
		return n - 2
	}
	if strings.HasSuffix(s, "=") {
		return n - 1
	}
	return n
}

// Header returns the value of the named request header, matching the name without regard to case:
// HTTP API lower-cases header names, but events built by tests and other clients may not. It
// returns "" when the header is absent. API Gateway joins repeated headers with commas.
func Header(req events.APIGatewayV2HTTPRequest, name string) string {
	if v, ok := req.Headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// JSON returns a response with v encoded as JSON and Content-Type application/json. A value that
// cannot be encoded is a programming error; it yields a 500 with a plain "internal error" body
// rather than a half-written response.
func JSON(status int, v any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(v)
	if err != nil {
		return Text(http.StatusInternalServerError, "internal error")
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}

// Text returns a response with msg as a plain-text body.
func Text(status int, msg string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
		Body:       msg,
	}
}

// Status returns a response with the status code and an empty body, such as 204 or 202.
func Status(status int) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: status}
}
