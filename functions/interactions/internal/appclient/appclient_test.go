package appclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
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

// missingParameters is SSM without any parameter: GetParameters lists every name as invalid.
type missingParameters struct{}

func (missingParameters) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	return &ssm.GetParametersOutput{InvalidParameters: in.Names}, nil
}

// TestExplainMissingKey: the member is told the parameter's real SSM name, under the prefix the
// stack was deployed with, not a placeholder; and the cause (the wrapped SSM error) stays in
// the log: the message the member sees is the *command.Error's Message only.
func TestExplainMissingKey(t *testing.T) {
	t.Parallel()
	store := secrets.New(missingParameters{}, "/team-chatops", 0)
	_, err := NewLazy(store, githubapp.Options{AppID: 1, BaseURL: "http://github.invalid"}).RepoClient(context.Background(), "acme", "shop")
	var ce *command.Error
	if !errors.As(Explain(err, "acme/shop"), &ce) {
		t.Fatalf("Explain(%v) is not a *command.Error", err)
	}
	if !strings.Contains(ce.Message, "`/team-chatops/github/private-key`") || strings.Contains(ce.Message, "<prefix>") {
		t.Errorf("message %q, want it to name /team-chatops/github/private-key", ce.Message)
	}
	if strings.Contains(ce.Message, "parameter not found") {
		t.Errorf("message %q carries the wrapped error's text", ce.Message)
	}
}
