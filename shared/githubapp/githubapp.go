package githubapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	jwt "github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v66/github"
)

// DefaultBaseURL is the REST base of github.com, used when Options.BaseURL is empty.
const DefaultBaseURL = "https://api.github.com"

// DefaultTimeout bounds each HTTP request when Options.HTTPClient is nil.
const DefaultTimeout = 30 * time.Second

// ErrNotInstalled is wrapped by the error Installation and RepoClient return when the App is
// not installed on the repository (or the repository does not exist: GitHub answers 404 to
// both).
var ErrNotInstalled = errors.New("GitHub App not installed on repository")

// Options configures an App.
type Options struct {
	// AppID is the GitHub App's numeric id, the JWT issuer.
	AppID int64
	// PrivateKeyPEM is the App's private key as GitHub hands it out (PEM, PKCS #1 or PKCS #8).
	PrivateKeyPEM []byte
	// BaseURL is the REST API base (GITHUB_API_URL): "" means DefaultBaseURL; GitHub Enterprise
	// Server is https://HOST/api/v3. Any other URL, such as a test server's, is used as the base
	// as it is.
	BaseURL string
	// HTTPClient is copied for every client the App builds, with its Transport wrapped to add
	// the App's credentials. Nil means a client with DefaultTimeout and http.DefaultTransport.
	HTTPClient *http.Client
}

// App is a GitHub App: it looks up installations with its JWT and calls the API as an
// installation. It is safe for concurrent use.
type App struct {
	appClient *github.Client
	// newApps returns a JWT-signing transport. Each installation gets its own, because
	// ghinstallation's Transport writes to its AppsTransport on every token refresh.
	newApps   func() *ghinstallation.AppsTransport
	newClient func(http.RoundTripper) *github.Client

	mu            sync.Mutex
	installations map[string]int64         // by lower-case "owner/repo"
	clients       map[int64]*github.Client // by installation id
}

// New returns an App. It parses the private key and the base URL and makes no request.
func New(o Options) (*App, error) {
	if o.AppID <= 0 {
		return nil, fmt.Errorf("configure GitHub App: app id %d is not positive", o.AppID)
	}
	// Parsed here rather than by ghinstallation.NewAppsTransport, whose error cannot be unwrapped.
	key, err := jwt.ParseRSAPrivateKeyFromPEM(o.PrivateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("parse GitHub App private key: %w", err)
	}
	base := o.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	newClient, err := clientFactory(base, o.HTTPClient)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		tr = o.HTTPClient.Transport
	}
	newApps := func() *ghinstallation.AppsTransport {
		apps := ghinstallation.NewAppsTransportFromPrivateKey(tr, o.AppID, key)
		// ghinstallation appends /app/installations/{id}/access_tokens to this base.
		apps.BaseURL = strings.TrimRight(base, "/")
		return apps
	}
	return &App{
		appClient:     newClient(newApps()),
		newApps:       newApps,
		newClient:     newClient,
		installations: make(map[string]int64),
		clients:       make(map[int64]*github.Client),
	}, nil
}

// clientFactory returns a function that builds go-github clients aimed at base, each with its
// own copy of httpClient carrying the given transport.
func clientFactory(base string, httpClient *http.Client) (func(http.RoundTripper) *github.Client, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("parse GitHub API base URL %q: not an absolute URL", base)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	// go-github wants a trailing slash. The upload URL is unused by this suite but kept right:
	// uploads.github.com for github.com, /api/uploads/ on GitHub Enterprise Server, and the base
	// itself for a stand-in server.
	var upload *url.URL
	switch {
	case strings.HasSuffix(u.Path, "/api/v3/"):
		upload = u.JoinPath()
		upload.Path = strings.TrimSuffix(u.Path, "v3/") + "uploads/"
	case strings.TrimRight(base, "/") == DefaultBaseURL:
		upload, _ = url.Parse("https://uploads.github.com/")
	default:
		upload = u
	}
	return func(tr http.RoundTripper) *github.Client {
		hc := &http.Client{Timeout: DefaultTimeout}
		if httpClient != nil {
			c := *httpClient
			hc = &c
		}
		hc.Transport = tr
		c := github.NewClient(hc)
		b, up := *u, *upload
		c.BaseURL, c.UploadURL = &b, &up
		return c
	}, nil
}

// AppClient returns the client that authenticates as the App itself with a fresh JWT on every
// request, for app-level endpoints (/app, /app/installations...). Repository endpoints need
// RepoClient.
func (a *App) AppClient() *github.Client { return a.appClient }

// Installation returns the id of the App's installation on owner/repo, asking GitHub once per
// repository and process (installation ids do not change while the App stays installed). A 404
// yields an error wrapping ErrNotInstalled; failures are not cached.
func (a *App) Installation(ctx context.Context, owner, repo string) (int64, error) {
	k := strings.ToLower(owner + "/" + repo)
	a.mu.Lock()
	id, ok := a.installations[k]
	a.mu.Unlock()
	if ok {
		return id, nil
	}

	inst, resp, err := a.appClient.Apps.FindRepositoryInstallation(ctx, owner, repo)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return 0, fmt.Errorf("find installation of %s/%s: %w", owner, repo, ErrNotInstalled)
		}
		return 0, fmt.Errorf("find installation of %s/%s: %w", owner, repo, err)
	}
	id = inst.GetID()
	if id == 0 {
		return 0, fmt.Errorf("find installation of %s/%s: response has no id", owner, repo)
	}
	a.mu.Lock()
	a.installations[k] = id
	a.mu.Unlock()
	return id, nil
}

// RepoClient returns a client that calls the API as the App's installation on owner/repo. There
// is one client per installation, shared by its repositories; its transport fetches the
// installation token on first use and refreshes it shortly before its hour runs out.
func (a *App) RepoClient(ctx context.Context, owner, repo string) (*github.Client, error) {
	id, err := a.Installation(ctx, owner, repo)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.clients[id]; ok {
		return c, nil
	}
	c := a.newClient(ghinstallation.NewFromAppsTransport(a.newApps(), id))
	a.clients[id] = c
	return c, nil
}
