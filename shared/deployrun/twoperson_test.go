package deployrun

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTwoPersonEnvironments: unset means prod, as the README says; "none" turns the rule off.
func TestTwoPersonEnvironments(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":              {"prod"},
		"  ":            {"prod"},
		"none":          nil,
		"staging, prod": {"staging", "prod"},
		"dev,,":         {"dev"},
	} {
		if got := TwoPersonEnvironments(in); !cmp.Equal(got, want) {
			t.Errorf("TwoPersonEnvironments(%q) = %q, want %q", in, got, want)
		}
	}
}
