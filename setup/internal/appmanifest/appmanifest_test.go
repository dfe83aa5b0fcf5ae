package appmanifest

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/setup/internal/appadmin/appadmintest"
)

func TestTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target      Target
		newApp, api string
	}{
		{Target{}, "https://github.com/settings/apps/new", "https://api.github.com"},
		{Target{WebURL: "https://github.com", Org: "octo-org"}, "https://github.com/organizations/octo-org/settings/apps/new", "https://api.github.com"},
		{Target{WebURL: "https://ghe.example.com/", Org: "ops"}, "https://ghe.example.com/organizations/ops/settings/apps/new", "https://ghe.example.com/api/v3"},
	}
	for _, tt := range tests {
		if got := tt.target.NewAppURL(); got != tt.newApp {
			t.Errorf("%+v: NewAppURL %s, want %s", tt.target, got, tt.newApp)
		}
		if got := APIURL(tt.target.WebURL); got != tt.api {
			t.Errorf("%+v: APIURL %s, want %s", tt.target, got, tt.api)
		}
	}
	if got := (App{HTMLURL: "https://github.com/apps/x"}).InstallURL(); got != "https://github.com/apps/x/installations/new" {
		t.Errorf("InstallURL %s", got)
	}
}

// TestCallbackNeedsState: a redirect that does not carry the page's state is refused, and the
// flow keeps waiting for the real one.
func TestCallbackNeedsState(t *testing.T) {
	t.Parallel()
	gh := appadmintest.Start(t)
	gh.AddCode("good")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := Flow{Manifest: []byte(`{"name":"x","redirect_url":"http://localhost:8080/"}`), APIURL: gh.URL}
	base := "http://" + ln.Addr().String()
	done := make(chan error, 1)
	go func() {
		_, err := f.Run(context.Background(), ln, func(string) {})
		done <- err
	}()
	resp, err := http.Get(base + "/callback?code=good&state=forged")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("forged state: %d, want 400", resp.StatusCode)
	}
	page, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	i := strings.Index(string(body), "state=")
	if i < 0 {
		t.Fatalf("the page has no state:\n%s", body)
	}
	state := string(body)[i+len("state=") : i+len("state=")+32]
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(base + "/callback?code=good&state=" + state)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://github.com/apps/discord-chatops/installations/new" {
		t.Errorf("callback: %d to %q, want a redirect to the install page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestConvertSpentCode: GitHub's 404 for a spent or expired code says to start again.
func TestConvertSpentCode(t *testing.T) {
	t.Parallel()
	gh := appadmintest.Start(t)
	gh.AddCode("once")
	f := Flow{APIURL: gh.URL}
	app, err := f.Convert(context.Background(), "once")
	if err != nil || app.ID != gh.GitHub.AppID || !strings.Contains(app.PEM, "PRIVATE KEY") {
		t.Fatalf("first exchange: %+v, %v", app.ID, err)
	}
	if _, err := f.Convert(context.Background(), "once"); err == nil || !strings.Contains(err.Error(), "create the App again") {
		t.Errorf("second exchange: %v", err)
	}
}
