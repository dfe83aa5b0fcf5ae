package appmanifest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Target is where the App is created: github.com or a GitHub Enterprise Server host, and a
// user's account or an organization's.
type Target struct {
	// WebURL is GitHub's web root: https://github.com, or https://HOST for Enterprise Server.
	WebURL string
	// Org is the organization that will own the App; "" means the signed-in user.
	Org string
}

// DefaultWebURL is github.com's web root.
const DefaultWebURL = "https://github.com"

// NewAppURL is the form the manifest is posted to.
func (t Target) NewAppURL() string {
	web := strings.TrimRight(t.WebURL, "/")
	if web == "" {
		web = DefaultWebURL
	}
	if t.Org != "" {
		return web + "/organizations/" + url.PathEscape(t.Org) + "/settings/apps/new"
	}
	return web + "/settings/apps/new"
}

// APIURL is the REST base that goes with a web root: api.github.com for github.com,
// https://HOST/api/v3 for Enterprise Server.
func APIURL(webURL string) string {
	web := strings.TrimRight(webURL, "/")
	if web == "" || web == DefaultWebURL {
		return "https://api.github.com"
	}
	return web + "/api/v3"
}

// App is what GitHub returns for a created App. PEM and WebhookSecret are secrets: they go to
// SSM and nowhere else.
type App struct {
	ID      int64  `json:"id"`
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	HTMLURL string `json:"html_url"`
	// ClientID is the App's OAuth client id, not a secret: /link's device flow asks for it.
	ClientID      string `json:"client_id"`
	PEM           string `json:"pem"`
	WebhookSecret string `json:"webhook_secret"`
	Owner         struct {
		Login string `json:"login"`
	} `json:"owner"`
}

// InstallURL is the page where the App is installed on repositories.
func (a App) InstallURL() string { return strings.TrimRight(a.HTMLURL, "/") + "/installations/new" }

// Flow is one creation of the App.
type Flow struct {
	// Manifest is github-app-manifest.json as read; its redirect_url is replaced by the local
	// callback.
	Manifest []byte
	Target   Target
	// APIURL is the REST base the code is exchanged at.
	APIURL string
	// HTTPClient makes the exchange; nil means one with a 30-second timeout.
	HTTPClient *http.Client
}

// Run serves the page on ln and returns the App once GitHub has redirected back to it and the
// code is exchanged, or when ctx ends; the browser is then sent on to the App's install page.
// tell is given the address to open in a browser.
func (f Flow) Run(ctx context.Context, ln net.Listener, tell func(pageURL string)) (App, error) {
	base := "http://" + ln.Addr().String()
	state, err := randomHex(16)
	if err != nil {
		return App{}, err
	}
	manifest, err := withRedirect(f.Manifest, base+"/callback")
	if err != nil {
		return App{}, err
	}
	type result struct {
		app App
		err error
	}
	results := make(chan result, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageTemplate().Execute(w, map[string]string{
			"Action": f.Target.NewAppURL() + "?state=" + state, "Manifest": string(manifest),
		})
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		code := r.URL.Query().Get("code")
		if r.URL.Query().Get("state") != state || code == "" {
			http.Error(w, "This is not the answer to the page setup opened: start again from it.", http.StatusBadRequest)
			return
		}
		app, err := f.Convert(r.Context(), code)
		select {
		case results <- result{app, err}:
		default:
			http.Error(w, "setup already has its App", http.StatusConflict)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		// Straight on to the next click: installing the App.
		http.Redirect(w, r, app.InstallURL(), http.StatusFound)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	// Shutdown, not Close: the callback hands over its result before it answers, and the
	// browser must still get that answer (the redirect to the install page).
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(stop) != nil {
			_ = srv.Close()
		}
	}()
	tell(base + "/")

	select {
	case <-ctx.Done():
		return App{}, fmt.Errorf("wait for GitHub's redirect to %s: %w", base, ctx.Err())
	case r := <-results:
		return r.app, r.err
	}
}

// Convert exchanges the redirect's code for the App (POST /app-manifests/{code}/conversions,
// unauthenticated: the code is the credential).
func (f Flow) Convert(ctx context.Context, code string) (App, error) {
	u := strings.TrimRight(f.APIURL, "/") + "/app-manifests/" + url.PathEscape(code) + "/conversions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return App{}, fmt.Errorf("exchange the manifest code: %w", err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	hc := f.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return App{}, fmt.Errorf("exchange the manifest code: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return App{}, fmt.Errorf("exchange the manifest code: read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &e)
		return App{}, fmt.Errorf("exchange the manifest code: GitHub answered %d %s (a code is good for one hour and one exchange: create the App again)", resp.StatusCode, e.Message)
	}
	var app App
	if err := json.Unmarshal(body, &app); err != nil {
		return App{}, fmt.Errorf("exchange the manifest code: decode the App: %w", err)
	}
	if app.ID == 0 || app.PEM == "" {
		return App{}, errors.New("exchange the manifest code: GitHub's answer has no App id or private key")
	}
	return app, nil
}

// withRedirect returns the manifest with redirect_url set, every other field kept.
func withRedirect(manifest []byte, redirect string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, fmt.Errorf("read the App manifest: %w", err)
	}
	r, _ := json.Marshal(redirect)
	m["redirect_url"] = r
	return json.Marshal(m)
}

// randomHex returns n random bytes, hex-encoded.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// RandomSecret is a webhook secret: 32 random bytes, hex.
func RandomSecret() (string, error) { return randomHex(32) }

// pageTemplate posts the manifest to GitHub as soon as it loads; the button is there for a
// browser that blocks the script.
func pageTemplate() *template.Template {
	return template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Create the Discord ChatOps GitHub App</title></head>
<body>
<form id="create" action="{{.Action}}" method="post">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<p>Sending the App manifest to GitHub...</p>
<input type="submit" value="Create the GitHub App on GitHub">
</form>
<script>document.getElementById("create").submit()</script>
</body></html>
`))
}
