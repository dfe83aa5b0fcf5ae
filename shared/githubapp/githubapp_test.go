package githubapp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

func newApp(t *testing.T, srv *githubapptest.Server) *githubapp.App {
	t.Helper()
	app, err := githubapp.New(githubapp.Options{AppID: srv.AppID, PrivateKeyPEM: srv.PrivateKeyPEM(), BaseURL: srv.URL})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return app
}

// serveIssue registers GET /repos/{owner}/{repo}/issues/{number}, answerable only with an
// installation token of the repository's installation.
func serveIssue(srv *githubapptest.Server) {
	srv.Handle("GET /repos/{owner}/{repo}/issues/{number}", srv.RequireInstallation(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"number": json.Number(r.PathValue("number")), "title": "from " + r.PathValue("repo")})
	})))
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	srv := githubapptest.NewServer(t)
	good := srv.PrivateKeyPEM()
	block, _ := pem.Decode(good)
	rsaKey, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	keyBody := strings.Split(string(good), "\n")[3] // a line of the key's base64, to find leaks

	tests := []struct {
		name    string
		opts    githubapp.Options
		wantErr bool
	}{
		{name: "PKCS #1 key", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: good}},
		{name: "PKCS #8 key", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})}},
		{name: "Enterprise base", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: good, BaseURL: "https://ghe.example.com/api/v3"}},
		{name: "zero app id", opts: githubapp.Options{PrivateKeyPEM: good}, wantErr: true},
		{name: "no key", opts: githubapp.Options{AppID: 1}, wantErr: true},
		{name: "not PEM", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: []byte("not a key")}, wantErr: true},
		{name: "truncated PEM", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: good[:len(good)/2]}, wantErr: true},
		{name: "corrupt DER", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: block.Bytes[:100]})}, wantErr: true},
		{name: "EC key", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})}, wantErr: true},
		{name: "relative base URL", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: good, BaseURL: "/api/v3"}, wantErr: true},
		{name: "unparsable base URL", opts: githubapp.Options{AppID: 1, PrivateKeyPEM: good, BaseURL: "http://[::1"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, err := githubapp.New(tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if app != nil {
					t.Error("New returned an App with an error")
				}
				if strings.Contains(err.Error(), keyBody) {
					t.Errorf("error %q contains key material", err)
				}
			}
		})
	}
}

func TestAppAgainstFakeGitHub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   []githubapptest.Option
		prefix string
	}{
		{name: "github.com", prefix: ""},
		{name: "Enterprise Server", opts: []githubapptest.Option{githubapptest.Enterprise()}, prefix: "/api/v3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := githubapptest.NewServer(t, tt.opts...)
			if !strings.HasSuffix(srv.URL, tt.prefix) {
				t.Fatalf("server URL %s does not end in %q", srv.URL, tt.prefix)
			}
			srv.SetInstallation("octo-org", "other", 2002)
			serveIssue(srv)
			app := newApp(t, srv)

			// The installation is looked up once with the App JWT (the fake fails the test on a
			// bad one), then served from the cache whatever the case of the name.
			for _, name := range []string{"Hello-World", "hello-world", "HELLO-WORLD"} {
				id, err := app.Installation(ctx, "octo-org", name)
				if err != nil {
					t.Fatalf("Installation(%s): %v", name, err)
				}
				if id != githubapptest.DefaultInstallationID {
					t.Errorf("Installation(%s) = %d, want %d", name, id, githubapptest.DefaultInstallationID)
				}
			}

			c1, err := app.RepoClient(ctx, "octo-org", "hello-world")
			if err != nil {
				t.Fatalf("RepoClient: %v", err)
			}
			for range 2 {
				issue, _, err := c1.Issues.Get(ctx, "octo-org", "hello-world", 7)
				if err != nil {
					t.Fatalf("Issues.Get as installation: %v", err)
				}
				if issue.GetNumber() != 7 || issue.GetTitle() != "from hello-world" {
					t.Errorf("Issues.Get = %d %q", issue.GetNumber(), issue.GetTitle())
				}
			}
			// Another repository of the same installation shares the client, and so its token.
			c1b, err := app.RepoClient(ctx, "octo-org", "second-repo")
			if err != nil {
				t.Fatalf("RepoClient(second-repo): %v", err)
			}
			if c1b != c1 {
				t.Error("RepoClient returned a new client for a repository of the same installation")
			}
			if _, _, err := c1b.Issues.Get(ctx, "octo-org", "second-repo", 1); err != nil {
				t.Fatalf("Issues.Get(second-repo): %v", err)
			}

			// A repository of another installation gets its own client and token; the first
			// installation's token is refused there.
			c2, err := app.RepoClient(ctx, "octo-org", "other")
			if err != nil {
				t.Fatalf("RepoClient(other): %v", err)
			}
			if c2 == c1 {
				t.Error("RepoClient shared a client across installations")
			}
			if _, _, err := c2.Issues.Get(ctx, "octo-org", "other", 3); err != nil {
				t.Fatalf("Issues.Get(other): %v", err)
			}
			_, resp, err := c1.Issues.Get(ctx, "octo-org", "other", 3)
			if err == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("Issues.Get(other) with the first installation's token: %v, want 401", err)
			}

			var tokenInstallations []int64
			for _, tok := range srv.Tokens() {
				tokenInstallations = append(tokenInstallations, tok.InstallationID)
			}
			if diff := cmp.Diff([]int64{githubapptest.DefaultInstallationID, 2002}, tokenInstallations); diff != "" {
				t.Errorf("issued tokens mismatch (-want +got):\n%s", diff)
			}

			wantCounts := map[string]int{
				"GET " + tt.prefix + "/repos/octo-org/Hello-World/installation": 1,
				"GET " + tt.prefix + "/repos/octo-org/hello-world/installation": 0,
				"GET " + tt.prefix + "/repos/octo-org/second-repo/installation": 1,
				"GET " + tt.prefix + "/repos/octo-org/other/installation":       1,
				"POST " + tt.prefix + "/app/installations/1001/access_tokens":   1,
				"POST " + tt.prefix + "/app/installations/2002/access_tokens":   1,
				"GET " + tt.prefix + "/repos/octo-org/hello-world/issues/7":     2,
				"GET " + tt.prefix + "/repos/octo-org/other/issues/3":           2,
			}
			gotCounts := map[string]int{}
			for req := range wantCounts {
				gotCounts[req] = srv.Count(req)
			}
			if diff := cmp.Diff(wantCounts, gotCounts); diff != "" {
				t.Errorf("request counts mismatch (-want +got):\n%s\nall requests: %q", diff, srv.Requests())
			}
		})
	}
}

func TestAppClientUsesJWT(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := githubapptest.NewServer(t, githubapptest.Enterprise())
	srv.Handle("GET /app", srv.RequireJWT(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": srv.AppID, "slug": "chatops"})
	})))
	serveIssue(srv)
	app := newApp(t, srv)

	got, _, err := app.AppClient().Apps.Get(ctx, "")
	if err != nil {
		t.Fatalf("Apps.Get: %v", err)
	}
	if got.GetID() != srv.AppID || got.GetSlug() != "chatops" {
		t.Errorf("Apps.Get = %d %q", got.GetID(), got.GetSlug())
	}
	// The JWT is no installation token: repository endpoints refuse it.
	_, resp, err := app.AppClient().Issues.Get(ctx, "octo-org", "hello-world", 1)
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Issues.Get with the App JWT: %v, want 401", err)
	}
}

func TestNotInstalled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := githubapptest.NewServer(t)
	srv.Uninstall("octo-org", "gone")
	app := newApp(t, srv)

	if _, err := app.Installation(ctx, "octo-org", "gone"); !errors.Is(err, githubapp.ErrNotInstalled) {
		t.Fatalf("Installation error = %v, want ErrNotInstalled", err)
	}
	if _, err := app.RepoClient(ctx, "octo-org", "gone"); !errors.Is(err, githubapp.ErrNotInstalled) {
		t.Fatalf("RepoClient error = %v, want ErrNotInstalled", err)
	}
	// The miss is not cached: once installed, the repository is found.
	srv.SetInstallation("octo-org", "gone", 3003)
	id, err := app.Installation(ctx, "octo-org", "gone")
	if err != nil || id != 3003 {
		t.Fatalf("Installation after install = %d, %v; want 3003", id, err)
	}
	if n := srv.Count("GET /repos/octo-org/gone/installation"); n != 3 {
		t.Errorf("installation lookups = %d, want 3", n)
	}
}

func TestOtherErrorsAreNotNotInstalled(t *testing.T) {
	t.Parallel()
	key := githubapptest.NewServer(t).PrivateKeyPEM()
	var mu sync.Mutex
	var urls []string
	broken := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		urls = append(urls, r.URL.String())
		mu.Unlock()
		return &http.Response{StatusCode: http.StatusInternalServerError, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})}
	app, err := githubapp.New(githubapp.Options{AppID: 1, PrivateKeyPEM: key, BaseURL: "https://ghe.example.com/api/v3/", HTTPClient: broken})
	if err != nil {
		t.Fatal(err)
	}
	_, err = app.Installation(context.Background(), "octo-org", "hello-world")
	var ghErr *github.ErrorResponse
	if errors.Is(err, githubapp.ErrNotInstalled) || !errors.As(err, &ghErr) {
		t.Errorf("Installation on a 500 = %v, want a *github.ErrorResponse that is not ErrNotInstalled", err)
	}
	// The caller's HTTP client carried the request, to the Enterprise path.
	if diff := cmp.Diff([]string{"https://ghe.example.com/api/v3/repos/octo-org/hello-world/installation"}, urls); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRepoClientConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := githubapptest.NewServer(t)
	srv.SetInstallation("octo-org", "other", 2002)
	serveIssue(srv)
	app := newApp(t, srv)

	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		repo := []string{"hello-world", "other"}[i%2]
		wg.Go(func() {
			c, err := app.RepoClient(ctx, "octo-org", repo)
			if err == nil {
				_, _, err = c.Issues.Get(ctx, "octo-org", repo, i)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Each installation's token is fetched once however many goroutines ask for it.
	if n := len(srv.Tokens()); n != 2 {
		t.Errorf("tokens issued = %d, want 2", n)
	}
}
