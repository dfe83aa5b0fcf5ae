package githubapptest

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
)

//go:embed testdata/app-private-key.pem
var privateKeyPEM []byte

// AppID is the id of the fake's GitHub App.
const AppID int64 = 424242

// DefaultInstallationID is the installation that every repository belongs to unless a test
// says otherwise with SetInstallation or Uninstall.
const DefaultInstallationID int64 = 1001

// maxJWTLifetime is the longest exp - iat GitHub accepts.
const maxJWTLifetime = 10 * time.Minute

// Server is a fake GitHub REST API for one GitHub App.
type Server struct {
	// URL is the REST base to hand to githubapp.Options.BaseURL (GITHUB_API_URL), without a
	// trailing slash: the httptest server's root, or its /api/v3 under Enterprise. NewServer
	// sets it; a Server from New serves wherever its Handler is mounted.
	URL string
	// AppID is the App's id, the iss the fake expects in JWTs.
	AppID int64
	// Mux routes requests below URL. Tests register the endpoints they exercise on it with
	// patterns relative to URL, such as "POST /repos/{owner}/{repo}/issues/{number}/assignees".
	Mux *http.ServeMux

	cfg    config
	key    *rsa.PrivateKey
	verify *rsa.PublicKey // nil accepts any signature (AnyKey)

	mu            sync.Mutex
	installations map[string]int64 // by lower-case "owner/repo"; 0 means not installed
	tokens        []Token
	requests      []string
	repos         map[string]*Repository // by lower-case "owner/repo"
	dispatches    []Dispatch
	assignments   []Assignment
	hooks         hooks
}

// Token is an installation access token the fake issued.
type Token struct {
	// Token is the value sent as "Authorization: token <Token>".
	Token string
	// InstallationID is the installation the token was issued for.
	InstallationID int64
}

// Option changes how New and NewServer set the fake up.
type Option func(*config)

type config struct {
	prefix string
	appID  int64
	key    *rsa.PublicKey
	anyKey bool
	report func(error)
}

// Enterprise serves the API under /api/v3 as GitHub Enterprise Server does; URL then ends in
// /api/v3, and a request outside it fails the test.
func Enterprise() Option {
	return func(c *config) { c.prefix = "/api/v3" }
}

// App makes the fake an App other than the test App: JWTs must carry iss appID and be signed
// with key. For the local suite, which runs with a generated key or with a member's own App.
func App(appID int64, key *rsa.PublicKey) Option {
	return func(c *config) { c.appID, c.key = appID, key }
}

// AnyKey accepts JWTs whatever key signed them, checking their claims only: for the local
// suite run with a member's own App, whose private key it does not know. Never in a test.
func AnyKey() Option {
	return func(c *config) { c.anyKey = true }
}

// Reporter sends what would fail a test (a JWT GitHub refuses, a path outside the API base) to
// report. NewServer reports with the test's Errorf; New without Reporter drops them.
func Reporter(report func(error)) Option {
	return func(c *config) { c.report = report }
}

// NewServer starts a fake GitHub that is closed when the test ends; what GitHub would refuse
// from the App fails the test.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	report := Reporter(func(err error) { tb.Errorf("githubapptest: %v", err) })
	s := New(append([]Option{report}, opts...)...)
	srv := httptest.NewServer(s.Handler())
	tb.Cleanup(srv.Close)
	s.URL = srv.URL + s.cfg.prefix
	return s
}

// New returns a fake GitHub that is not serving yet: mount Handler where GITHUB_API_URL points
// (the local suite does). Tests use NewServer.
func New(opts ...Option) *Server {
	cfg := config{appID: AppID, report: func(error) {}}
	for _, o := range opts {
		o(&cfg)
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(privateKeyPEM)
	if err != nil {
		// The key is embedded in the package: it cannot fail to parse unless the file changed.
		panic(fmt.Sprintf("githubapptest: parse the embedded test key: %v", err))
	}
	s := &Server{
		AppID:         cfg.appID,
		Mux:           http.NewServeMux(),
		cfg:           cfg,
		key:           key,
		verify:        &key.PublicKey,
		installations: make(map[string]int64),
		repos:         make(map[string]*Repository),
	}
	switch {
	case cfg.anyKey:
		s.verify = nil
	case cfg.key != nil:
		s.verify = cfg.key
	}
	s.Mux.Handle("GET /repos/{owner}/{repo}/installation", s.RequireJWT(http.HandlerFunc(s.serveInstallation)))
	s.Mux.Handle("GET /app/installations/{id}", s.RequireJWT(http.HandlerFunc(s.serveInstallationByID)))
	s.Mux.Handle("POST /app/installations/{id}/access_tokens", s.RequireJWT(http.HandlerFunc(s.serveAccessToken)))
	return s
}

// Handler serves the API at the root of the server it is mounted on (below /api/v3 under
// Enterprise), and records every request for Requests.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		path, ok := strings.CutPrefix(r.URL.Path, s.cfg.prefix)
		if !ok || !strings.HasPrefix(path, "/") {
			s.cfg.report(fmt.Errorf("%s %s is outside the API base %s", r.Method, r.URL.Path, s.cfg.prefix))
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = path
		r2.URL.RawPath = ""
		s.Mux.ServeHTTP(w, r2)
	})
}

// PrivateKeyPEM returns the test App's private key, PEM-encoded, for githubapp.Options.
func (s *Server) PrivateKeyPEM() []byte {
	return append([]byte(nil), privateKeyPEM...)
}

// Handle registers handler for pattern on Mux.
func (s *Server) Handle(pattern string, handler http.Handler) { s.Mux.Handle(pattern, handler) }

// SetInstallation makes the App's installation on owner/repo the one with the given id.
func (s *Server) SetInstallation(owner, repo string, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.installations[repoKey(owner, repo)] = id
}

// Uninstall makes owner/repo one the App is not installed on: its installation lookup answers
// 404, and RequireInstallation refuses every token on it.
func (s *Server) Uninstall(owner, repo string) { s.SetInstallation(owner, repo, 0) }

// InstallationID returns the id of the App's installation on owner/repo, 0 when not installed.
func (s *Server) InstallationID(owner, repo string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.installationLocked(owner, repo)
}

func (s *Server) installationLocked(owner, repo string) int64 {
	if id, ok := s.installations[repoKey(owner, repo)]; ok {
		return id
	}
	return DefaultInstallationID
}

// Tokens returns the installation tokens issued so far, oldest first.
func (s *Server) Tokens() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Token(nil), s.tokens...)
}

// Requests returns every request received so far as "METHOD /path" (the full path, /api/v3
// included under Enterprise), oldest first.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Count returns how many requests so far were "METHOD /path" exactly.
func (s *Server) Count(request string) int {
	n := 0
	for _, r := range s.Requests() {
		if r == request {
			n++
		}
	}
	return n
}

// RequireJWT wraps h so that it runs only for requests carrying a valid App JWT
// ("Authorization: Bearer <jwt>"). Any other request fails the test and gets 401.
func (s *Server) RequireJWT(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.checkJWT(r.Header.Get("Authorization")); err != nil {
			s.cfg.report(fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err))
			writeError(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// RequireInstallation wraps h so that it runs only for requests carrying an installation token
// the fake issued ("Authorization: token <token>"); when the pattern names {owner} and {repo},
// the token must belong to that repository's installation. Other requests get 401 "Bad
// credentials", as from GitHub, without failing the test, so tests can exercise that path too.
func (s *Server) RequireInstallation(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "token ")
		if !ok {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		s.mu.Lock()
		var tokenInst int64
		for _, t := range s.tokens {
			if t.Token == token {
				tokenInst = t.InstallationID
			}
		}
		want := tokenInst
		if owner, repo := r.PathValue("owner"), r.PathValue("repo"); owner != "" && repo != "" {
			want = s.installationLocked(owner, repo)
		}
		s.mu.Unlock()
		if tokenInst == 0 || tokenInst != want {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// SignWebhook returns the X-Hub-Signature-256 value GitHub would send for body signed with
// secret.
func SignWebhook(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// checkJWT checks an Authorization header as GitHub checks App JWTs.
func (s *Server) checkJWT(authorization string) error {
	raw, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok {
		return fmt.Errorf("no App JWT: Authorization is %q", redact(authorization))
	}
	var claims jwt.RegisteredClaims
	if s.verify == nil {
		if _, _, err := jwt.NewParser().ParseUnverified(raw, &claims); err != nil {
			return fmt.Errorf("parse app JWT: %w", err)
		}
		if err := claims.Valid(); err != nil {
			return fmt.Errorf("app JWT claims: %w", err)
		}
	} else {
		_, err := jwt.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
			if t.Method != jwt.SigningMethodRS256 {
				return nil, fmt.Errorf("signing method %v, want RS256", t.Header["alg"])
			}
			return s.verify, nil
		})
		if err != nil {
			return fmt.Errorf("verify app JWT: %w", err)
		}
	}
	switch {
	case claims.Issuer != strconv.FormatInt(s.AppID, 10):
		return fmt.Errorf("app JWT iss = %q, want %d", claims.Issuer, s.AppID)
	case claims.IssuedAt == nil || claims.ExpiresAt == nil:
		return errors.New("app JWT lacks iat or exp")
	case claims.ExpiresAt.Sub(claims.IssuedAt.Time) > maxJWTLifetime:
		return fmt.Errorf("app JWT lives %s, more than %s", claims.ExpiresAt.Sub(claims.IssuedAt.Time), maxJWTLifetime)
	}
	// jwt.ParseWithClaims has already refused an exp in the past and an iat in the future.
	return nil
}

func (s *Server) serveInstallation(w http.ResponseWriter, r *http.Request) {
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	id := s.InstallationID(owner, repo)
	if id == 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, s.installation(id, owner))
}

// serveInstallationByID answers GET /app/installations/{id}; the fake knows an installation's
// account only through a repository, so it names none.
func (s *Server) serveInstallationByID(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, s.installation(id, ""))
}

// installation is GitHub's installation object, with the permissions the suite's App asks for.
//
// See https://docs.github.com/en/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app
func (s *Server) installation(id int64, owner string) map[string]any {
	return map[string]any{
		"id":          id,
		"app_id":      s.AppID,
		"target_type": "Organization",
		"account":     map[string]any{"login": owner},
		"permissions": appPermissions(),
	}
}

func (s *Server) serveAccessToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	s.mu.Lock()
	token := fmt.Sprintf("ghs_test%d_%d", id, len(s.tokens)+1)
	s.tokens = append(s.tokens, Token{Token: token, InstallationID: id})
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{
		"token":                token,
		"expires_at":           time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"permissions":          appPermissions(),
		"repository_selection": "all",
	})
}

// appPermissions are the permissions of the suite's App (github-app-manifest.json).
func appPermissions() map[string]string {
	return map[string]string{"actions": "write", "checks": "read", "contents": "read", "deployments": "read", "issues": "write", "metadata": "read", "pull_requests": "write"}
}

func repoKey(owner, repo string) string { return strings.ToLower(owner + "/" + repo) }

// redact keeps the scheme of an Authorization header and drops the credential.
func redact(authorization string) string {
	scheme, _, _ := strings.Cut(authorization, " ")
	return scheme + " ..."
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers as GitHub does, with a message and a documentation link.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{
		"message":           message,
		"documentation_url": "https://docs.github.com/rest",
	})
}
