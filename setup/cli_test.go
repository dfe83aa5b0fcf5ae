package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestContextArgs: make deploy's -c arguments come from cdk.context.json, setup's own keys and
// CDK's cached lookups left out.
func TestContextArgs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"cdk.json":         `{"context":{"githubRepository":"","deployEnvironments":"dev,prod"}}`,
		"cdk.context.json": `{"githubRepository":"octo/app","setup:discordGuildId":"5","vpc-provider:account=1":{"x":1}}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"context-args", "--dir", dir}, func(string) string { return "" }, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "-c githubRepository=octo/app\n" {
		t.Errorf("context-args printed %q", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"context":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"launch", "--dir", dir}, func(string) string { return "" }, strings.NewReader(""), &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), `unknown command "launch"`) {
		t.Errorf("run error = %v", err)
	}
}
