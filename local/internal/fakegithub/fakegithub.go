// Package fakegithub is a local GitHub REST API for the suite: it authenticates the GitHub App
// as GitHub does (an RS256 JWT, then installation tokens), records the workflow dispatches and
// assignments the interactions function makes, prints them, and answers as GitHub answers.
//
// Upstream references:
//   - App authentication: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app
//   - workflow_dispatch: https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event
//   - assignees: https://docs.github.com/en/rest/issues/assignees#add-assignees-to-an-issue
package fakegithub

import (
	"cmp"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"
)

// InstallationID is the id of the App's one installation, on every repository.
const InstallationID int64 = 7001

// Dispatch is a workflow_dispatch the App made.
type Dispatch struct {
	Repo     string // owner/repo
	Workflow string // file name or id
	Ref      string
	Inputs   map[string]string
	// ReturnRunDetails is set when the request asked for the run's id in the answer.
	ReturnRunDetails bool
	// RunID is the id of the run the dispatch started.
	RunID int64
}

// Assignment is an add-assignees call the App made.
type Assignment struct {
	Repo      string
	Number    int
	Assignees []string
}

// Server is the local GitHub.
type Server struct {
	// AppID is the App's id, the iss its JWTs must carry.
	AppID int64
	// Key checks the JWTs' signatures when set (the demo's generated App key); without it any
	// well-formed JWT from AppID is taken, as the user's real key is not known locally.
	Key *rsa.PublicKey
	// Out receives each recorded call, printed; nil prints nothing.
	Out io.Writer
	// Repo is the repository the App is installed on, with its history and deploy runs; the
	// reads of /deploy and /rollback are answered from it. Nil serves no repository.
	Repo *Repository
	// Now stamps the runs dispatches create.
	Now func() time.Time

	mu          sync.Mutex
	tokens      map[string]bool
	dispatches  []Dispatch
	assignments []Assignment
	unhandled   []string
	runSeq      int64
}

// Handler serves the REST API at the root (GITHUB_API_URL is the server's URL).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /repos/{owner}/{repo}/installation", s.requireJWT(s.installation))
	mux.Handle("GET /app/installations/{id}", s.requireJWT(s.installation))
	mux.Handle("POST /app/installations/{id}/access_tokens", s.requireJWT(s.accessToken))
	mux.Handle("POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches", s.requireToken(s.dispatch))
	mux.Handle("POST /repos/{owner}/{repo}/issues/{number}/assignees", s.requireToken(s.assign))
	mux.Handle("GET /repos/{owner}/{repo}", s.requireToken(s.getRepository))
	mux.Handle("GET /repos/{owner}/{repo}/commits/{ref...}", s.requireToken(s.getCommit))
	mux.Handle("GET /repos/{owner}/{repo}/compare/{basehead...}", s.requireToken(s.compare))
	mux.Handle("GET /repos/{owner}/{repo}/actions/workflows/{workflow}/runs", s.requireToken(s.listRuns))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.unhandled = append(s.unhandled, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		s.printf("── GitHub got a call the local GitHub does not serve: %s %s (404)\n", r.Method, r.URL.Path)
		writeError(w, http.StatusNotFound, "Not Found")
	})
	return mux
}

func (s *Server) requireJWT(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			writeError(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
			return
		}
		if err := s.checkJWT(raw); err != nil {
			s.printf("── GitHub refused the App's JWT: %v\n", err)
			writeError(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
			return
		}
		h(w, r)
	})
}

func (s *Server) checkJWT(raw string) error {
	var claims jwt.RegisteredClaims
	keyFunc := func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodRS256 {
			return nil, fmt.Errorf("signing method %v, want RS256", t.Header["alg"])
		}
		return s.Key, nil
	}
	if s.Key == nil {
		if _, _, err := jwt.NewParser().ParseUnverified(raw, &claims); err != nil {
			return fmt.Errorf("parse JWT: %w", err)
		}
		if err := claims.Valid(); err != nil {
			return fmt.Errorf("JWT claims: %w", err)
		}
	} else if _, err := jwt.ParseWithClaims(raw, &claims, keyFunc); err != nil {
		return fmt.Errorf("verify JWT: %w", err)
	}
	switch {
	case claims.Issuer != strconv.FormatInt(s.AppID, 10):
		return fmt.Errorf("iss %q, want the App id %d", claims.Issuer, s.AppID)
	case claims.IssuedAt == nil || claims.ExpiresAt == nil:
		return fmt.Errorf("no iat or exp")
	case claims.ExpiresAt.Sub(claims.IssuedAt.Time) > 10*time.Minute:
		return fmt.Errorf("lives %s, GitHub allows 10 minutes", claims.ExpiresAt.Sub(claims.IssuedAt.Time))
	}
	return nil
}

func (s *Server) requireToken(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "token ")
		if !ok {
			token, ok = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		s.mu.Lock()
		known := ok && s.tokens[token]
		s.mu.Unlock()
		if !known {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		h(w, r)
	})
}

func (s *Server) installation(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": InstallationID, "app_id": s.AppID, "target_type": "Organization",
		"account":     map[string]any{"login": r.PathValue("owner")},
		"permissions": map[string]string{"actions": "write", "issues": "write", "pull_requests": "write", "metadata": "read"},
	})
}

func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != strconv.FormatInt(InstallationID, 10) {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := "ghs_local" + hex.EncodeToString(b[:])
	s.mu.Lock()
	if s.tokens == nil {
		s.tokens = map[string]bool{}
	}
	s.tokens[token] = true
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{
		"token": token, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"permissions": map[string]string{"actions": "write", "issues": "write"}, "repository_selection": "all",
	})
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ref              string            `json:"ref"`
		Inputs           map[string]string `json:"inputs"`
		ReturnRunDetails bool              `json:"return_run_details"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Ref == "" {
		writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"ref\" wasn't supplied.")
		return
	}
	if len(in.Inputs) > 25 {
		writeError(w, http.StatusUnprocessableEntity, "you may only define up to 25 inputs")
		return
	}
	repo := r.PathValue("owner") + "/" + r.PathValue("repo")
	s.mu.Lock()
	s.runSeq++
	d := Dispatch{Repo: repo, Workflow: r.PathValue("workflow"), Ref: in.Ref, Inputs: in.Inputs,
		ReturnRunDetails: in.ReturnRunDetails, RunID: 9000000000 + s.runSeq}
	s.dispatches = append(s.dispatches, d)
	if s.Repo != nil && strings.EqualFold(repo, s.Repo.FullName) && d.Workflow == s.Repo.Workflow {
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		// The run-name of the example workflow (shared/deployrun.RunNameTemplate); like GitHub,
		// the run's head is the tip of its ref, whatever commit a rollback asks for.
		title := fmt.Sprintf("Deploy %s by %s [%s]", in.Inputs["environment"], cmp.Or(in.Inputs["requested_by"], "github-actions"),
			cmp.Or(in.Inputs["correlation_id"], "manual"))
		if sha := in.Inputs["sha"]; sha != "" {
			title += " @" + sha
		}
		s.Repo.Runs = append([]Run{{ID: d.RunID, DisplayTitle: title, HeadBranch: in.Ref, HeadSHA: s.Repo.resolve(in.Ref),
			Event: "workflow_dispatch", Status: "queued", CreatedAt: now()}}, s.Repo.Runs...)
	}
	s.mu.Unlock()
	inputs, _ := json.Marshal(in.Inputs)
	s.printf("── GitHub: workflow_dispatch of %s on %s at %s, inputs %s (run %d)\n", d.Workflow, repo, d.Ref, inputs, d.RunID)
	if !in.ReturnRunDetails {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"workflow_run_id": d.RunID,
		"run_url":         fmt.Sprintf("https://api.github.com/repos/%s/actions/runs/%d", repo, d.RunID),
		"html_url":        fmt.Sprintf("https://github.com/%s/actions/runs/%d", repo, d.RunID),
	})
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request) {
	number, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	var in struct {
		Assignees []string `json:"assignees"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	repo := r.PathValue("owner") + "/" + r.PathValue("repo")
	s.mu.Lock()
	s.assignments = append(s.assignments, Assignment{Repo: repo, Number: number, Assignees: in.Assignees})
	s.mu.Unlock()
	s.printf("── GitHub: assigned %s to %s#%d\n", strings.Join(in.Assignees, ", "), repo, number)
	assignees := make([]map[string]any, len(in.Assignees))
	for i, a := range in.Assignees {
		assignees[i] = map[string]any{"login": a, "id": 100 + i, "type": "User"}
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"number": number, "title": fmt.Sprintf("Issue %d", number), "state": "open",
		"html_url":  fmt.Sprintf("https://github.com/%s/issues/%d", repo, number),
		"assignees": assignees,
	})
}

// Dispatches returns the workflow dispatches so far, oldest first.
func (s *Server) Dispatches() []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Dispatch(nil), s.dispatches...)
}

// Assignments returns the add-assignees calls so far, oldest first.
func (s *Server) Assignments() []Assignment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Assignment(nil), s.assignments...)
}

// Unhandled returns the calls the server does not serve, as "METHOD /path".
func (s *Server) Unhandled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unhandled...)
}

func (s *Server) printf(format string, args ...any) {
	if s.Out != nil {
		fmt.Fprintf(s.Out, format, args...)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message, "documentation_url": "https://docs.github.com/rest"})
}
