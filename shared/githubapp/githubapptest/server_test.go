package githubapptest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jwt "github.com/golang-jwt/jwt/v4"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// recordingTB is a testing.TB whose Errorf and Fatalf are recorded instead of failing the test,
// so a test can check that the fake fails the tests it should.
type recordingTB struct {
	testing.TB

	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServerChecksAppJWT(t *testing.T) {
	t.Parallel()
	// The fake's key, through its own accessor, and a stranger's.
	appKey, err := jwt.ParseRSAPrivateKeyFromPEM(githubapptest.NewServer(t).PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	claims := func(iss string, iat, exp time.Time) *jwt.RegisteredClaims {
		return &jwt.RegisteredClaims{Issuer: iss, IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(exp)}
	}
	app := strconv.FormatInt(githubapptest.AppID, 10)
	tests := []struct {
		name          string
		authorization string
		wantOK        bool
	}{
		{name: "valid, as ghinstallation signs", authorization: "Bearer " + sign(t, jwt.SigningMethodRS256, appKey, claims(app, now.Add(-30*time.Second), now.Add(90*time.Second))), wantOK: true},
		{name: "exactly ten minutes", authorization: "Bearer " + sign(t, jwt.SigningMethodRS256, appKey, claims(app, now.Add(-time.Minute), now.Add(9*time.Minute))), wantOK: true},
		{name: "no header", authorization: ""},
		{name: "installation token instead", authorization: "token ghs_abc"},
		{name: "not a JWT", authorization: "Bearer abc.def.ghi"},
		{name: "other key", authorization: "Bearer " + sign(t, jwt.SigningMethodRS256, otherKey, claims(app, now.Add(-time.Minute), now.Add(5*time.Minute)))},
		{name: "RS512", authorization: "Bearer " + sign(t, jwt.SigningMethodRS512, appKey, claims(app, now.Add(-time.Minute), now.Add(5*time.Minute)))},
		{name: "HS256", authorization: "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("secret"), claims(app, now.Add(-time.Minute), now.Add(5*time.Minute)))},
		{name: "wrong issuer", authorization: "Bearer " + sign(t, jwt.SigningMethodRS256, appKey, claims("1", now.Add(-time.Minute), now.Add(5*time.Minute)))},
		{name: "expired", authorization: "Bearer " + sign(t, jwt.SigningMethodRS256, appKey, claims(app, now.Add(-10*time.Minute), now.Add(-time.Minute)))},
		{name: "lives over ten minutes", authorization: "Bearer " + sign(t, jwt.SigningMethodRS256, appKey, claims(app, now.Add(-time.Minute), now.Add(10*time.Minute)))},
		{name: "no iat", authorization: "Bearer " + sign(t, jwt.SigningMethodRS256, appKey, &jwt.RegisteredClaims{Issuer: app, ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute))})},
		{name: "no exp", authorization: "Bearer " + sign(t, jwt.SigningMethodRS256, appKey, &jwt.RegisteredClaims{Issuer: app, IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute))})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingTB{TB: t}
			srv := githubapptest.NewServer(rec)
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/repos/octo-org/hello-world/installation", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			gotOK := resp.StatusCode == http.StatusOK
			if gotOK != tt.wantOK {
				t.Errorf("status %d, want OK %v", resp.StatusCode, tt.wantOK)
			}
			if failed := len(rec.Errors()) > 0; failed == tt.wantOK {
				t.Errorf("fake failed the test: %v, want %v (errors %q)", failed, !tt.wantOK, rec.Errors())
			}
			for _, e := range rec.Errors() {
				if strings.Contains(e, "ghs_abc") || strings.Contains(e, "abc.def") {
					t.Errorf("fake's report %q repeats the credential", e)
				}
			}
		})
	}
}

func TestEnterpriseServerRefusesPathsOutsideBase(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	srv := githubapptest.NewServer(rec, githubapptest.Enterprise())
	base := strings.TrimSuffix(srv.URL, "/api/v3")
	resp, err := http.Get(base + "/repos/octo-org/hello-world/installation")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || len(rec.Errors()) != 1 {
		t.Errorf("request outside /api/v3: status %d, reports %q; want 404 and one report", resp.StatusCode, rec.Errors())
	}
}

func TestSignWebhook(t *testing.T) {
	t.Parallel()
	// The example from GitHub's "Validating webhook deliveries" page.
	got := githubapptest.SignWebhook([]byte("It's a Secret to Everybody"), []byte("Hello, World!"))
	want := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got != want {
		t.Errorf("SignWebhook = %s, want %s", got, want)
	}
}
