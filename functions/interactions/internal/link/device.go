package link

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DeviceFlow is GitHub's device flow for the App's user tokens: a code the member enters on
// GitHub, then the token the App polls for, then the login it belongs to.
// https://docs.github.com/en/apps/creating-github-apps/writing-code-for-a-github-app/building-a-cli-with-a-github-app
type DeviceFlow struct {
	// ClientID is the App's client id (GITHUB_CLIENT_ID), not a secret.
	ClientID string
	// WebURL serves /login/device/code and /login/oauth/access_token: https://github.com.
	WebURL string
	// APIURL serves GET /user: https://api.github.com (GITHUB_API_URL).
	APIURL string
	// HTTP sends the requests; nil is http.DefaultClient.
	HTTP *http.Client
}

// GitHubWebURL is where github.com serves the device flow.
const GitHubWebURL = "https://github.com"

// Device is GitHub's answer to a device code request.
type Device struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int    `json:"expires_in"` // seconds
	Interval        int    `json:"interval"`   // seconds between polls
}

// The outcomes of one poll that are not a token (GitHub's error codes).
var (
	ErrPending  = errors.New("authorization_pending")
	ErrSlowDown = errors.New("slow_down")
	ErrExpired  = errors.New("expired_token")
	ErrDenied   = errors.New("access_denied")
)

// PollError is GitHub's answer to a poll that is neither a token nor one of the Err values
// (incorrect_client_credentials, device_flow_disabled, ...): the App's settings need a fix.
type PollError struct{ Code, Description string }

func (e *PollError) Error() string { return "device flow: " + e.Code + ": " + e.Description }

// Start asks GitHub for a device code and the code the member enters.
func (f DeviceFlow) Start(ctx context.Context) (Device, error) {
	var d Device
	if err := f.post(ctx, "/login/device/code", url.Values{"client_id": {f.ClientID}}, &d); err != nil {
		return Device{}, fmt.Errorf("device code: %w", err)
	}
	if d.DeviceCode == "" || d.UserCode == "" {
		return Device{}, errors.New("device code: GitHub's answer has no code")
	}
	return d, nil
}

// Poll asks once whether the member entered the code: the user token, or ErrPending,
// ErrSlowDown (with the new interval), ErrExpired, ErrDenied or a *PollError.
func (f DeviceFlow) Poll(ctx context.Context, deviceCode string) (token string, interval time.Duration, err error) {
	var r struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Interval    int    `json:"interval"`
	}
	err = f.post(ctx, "/login/oauth/access_token", url.Values{"client_id": {f.ClientID}, "device_code": {deviceCode},
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}}, &r)
	interval = time.Duration(r.Interval) * time.Second
	switch {
	case err != nil:
		return "", 0, fmt.Errorf("device token: %w", err)
	case r.AccessToken != "":
		return r.AccessToken, 0, nil
	}
	for _, known := range []error{ErrPending, ErrSlowDown, ErrExpired, ErrDenied} {
		if r.Error == known.Error() {
			return "", interval, known
		}
	}
	return "", 0, &PollError{Code: r.Error, Description: r.Description}
}

// Login is the login of the user whose token this is.
func (f DeviceFlow) Login(ctx context.Context, token string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(f.APIURL, "/")+"/user", nil)
	if err != nil {
		return "", fmt.Errorf("user: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	var u struct {
		Login string `json:"login"`
	}
	if err := f.do(req, &u); err != nil {
		return "", fmt.Errorf("user: %w", err)
	}
	if u.Login == "" {
		return "", errors.New("user: GitHub's answer has no login")
	}
	return u.Login, nil
}

func (f DeviceFlow) post(ctx context.Context, path string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(f.WebURL, "/")+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return f.do(req, out)
}

// do sends req and decodes its JSON answer into out; an answer other than 200 is an error.
func (f DeviceFlow) do(req *http.Request, out any) error {
	c := f.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %.200s", req.Method, req.URL.Path, resp.Status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	return nil
}
