package cdkcontext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func checkout(t *testing.T, local string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"app":"go run ./infra","context":{"githubRepository":"","deployEnvironments":"dev,prod","throttleRateLimit":10}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if local != "" {
		if err := os.WriteFile(filepath.Join(dir, File), []byte(local), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSaveKeepsOtherKeys: setup's values are added next to CDK's own cached lookups, and a
// value equal to cdk.json's default is not written.
func TestSaveKeepsOtherKeys(t *testing.T) {
	t.Parallel()
	dir := checkout(t, `{"availability-zones:account=1:region=eu-west-1": ["eu-west-1a"]}`)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Get("deployEnvironments") != "dev,prod" || c.Get("throttleRateLimit") != "10" {
		t.Errorf("defaults from cdk.json: %q %q", c.Get("deployEnvironments"), c.Get("throttleRateLimit"))
	}
	if c.Set("deployEnvironments", "dev,prod") {
		t.Error("setting cdk.json's own value counted as a change")
	}
	if !c.Set("githubRepository", "octo/app") || c.Set("githubRepository", "octo/app") {
		t.Error("Set did not report the change once")
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	again, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Get("githubRepository") != "octo/app" {
		t.Errorf("githubRepository = %q after Save", again.Get("githubRepository"))
	}
	b, _ := os.ReadFile(filepath.Join(dir, File))
	if !strings.Contains(string(b), "availability-zones") || strings.Contains(string(b), "deployEnvironments") {
		t.Errorf("%s:\n%s", File, b)
	}
}

func TestArgs(t *testing.T) {
	t.Parallel()
	c, err := Load(checkout(t, `{"githubRepository":"octo/app","deployRoleIds":"1,2","setup:discordGuildId":"9","availability-zones":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Args()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-c", "deployRoleIds=1,2", "-c", "githubRepository=octo/app"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Args (-want +got):\n%s", diff)
	}
	bad, _ := Load(checkout(t, `{"githubRepository":"octo/$(rm -rf)"}`))
	if _, err := bad.Args(); err == nil || !strings.Contains(err.Error(), "CDK_CONTEXT") {
		t.Errorf("Args with shell characters: %v", err)
	}
}
