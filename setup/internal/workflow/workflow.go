// Package workflow checks the deploy workflow that /deploy and /rollback dispatch: it must be
// dispatchable (on.workflow_dispatch) with the four inputs of the runtime contract
// (docs/CONTRACT.md, "The deploy workflow") and run its job in a GitHub environment, so that
// GitHub records the deployment that /rollback and deploy-notify read.
//
// Upstream reference: https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#onworkflow_dispatchinputs
package workflow

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// Inputs are the inputs the suite dispatches with; GitHub answers 422 to a dispatch whose
// workflow does not declare each one.
func Inputs() []string { return []string{"environment", "sha", "requested_by", "correlation_id"} }

// Check returns the problems of a workflow file, none when the suite can dispatch it.
func Check(content []byte) []string {
	var wf struct {
		// "on" is a YAML 1.1 boolean to some parsers; yaml.v3 keeps it a string key.
		On   yaml.Node `yaml:"on"`
		Jobs map[string]struct {
			Environment yaml.Node `yaml:"environment"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(content, &wf); err != nil {
		return []string{fmt.Sprintf("it is not valid YAML: %v", err)}
	}
	var problems []string
	dispatch, ok := trigger(wf.On, "workflow_dispatch")
	if !ok {
		problems = append(problems, "it has no workflow_dispatch trigger under on:")
	}
	declared := map[string]bool{}
	if dispatch != nil {
		if inputs := mapValue(dispatch, "inputs"); inputs != nil {
			for i := 0; i+1 < len(inputs.Content); i += 2 {
				declared[inputs.Content[i].Value] = true
			}
		}
	}
	var missing []string
	for _, in := range Inputs() {
		if !declared[in] {
			missing = append(missing, in)
		}
	}
	if ok && len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("workflow_dispatch does not declare the inputs %v", missing))
	}
	withEnv := false
	for _, job := range wf.Jobs {
		withEnv = withEnv || !job.Environment.IsZero()
	}
	if !withEnv {
		problems = append(problems, "no job has an environment: (environment: ${{ inputs.environment }}), so GitHub records no deployment")
	}
	return problems
}

// trigger finds event in on:, which may be a string, a list or a map; the node is the event's
// settings (nil when it has none).
func trigger(on yaml.Node, event string) (*yaml.Node, bool) {
	switch on.Kind {
	case yaml.ScalarNode:
		return nil, on.Value == event
	case yaml.SequenceNode:
		return nil, slices.ContainsFunc(on.Content, func(n *yaml.Node) bool { return n.Value == event })
	case yaml.MappingNode:
		for i := 0; i+1 < len(on.Content); i += 2 {
			if on.Content[i].Value == event {
				return on.Content[i+1], true
			}
		}
	}
	return nil, false
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Fix is what to do when Check finds problems.
func Fix(repo, file string) string {
	return fmt.Sprintf("copy examples/deploy.yml to .github/workflows/%s in %s, replace its Deploy step with yours, and commit it to the default branch", file, repo)
}
