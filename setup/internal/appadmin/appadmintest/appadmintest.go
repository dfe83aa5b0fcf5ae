// Package appadmintest is a fake GitHub for setup, the wiring and doctor: shared's
// githubapptest (JWTs, installations, installation tokens) with the App-level endpoints they
// add in front of it: the manifest conversion, the webhook configuration and deliveries, the
// installations and their repositories, and repository contents.
package appadmintest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// Delivery is a recent webhook delivery as GET /app/hook/deliveries lists it.
type Delivery struct {
	Event      string
	StatusCode int
}

// Server is the fake.
type Server struct {
	// URL is the REST base (GITHUB_API_URL).
	URL string
	// GitHub is the underlying fake: its App id and key are the App's.
	GitHub *githubapptest.Server

	mu          sync.Mutex
	hook        map[string]any
	deliveries  []Delivery
	repos       []string          // owner/name the App is installed on
	files       map[string]string // "owner/repo:path" -> content
	permissions map[string]string // installation permissions; nil is the manifest's
	codes       map[string]bool   // manifest codes not yet exchanged
}

// Start starts the fake for the test.
func Start(t testing.TB) *Server {
	t.Helper()
	gh := githubapptest.New(githubapptest.Reporter(func(err error) { t.Errorf("githubapptest: %v", err) }))
	s := &Server{GitHub: gh, hook: map[string]any{"content_type": "json", "insecure_ssl": "0", "url": "https://example.com/replace-me"},
		files: map[string]string{}, codes: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /app-manifests/{code}/conversions", s.convert)
	mux.Handle("GET /app/hook/config", gh.RequireJWT(http.HandlerFunc(s.getHook)))
	mux.Handle("PATCH /app/hook/config", gh.RequireJWT(http.HandlerFunc(s.patchHook)))
	mux.Handle("GET /app/hook/deliveries", gh.RequireJWT(http.HandlerFunc(s.listDeliveries)))
	mux.Handle("GET /app/installations", gh.RequireJWT(http.HandlerFunc(s.listInstallations)))
	mux.Handle("GET /repos/{owner}/{repo}/installation", gh.RequireJWT(http.HandlerFunc(s.installation)))
	mux.Handle("GET /installation/repositories", gh.RequireInstallation(http.HandlerFunc(s.listRepos)))
	mux.Handle("GET /repos/{owner}/{repo}/contents/{path...}", gh.RequireInstallation(http.HandlerFunc(s.contents)))
	mux.Handle("/", gh.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	gh.URL = srv.URL
	return s
}

// AddRepository installs the App on owner/repo (the default installation).
func (s *Server) AddRepository(full string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos = append(s.repos, full)
}

// SetFile puts a file in a repository's default branch.
func (s *Server) SetFile(repo, path, content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[repo+":"+path] = content
}

// SetPermissions sets the permissions the installations grant; nil is the manifest's.
func (s *Server) SetPermissions(p map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.permissions = p
}

// AddDelivery records a delivery, newest first.
func (s *Server) AddDelivery(d Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries = append([]Delivery{d}, s.deliveries...)
}

// AddCode makes code a manifest code GitHub would exchange once.
func (s *Server) AddCode(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = true
}

// Hook returns the App's webhook configuration as last set, secret included.
func (s *Server) Hook() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for k, v := range s.hook {
		out[k] = v
	}
	return out
}

// SetHook replaces fields of the App's webhook configuration.
func (s *Server) SetHook(fields map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range fields {
		s.hook[k] = v
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
}

// convert answers the manifest conversion: the App's id, key and secret, once per code.
func (s *Server) convert(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ok := s.codes[r.PathValue("code")]
	delete(s.codes, r.PathValue("code"))
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": s.GitHub.AppID, "slug": "discord-chatops", "name": "Discord ChatOps", "html_url": "https://github.com/apps/discord-chatops",
		"owner": map[string]any{"login": "octo-org"}, "pem": string(s.GitHub.PrivateKeyPEM()), "webhook_secret": "secret-from-github",
		"client_id": "Iv1.x", "client_secret": "client-secret",
	})
}

func (s *Server) getHook(w http.ResponseWriter, _ *http.Request) {
	h := s.Hook()
	if secret, _ := h["secret"].(string); secret != "" {
		h["secret"] = "********" // GitHub masks the secret
	} else {
		delete(h, "secret")
	}
	writeJSON(w, http.StatusOK, h)
}

func (s *Server) patchHook(w http.ResponseWriter, r *http.Request) {
	var fields map[string]any
	if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	s.SetHook(fields)
	s.getHook(w, r)
}

func (s *Server) listDeliveries(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(s.deliveries))
	for i, d := range s.deliveries {
		status := "OK"
		if d.StatusCode >= 300 {
			status = "Invalid HTTP Response: " + http.StatusText(d.StatusCode)
		}
		out = append(out, map[string]any{"id": i + 1, "event": d.Event, "status_code": d.StatusCode, "status": status,
			"delivered_at": "2026-12-01T09:00:00Z", "guid": "0", "redelivery": false, "duration": 0.1})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) permissionsLocked() map[string]string {
	if s.permissions != nil {
		return s.permissions
	}
	return map[string]string{"actions": "write", "checks": "read", "contents": "read", "deployments": "read", "issues": "write", "metadata": "read", "pull_requests": "write"}
}

func (s *Server) listInstallations(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.repos) == 0 {
		writeJSON(w, http.StatusOK, []any{})
		return
	}
	writeJSON(w, http.StatusOK, []map[string]any{{"id": githubapptest.DefaultInstallationID, "app_id": s.GitHub.AppID,
		"account": map[string]any{"login": strings.Split(s.repos[0], "/")[0]}, "permissions": s.permissionsLocked()}})
}

func (s *Server) installation(w http.ResponseWriter, r *http.Request) {
	full := r.PathValue("owner") + "/" + r.PathValue("repo")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, repo := range s.repos {
		if strings.EqualFold(repo, full) {
			writeJSON(w, http.StatusOK, map[string]any{"id": githubapptest.DefaultInstallationID, "app_id": s.GitHub.AppID,
				"account": map[string]any{"login": r.PathValue("owner")}, "permissions": s.permissionsLocked()})
			return
		}
	}
	notFound(w)
}

func (s *Server) listRepos(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repos := make([]map[string]any, 0, len(s.repos))
	for i, full := range s.repos {
		repos = append(repos, map[string]any{"id": i + 1, "full_name": full, "name": strings.Split(full, "/")[1]})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(repos), "repositories": repos})
}

func (s *Server) contents(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("owner") + "/" + r.PathValue("repo") + ":" + r.PathValue("path")
	s.mu.Lock()
	content, ok := s.files[key]
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "file", "encoding": "base64", "path": r.PathValue("path"),
		"name":    r.PathValue("path")[strings.LastIndex(r.PathValue("path"), "/")+1:],
		"content": base64.StdEncoding.EncodeToString([]byte(content))})
}
