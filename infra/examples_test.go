package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/google/go-cmp/cmp"
)

// TestExampleWorkflow checks that examples/deploy.yml declares the workflow_dispatch inputs of the
// contract and renders the run-name deploy-notify parses.
func TestExampleWorkflow(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "deploy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	workflow := string(raw)
	runName := regexp.MustCompile(`(?m)^run-name: (".*")$`).FindStringSubmatch(workflow)
	if runName == nil {
		t.Fatal("no top-level run-name")
	}
	if got, err := strconv.Unquote(runName[1]); err != nil || got != deployrun.RunNameTemplate {
		t.Errorf("run-name %s (%v), want %q", runName[1], err, deployrun.RunNameTemplate)
	}
	// The inputs are the only keys indented by six spaces under workflow_dispatch.inputs.
	var inputs []string
	for _, m := range regexp.MustCompile(`(?m)^      ([a-z_]+):$`).FindAllStringSubmatch(workflow, -1) {
		inputs = append(inputs, m[1])
	}
	if diff := cmp.Diff([]string{"environment", "sha", "requested_by", "correlation_id"}, inputs); diff != "" {
		t.Errorf("workflow_dispatch inputs (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`(?m)^          ref: \$\{\{ inputs\.sha \|\| github\.ref \}\}$`).MatchString(workflow) {
		t.Error("checkout does not use inputs.sha when given")
	}
}

// TestGitHubAppManifest checks that the manifest asks for exactly the permissions and events the
// suite uses.
func TestGitHubAppManifest(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "github-app-manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Public         bool              `json:"public"`
		Permissions    map[string]string `json:"default_permissions"`
		Events         []string          `json:"default_events"`
		HookAttributes struct {
			URL    string `json:"url"`
			Active bool   `json:"active"`
		} `json:"hook_attributes"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	wantPermissions := map[string]string{
		"actions":       "write", // workflow_dispatch; write includes reading runs
		"checks":        "read",  // check_suite events: a failed check in the pull request's thread
		"contents":      "read",  // default branch, compare commits
		"deployments":   "read",
		"issues":        "write", // assignees
		"metadata":      "read",
		"pull_requests": "write", // assignees
	}
	if diff := cmp.Diff(wantPermissions, manifest.Permissions); diff != "" {
		t.Errorf("permissions (-want +got):\n%s", diff)
	}
	events := slices.Sorted(slices.Values(manifest.Events))
	if diff := cmp.Diff([]string{"check_suite", "deployment_status", "issues", "pull_request", "pull_request_review", "workflow_run"}, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if manifest.Public || !manifest.HookAttributes.Active || manifest.HookAttributes.URL == "" {
		t.Errorf("public %v, hook %+v: want a private App with an active webhook", manifest.Public, manifest.HookAttributes)
	}
}
