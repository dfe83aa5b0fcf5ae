// Package fakegithub is the local suite's GitHub: githubapptest's fake GitHub App API (App
// authentication, the repository, Actions, deployments, assignees) serving the demo repository,
// with what the local suite adds: each call the interactions function makes is printed as it
// happens, and calls the fake does not serve are kept and printed.
//
// Upstream references:
//   - App authentication: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app
//   - workflow_dispatch: https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event
//   - assignees: https://docs.github.com/en/rest/issues/assignees#add-assignees-to-an-issue
package fakegithub

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// Options configures the local GitHub.
type Options struct {
	// AppID is the App's id, the iss its JWTs must carry.
	AppID int64
	// Key checks the JWTs' signatures (the demo's generated App key); nil takes any well-formed
	// JWT from AppID, as the member's real key is not known locally.
	Key *rsa.PublicKey
	// Out receives each call, printed; nil prints nothing.
	Out io.Writer
	// Repo is the repository the App is installed on, with its history and deploy runs
	// (DemoRepository). Every other repository is unknown: GitHub answers 404 for it.
	Repo githubapptest.Repository
	// Issues is how many issues and pull requests Repo has: #1 to #Issues exist, any other
	// number is answered 404, as GitHub answers it.
	Issues int
}

// Server is the local GitHub.
type Server struct {
	*githubapptest.Server

	out      io.Writer
	repoName string // owner/name of Options.Repo
	issues   int

	mu        sync.Mutex
	unhandled []string
}

// New returns the local GitHub; serve its Handler at GITHUB_API_URL.
func New(o Options) *Server {
	s := &Server{out: o.Out, repoName: o.Repo.FullName(), issues: o.Issues}
	opts := []githubapptest.Option{
		githubapptest.App(o.AppID, o.Key),
		githubapptest.Reporter(func(err error) { s.printf("── GitHub refused a call: %v\n", err) }),
	}
	if o.Key == nil {
		opts = append(opts, githubapptest.AnyKey())
	}
	s.Server = githubapptest.New(opts...)
	s.AddRepository(o.Repo)
	s.OnDispatch(func(d githubapptest.Dispatch, _ githubapptest.Run) {
		inputs, _ := json.Marshal(d.Inputs)
		s.printf("── GitHub: workflow_dispatch of %s on %s at %s, inputs %s (run %d)\n", d.Workflow, d.Repo, d.Ref, inputs, d.RunID)
	})
	s.OnAssign(func(a githubapptest.Assignment) {
		s.printf("── GitHub: assigned %s to %s#%d\n", strings.Join(a.Assignees, ", "), a.Repo, a.Number)
	})
	s.Mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.unhandled = append(s.unhandled, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		s.printf("── GitHub got a call the local GitHub does not serve: %s %s (404)\n", r.Method, r.URL.Path)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, notFoundBody)
	})
	return s
}

// Handler serves the local GitHub. A repository other than Options.Repo, and an issue or pull
// request number past Options.Issues, are answered 404 with GitHub's error body, as GitHub
// answers a repository the App is not installed on (or that does not exist) and an issue that
// does not exist, before the fake sees the call.
func (s *Server) Handler() http.Handler {
	inner := s.Server.Handler()
	mux := http.NewServeMux()
	mux.Handle("/", inner)
	repo := func(w http.ResponseWriter, r *http.Request) {
		if s.known(w, r) {
			inner.ServeHTTP(w, r)
		}
	}
	// Both: the subtree pattern alone would redirect /repos/o/r to /repos/o/r/.
	mux.HandleFunc("/repos/{owner}/{repo}", repo)
	mux.HandleFunc("/repos/{owner}/{repo}/", repo)
	issue := func(w http.ResponseWriter, r *http.Request) {
		if !s.known(w, r) {
			return
		}
		if n, err := strconv.Atoi(r.PathValue("number")); err != nil || n < 1 || n > s.issues {
			s.notFound(w, r, "no issue or pull request #"+r.PathValue("number")+" in "+s.repoName)
			return
		}
		inner.ServeHTTP(w, r)
	}
	for _, kind := range []string{"issues", "pulls"} {
		mux.HandleFunc("/repos/{owner}/{repo}/"+kind+"/{number}", issue)
		mux.HandleFunc("/repos/{owner}/{repo}/"+kind+"/{number}/", issue)
	}
	return mux
}

// known says whether the call is about the App's repository, answering 404 when it is not.
func (s *Server) known(w http.ResponseWriter, r *http.Request) bool {
	if strings.EqualFold(r.PathValue("owner")+"/"+r.PathValue("repo"), s.repoName) {
		return true
	}
	s.notFound(w, r, "the App is installed on "+s.repoName+" only")
	return false
}

// notFound is GitHub's 404: the same body whether the thing is missing or hidden from the App.
//
// See https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#404-not-found-for-an-existing-resource
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, why string) {
	s.printf("── GitHub answered 404 to %s %s: %s\n", r.Method, r.URL.Path, why)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, notFoundBody)
}

// notFoundBody is what GitHub's REST API answers with a 404.
const notFoundBody = `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}` + "\n"

// Complete marks run runID of the demo repository completed with conclusion, as when the
// workflow ends.
func (s *Server) Complete(runID int64, conclusion string) {
	owner, name, _ := strings.Cut(s.repoName, "/")
	s.CompleteRun(owner, name, runID, conclusion)
}

// Unhandled returns the calls the server does not serve, as "METHOD /path".
func (s *Server) Unhandled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unhandled...)
}

func (s *Server) printf(format string, args ...any) {
	if s.out != nil {
		fmt.Fprintf(s.out, format, args...)
	}
}
