package fakegithub

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// appJWT is the JWT a GitHub App signs with its key to call the API as the App (RS256).
//
// See https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
func appJWT(t *testing.T, key *rsa.PrivateKey, appID int64) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	now := time.Now()
	claims := fmt.Sprintf(`{"iat":%d,"exp":%d,"iss":"%d"}`, now.Add(-time.Minute).Unix(), now.Add(5*time.Minute).Unix(), appID)
	signed := enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(claims))
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + enc(sig)
}

// call makes one API call with the Authorization given and returns the status and body.
func call(t *testing.T, srv *httptest.Server, method, path, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRefusesUnknown: a repository other than the App's and an issue number the repository
// does not have are answered as GitHub answers them: 404 with GitHub's error body; the App's
// repository and its issues are served.
func TestRefusesUnknown(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{AppID: 1, Key: &key.PublicKey, Out: &out, Issues: DemoIssues, Repo: DemoRepository("acme/shop", "deploy.yml", time.Now())})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	app := "Bearer " + appJWT(t, key, 1)
	status, body := call(t, srv, "GET", "/repos/acme/shop/installation", app, "")
	var inst struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal([]byte(body), &inst); status != http.StatusOK || err != nil {
		t.Fatalf("installation: HTTP %d %s", status, body)
	}
	status, body = call(t, srv, "POST", fmt.Sprintf("/app/installations/%d/access_tokens", inst.ID), app, "")
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); status != http.StatusCreated || err != nil {
		t.Fatalf("installation token: HTTP %d %s", status, body)
	}
	installation := "token " + tok.Token
	tests := []struct {
		method, path, auth string
		want               int
	}{
		{"GET", "/repos/acme/shop/installation", app, http.StatusOK},
		{"GET", "/repos/ACME/Shop/installation", app, http.StatusOK},
		{"GET", "/repos/acme/shop", installation, http.StatusOK},
		{"GET", "/repos/acme/other", installation, http.StatusNotFound},
		{"GET", "/repos/acme/other/installation", app, http.StatusNotFound},
		{"GET", "/repos/evil/shop/commits/main", installation, http.StatusNotFound},
		{"POST", "/repos/acme/shop/issues/7/assignees", installation, http.StatusCreated},
		{"POST", "/repos/acme/shop/issues/13/assignees", installation, http.StatusNotFound},
		{"POST", "/repos/acme/shop/issues/0/assignees", installation, http.StatusNotFound},
		{"POST", "/repos/acme/other/issues/7/assignees", installation, http.StatusNotFound},
		{"GET", "/repos/acme/shop/pulls/99", installation, http.StatusNotFound},
	}
	for _, tt := range tests {
		status, body := call(t, srv, tt.method, tt.path, tt.auth, `{"assignees":["octocat"]}`)
		if status != tt.want {
			t.Errorf("%s %s: HTTP %d %s, want %d", tt.method, tt.path, status, body, tt.want)
			continue
		}
		if tt.want == http.StatusNotFound {
			if diff := cmp.Diff(notFoundBody, body); diff != "" {
				t.Errorf("%s %s: body (-GitHub's +got):\n%s", tt.method, tt.path, diff)
			}
		}
	}
	if n := len(s.Assignments()); n != 1 {
		t.Errorf("%d assignments recorded, want the one on #7", n)
	}
	if !strings.Contains(out.String(), "── GitHub answered 404 to POST /repos/acme/shop/issues/13/assignees: no issue or pull request #13 in acme/shop") {
		t.Errorf("printed:\n%s\nwant the refusal of #13 said", out.String())
	}
}

// TestDemoDeployments checks the demo's deployment record, which the interactions function
// reads to know what runs where: dev last ran v1.4.2 after v1.4.1; the deploy workflow's job
// runs in the environment it is dispatched to; and a run's failure ends its deployment as
// failed, so that Roll back has v1.4.2 to offer. (githubapptest's own tests drive the
// dispatch through the REST API.)
func TestDemoDeployments(t *testing.T) {
	t.Parallel()
	now := time.Now()
	repo := DemoRepository("acme/shop", "deploy.yml", now)
	if env := repo.Workflows[0].DeploysTo(map[string]string{"environment": "dev"}); env != "dev" {
		t.Errorf("the deploy job runs in %q, want the environment dispatched", env)
	}
	s := New(Options{AppID: 7, Repo: repo})
	// record is dev's deployments, newest first, as "short sha: newest status".
	record := func() string {
		var out []string
		for _, d := range s.Deployments("acme", "shop") {
			if d.Environment == "dev" {
				out = append(out, d.SHA[:7]+": "+d.Statuses[0].State)
			}
		}
		return strings.Join(out, ", ")
	}
	if got, want := record(), "c0ffee1: success, b0a710a: inactive"; got != want {
		t.Errorf("dev's record %q, want %q", got, want)
	}
	head := repo.Refs["main"]
	s.AddRun("acme", "shop", githubapptest.Run{ID: firstDispatchedRun, DisplayTitle: "Deploy dev by minji [manual]", HeadBranch: "main", HeadSHA: head,
		Event: "workflow_dispatch", Status: "in_progress", CreatedAt: now})
	d := s.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: head, Ref: "main", Environment: "dev", Run: firstDispatchedRun, CreatedAt: now})
	s.AddDeploymentStatus("acme", "shop", d.ID, githubapptest.DeploymentStatus{State: "in_progress", CreatedAt: now})
	s.Complete(firstDispatchedRun, "failure")
	if got, want := record(), "5ca1ab1: failure, c0ffee1: success, b0a710a: inactive"; got != want {
		t.Errorf("dev's record after the failed run %q, want %q", got, want)
	}
}
