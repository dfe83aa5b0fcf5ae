package rest

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseBaseURL reads DISCORD_API_URL as every function takes it: empty means DefaultBaseURL, a
// trailing slash is dropped, and anything but an absolute http(s) URL is an error that names the
// variable and the value.
func ParseBaseURL(value string) (string, error) {
	v := strings.TrimRight(strings.TrimSpace(value), "/")
	if v == "" {
		return DefaultBaseURL, nil
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("DISCORD_API_URL %q is not an absolute http(s) URL", value)
	}
	return v, nil
}
