package appadmin

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/discord-chatops/chatops/setup/internal/appadmin/appadmintest"
	"github.com/discord-chatops/chatops/shared/githubapp"
)

func TestMissingPermissions(t *testing.T) {
	t.Parallel()
	if got := MissingPermissions(NeededPermissions()); len(got) != 0 {
		t.Errorf("the manifest's own permissions miss %v", got)
	}
	got := MissingPermissions(map[string]string{"actions": "read", "contents": "write", "deployments": "read", "issues": "admin", "metadata": "read"})
	if want := []string{"actions: write", "checks: read", "pull_requests: write"}; !slices.Equal(got, want) {
		t.Errorf("MissingPermissions = %v, want %v", got, want)
	}
	for full, ok := range map[string]bool{"octo/app": true, "octo": false, "/app": false, "octo/app/x": false} {
		if _, _, got := SplitRepo(full); got != ok {
			t.Errorf("SplitRepo(%q) ok = %v", full, got)
		}
	}
}

// TestAsTheApp: the App's webhook, its repositories through an installation token, a
// repository's installation and workflow file, against the fake GitHub.
func TestAsTheApp(t *testing.T) {
	t.Parallel()
	gh := appadmintest.Start(t)
	gh.AddRepository("octo/b")
	gh.AddRepository("octo/a")
	gh.SetFile("octo/a", ".github/workflows/deploy.yml", "on: push\n")
	a, err := New(gh.GitHub.AppID, gh.GitHub.PrivateKeyPEM(), gh.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := a.SetHook(ctx, "https://h.example/github", "s3cret"); err != nil {
		t.Fatal(err)
	}
	hook, err := a.HookConfig(ctx)
	if err != nil || hook.URL != "https://h.example/github" || !hook.SecretSet || hook.ContentType != "json" {
		t.Errorf("HookConfig = %+v, %v", hook, err)
	}
	repos, err := a.Repositories(ctx)
	if err != nil || !slices.Equal(repos, []string{"octo/a", "octo/b"}) {
		t.Errorf("Repositories = %v, %v", repos, err)
	}
	if _, err := a.Installation(ctx, "octo", "c"); !errors.Is(err, githubapp.ErrNotInstalled) {
		t.Errorf("Installation on a repository without the App: %v", err)
	}
	content, found, err := a.WorkflowFile(ctx, "octo", "a", "deploy.yml")
	if err != nil || !found || string(content) != "on: push\n" {
		t.Errorf("WorkflowFile = %q %v %v", content, found, err)
	}
	if _, found, err := a.WorkflowFile(ctx, "octo", "b", "deploy.yml"); err != nil || found {
		t.Errorf("WorkflowFile of a missing file: found %v, %v", found, err)
	}
}
