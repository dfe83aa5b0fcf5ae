package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The repository's READMEs and the stack's context defaults, from this module's directory.
var (
	readmes    = []string{"README.md", "README.ko.md"}
	repoRoot   = filepath.Join("..", "..")
	codeSpan   = regexp.MustCompile("(?s)```.*?```|`[^`\n]+`")
	makeTarget = regexp.MustCompile(`\bmake ([a-z][a-z0-9_-]*)`)
	upperSnake = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b`)
)

// readmeNames is what a README names in its code (code spans and blocks): the make targets
// (`make deploy`), the environment variables (UPPER_SNAKE names) and the stack's context keys
// (the keys of cdk.json's context, each in a code span of its own).
func readmeNames(text string, contextKeys []string) map[string][]string {
	sets := map[string]map[string]bool{"make targets": {}, "variables": {}, "context keys": {}}
	for _, code := range codeSpan.FindAllString(text, -1) {
		for _, m := range makeTarget.FindAllStringSubmatch(code, -1) {
			sets["make targets"][m[1]] = true
		}
		for _, v := range upperSnake.FindAllString(code, -1) {
			sets["variables"][v] = true
		}
		if k := strings.Trim(code, "`"); slices.Contains(contextKeys, k) {
			sets["context keys"][k] = true
		}
	}
	out := map[string][]string{}
	for kind, set := range sets {
		for name := range set {
			out[kind] = append(out[kind], name)
		}
		slices.Sort(out[kind])
	}
	return out
}

// TestReadmesInStep fails unless the English and the Korean README name the same make
// targets, environment variables and CDK context keys: a change to one that the other lacks.
func TestReadmesInStep(t *testing.T) {
	t.Parallel()
	cdk, err := os.ReadFile(filepath.Join(repoRoot, "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stack struct{ Context map[string]any }
	if err := json.Unmarshal(cdk, &stack); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	var keys []string
	for k := range stack.Context {
		keys = append(keys, k)
	}
	names := make([]map[string][]string, len(readmes))
	for i, name := range readmes {
		b, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		names[i] = readmeNames(string(b), keys)
	}
	for _, kind := range []string{"make targets", "variables", "context keys"} {
		if len(names[0][kind]) == 0 {
			t.Errorf("README.md names no %s: the test reads it wrongly", kind)
		}
		if diff := cmp.Diff(names[0][kind], names[1][kind]); diff != "" {
			t.Errorf("%s of %s and %s differ (-%s +%s):\n%s", kind, readmes[0], readmes[1], readmes[0], readmes[1], diff)
		}
	}
}

// TestReadmeNames checks the reading itself, so that the comparison above cannot pass by
// finding nothing in either file.
func TestReadmeNames(t *testing.T) {
	t.Parallel()
	text := "Run `make deploy` and\n```sh\nmake test   # CHATOPS_TABLE\n```\nthen `language` and `make deploy CDK_CONTEXT=\"-c x=1\"`; " +
		"make sure prose is not code, nor FOO_BAR outside it, nor `notAKey`."
	got := readmeNames(text, []string{"language", "githubAppId"})
	want := map[string][]string{
		"make targets": {"deploy", "test"},
		"variables":    {"CDK_CONTEXT", "CHATOPS_TABLE"},
		"context keys": {"language"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("readmeNames mismatch (-want +got):\n%s", diff)
	}
}
