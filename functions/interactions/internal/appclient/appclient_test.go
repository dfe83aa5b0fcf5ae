package appclient

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
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
	if msg := Explain(err, "acme/shop").Error(); msg[:len("The GitHub App's private key is not in SSM")] != "The GitHub App's private key is not in SSM" {
		t.Errorf("message %q", msg)
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
