package workflow

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExample: the example the docs tell teams to copy passes.
func TestExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "deploy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if p := Check(b); len(p) > 0 {
		t.Errorf("examples/deploy.yml: %v", p)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	full := `on:
  workflow_dispatch:
    inputs:
      environment: {type: string}
      sha: {type: string}
      requested_by: {type: string}
      correlation_id: {type: string}
jobs:
  deploy:
    environment: ${{ inputs.environment }}
`
	tests := []struct {
		name, content string
		want          []string // substrings, one per problem
	}{
		{"complete", full, nil},
		{"push only", "on: push\njobs:\n  d:\n    environment: prod\n", []string{"no workflow_dispatch"}},
		{"list trigger without inputs", "on: [push, workflow_dispatch]\njobs:\n  d:\n    environment: prod\n",
			[]string{"[environment sha requested_by correlation_id]"}},
		{"one input missing", strings.Replace(full, "      correlation_id: {type: string}\n", "", 1), []string{"[correlation_id]"}},
		{"no environment", strings.Replace(full, "    environment: ${{ inputs.environment }}\n", "    runs-on: ubuntu-latest\n", 1), []string{"no job has an environment"}},
		{"not YAML", "on: [", []string{"not valid YAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Check([]byte(tt.content))
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q does not say %q", got[i], w)
				}
			}
		})
	}
	if !slices.Equal(Inputs(), []string{"environment", "sha", "requested_by", "correlation_id"}) {
		t.Errorf("Inputs() = %v", Inputs())
	}
}
