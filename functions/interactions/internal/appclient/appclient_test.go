package appclient

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// flakySecrets fails its first call, then serves the key, counting the calls.
type flakySecrets struct {
	key   string
	calls int
}

func (f *flakySecrets) String(_ context.Context, name string) (string, error) {
	f.calls++
	if name != secrets.GitHubPrivateKey {
		return "", fmt.Errorf("unexpected secret %s", name)
	}
	if f.calls == 1 {
		return "", fmt.Errorf("get SSM parameters /chatops/github/private-key: %w", secrets.ErrNotFound)
	}
	return f.key, nil
}

// TestLazy checks that the App is built on first use, that a failure is not kept, and that a
// built App is kept: the key is read from SSM once per execution environment.
func TestLazy(t *testing.T) {
	t.Parallel()
	gh := githubapptest.NewServer(t)
	s := &flakySecrets{key: string(gh.PrivateKeyPEM())}
	l := NewLazy(s, githubapp.Options{AppID: gh.AppID, BaseURL: gh.URL})
	if s.calls != 0 {
		t.Fatal("NewLazy read the key")
	}
	_, err := l.RepoClient(context.Background(), "acme", "shop")
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("first call: %v, want ErrNotFound", err)
	}
	var ce *command.Error
	if !errors.As(Explain(err, "acme/shop"), &ce) || ce.Text.ID != "appclient.nokey" {
		t.Errorf("Explain(%v) = %v, want the missing key explained", err, Explain(err, "acme/shop"))
	}
	for range 2 {
		if _, err := l.RepoClient(context.Background(), "acme", "shop"); err != nil {
			t.Fatal(err)
		}
	}
	if s.calls != 2 {
		t.Errorf("%d reads of the key, want 2 (a failure, then one that is kept)", s.calls)
	}
	gh.Uninstall("acme", "other")
	_, err = l.RepoClient(context.Background(), "acme", "other")
	if !errors.Is(err, githubapp.ErrNotInstalled) {
		t.Errorf("uninstalled repository: %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestExplainGolden writes what a member is told when the App cannot act, in each language,
// to testdata/golden/explain.<lang>.txt; other failures stay internal errors.
func TestExplainGolden(t *testing.T) {
	t.Parallel()
	c := i18n.NewCatalog(Messages())
	refused := &github.ErrorResponse{Response: &http.Response{StatusCode: http.StatusUnauthorized}, Message: "Bad credentials"}
	cases := []struct {
		name string
		err  error
	}{
		{"not installed", fmt.Errorf("installation: %w", githubapp.ErrNotInstalled)},
		{"no key", fmt.Errorf("GitHub App private key: %w", secrets.ErrNotFound)},
		{"credentials refused", fmt.Errorf("token: %w", refused)},
	}
	if err := Explain(errors.New("connection reset"), "acme/shop"); errors.As(err, new(*command.Error)) {
		t.Errorf("Explain(connection reset) = %v, want an internal error", err)
	}
	for _, lang := range i18n.Languages() {
		var b strings.Builder
		for _, tt := range cases {
			var ce *command.Error
			if !errors.As(Explain(tt.err, "acme/shop"), &ce) {
				t.Fatalf("%s: not explained", tt.name)
			}
			text := ce.In(c.Printer(lang))
			if strings.Contains(text, "[appclient.") {
				t.Errorf("%s: missing text %q", tt.name, text)
			}
			fmt.Fprintf(&b, "%s: %s\n", tt.name, text)
		}
		i18ntest.Check(t, filepath.Join("testdata", "golden", "explain."+string(lang)+".txt"), []byte(b.String()), *update)
	}
}

// missingParameters is SSM without any parameter: GetParameters lists every name as invalid.
type missingParameters struct{}

func (missingParameters) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	return &ssm.GetParametersOutput{InvalidParameters: in.Names}, nil
}

// TestExplainMissingKey: the member is told, in each language, the parameter's real SSM name
// under the prefix the stack was deployed with, not a placeholder; the cause (the wrapped SSM
// error) stays in the log.
func TestExplainMissingKey(t *testing.T) {
	t.Parallel()
	store := secrets.New(missingParameters{}, "/team-chatops", 0)
	_, err := NewLazy(store, githubapp.Options{AppID: 1, BaseURL: "http://github.invalid"}).RepoClient(context.Background(), "acme", "shop")
	var ce *command.Error
	if !errors.As(Explain(err, "acme/shop"), &ce) {
		t.Fatalf("Explain(%v) is not a *command.Error", err)
	}
	c := i18n.NewCatalog(Messages())
	for _, lang := range i18n.Languages() {
		text := ce.In(c.Printer(lang))
		if !strings.Contains(text, "`/team-chatops/github/private-key`") || strings.Contains(text, "<prefix>") {
			t.Errorf("%s: message %q, want it to name /team-chatops/github/private-key", lang, text)
		}
		if strings.Contains(text, "parameter not found") {
			t.Errorf("%s: message %q carries the wrapped error's text", lang, text)
		}
	}
}
