// Package gateway stands in for API Gateway's HTTP API in front of the suite's functions: it
// turns an HTTP request into the payload format 2.0 event a Lambda integration receives, and the
// function's answer back into an HTTP response.
//
// Upstream reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
package gateway

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBody is the largest request body the gateway passes on: HTTP API's payload limit.
const MaxBody = 10 << 20

// Stage, account and API id the events carry; made up, as the functions do not read them.
const (
	stage     = "$default"
	accountID = "123456789012"
	apiID     = "local"
)

// Event builds the HTTP API event for r, whose body has already been read. Header names are
// lower-cased and repeated headers joined with commas, as HTTP API does; the body is
// base64-encoded unless its Content-Type is text (text/*, application/json without parameters),
// so that a function sees what it would see behind the real HTTP API. requestID names the
// request in requestContext.
func Event(r *http.Request, body []byte, requestID string, now time.Time) events.APIGatewayV2HTTPRequest {
	headers := make(map[string]string, len(r.Header)+1)
	for name, values := range r.Header {
		headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	var cookies []string
	if c, ok := headers["cookie"]; ok {
		for part := range strings.SplitSeq(c, ";") {
			cookies = append(cookies, strings.TrimSpace(part))
		}
		delete(headers, "cookie")
	}
	query := map[string]string{}
	for k, v := range r.URL.Query() {
		query[k] = strings.Join(v, ",")
	}
	if len(query) == 0 {
		query = nil
	}
	routeKey := r.Method + " " + r.URL.Path
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    accountID,
			Stage:        stage,
			RequestID:    requestID,
			APIID:        apiID,
			DomainName:   r.Host,
			DomainPrefix: strings.Split(r.Host, ".")[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if IsText(r.Header.Get("Content-Type")) {
		ev.Body = string(body)
	} else if len(body) > 0 {
		ev.Body = base64.StdEncoding.EncodeToString(body)
		ev.IsBase64Encoded = true
	}
	return ev
}

// IsText reports whether HTTP API passes a body of this Content-Type as text rather than
// base64: text/* and application/json with no parameters.
func IsText(contentType string) bool {
	if contentType == "" {
		return false
	}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return strings.HasPrefix(media, "text/") || (media == "application/json" && len(params) == 0)
}

// ReadBody reads r's body up to MaxBody; a longer body is an error.
func ReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("request body over %d bytes", MaxBody)
	}
	return body, nil
}

// Write sends a function's answer, a payload format 2.0 response, as HTTP. An answer that is
// not such a response is treated as HTTP API treats it: a JSON body with status 200.
func Write(w http.ResponseWriter, answer []byte) error {
	resp, err := Response(answer)
	if err != nil {
		return err
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("decode base64 response body: %w", err)
		}
	}
	if len(body) == 0 {
		w.WriteHeader(resp.StatusCode)
		return nil
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, err = w.Write(body)
	return err
}

// Response decodes a function's answer. HTTP API reads an answer without a statusCode as the
// body of a 200 JSON response.
func Response(answer []byte) (events.APIGatewayV2HTTPResponse, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(answer, &probe); err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("function answer is not JSON: %w", err)
	}
	if _, ok := probe["statusCode"]; !ok {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK,
			Headers: map[string]string{"Content-Type": "application/json"}, Body: string(answer)}, nil
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		return resp, fmt.Errorf("decode function answer: %w", err)
	}
	if resp.StatusCode == 0 {
		resp.StatusCode = http.StatusOK
	}
	return resp, nil
}
