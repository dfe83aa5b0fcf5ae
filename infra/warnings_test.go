package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// TestLoadConfigNoDeployRoles: an empty deployRoleIds synthesizes, with a warning that nobody
// can deploy; a set one gives none.
func TestLoadConfigNoDeployRoles(t *testing.T) {
	t.Parallel()
	ctx := validContext()
	c, err := loadConfig(func(k string) any { return ctx[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.warnings) != 0 {
		t.Errorf("warnings %q with deploy roles set, want none", c.warnings)
	}
	ctx["deployRoleIds"] = " "
	c, err = loadConfig(func(k string) any { return ctx[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.warnings) != 1 || !strings.Contains(c.warnings[0], "deployRoleIds is empty: nobody can /deploy") {
		t.Errorf("warnings %q, want one saying nobody can deploy", c.warnings)
	}
}

// TestSynthWarnsNoDeployRoles: synth with cdk.json's empty deployRoleIds carries the warning on
// the stack (cdk synth prints it; cdk deploy --strict stops on it); with a role, it does not.
func TestSynthWarnsNoDeployRoles(t *testing.T) {
	t.Parallel()
	nobody := assertions.Match_StringLikeRegexp(jsii.String("nobody can /deploy"))
	for _, tt := range []struct {
		roles string
		want  int
	}{{"", 1}, {"345678901234567890", 0}} {
		stack := synthStack(t, map[string]string{"deployRoleIds": tt.roles})
		if got := len(*assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), nobody)); got != tt.want {
			t.Errorf("deployRoleIds %q: %d warnings that nobody can deploy, want %d", tt.roles, got, tt.want)
		}
	}
}
