package deployrun

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTitle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		title string
		want  Title
		ok    bool
	}{
		{"Deploy prod by alice [123-456]", Title{"prod", "alice", "123-456", ""}, true},
		{"Deploy dev by octocat [manual]", Title{"dev", "octocat", "", ""}, true},
		{"  Deploy staging by bob.b [] ", Title{"staging", "bob.b", "", ""}, true},
		{"Deploy prod by alice", Title{}, false},
		{"CI", Title{}, false},
		{"Deploy prod by two words [1-2]", Title{}, false},
		{"Deploy prod by alice [1-2] extra", Title{}, false},
		{"Deploy prod by alice [1-2] @b0a710ad9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b", Title{"prod", "alice", "1-2", "b0a710ad9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b"}, true},
		{"Deploy prod by alice [manual] @abc1234", Title{"prod", "alice", "", "abc1234"}, true},
		{"Deploy prod by alice [1-2] @main", Title{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseTitle(tt.title)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseTitle (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTemplateRendersParsable renders RunNameTemplate as GitHub would for a Discord deploy and a
// manual one, and parses the result back.
func TestTemplateRendersParsable(t *testing.T) {
	t.Parallel()
	render := func(env, by, corr, sha string) string {
		if sha != "" {
			sha = " @" + sha
		}
		return strings.NewReplacer(
			"${{ inputs.environment }}", env,
			"${{ inputs.requested_by || github.actor }}", by,
			"${{ inputs.correlation_id || 'manual' }}", corr,
			"${{ inputs.sha && format(' @{0}', inputs.sha) || '' }}", sha,
		).Replace(RunNameTemplate)
	}
	id := CorrelationID("1180000000000000001", "1180000000000000002")
	got, ok := ParseTitle(render("prod", "alice", id, ""))
	if !ok || got.CorrelationID != id || got.Environment != "prod" || got.RequestedBy != "alice" || got.DeployedSHA("tip") != "tip" {
		t.Fatalf("ParseTitle(rendered) = %+v, %v", got, ok)
	}
	if got, ok := ParseTitle(render("dev", "octocat", Manual, "")); !ok || got.CorrelationID != "" {
		t.Fatalf("manual run: ParseTitle = %+v, %v", got, ok)
	}
	rollback := "b0a710ad9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b"
	if got, ok := ParseTitle(render("prod", "alice", id, rollback)); !ok || got.CorrelationID != id || got.DeployedSHA("tip") != rollback {
		t.Fatalf("rollback run: ParseTitle = %+v, %v", got, ok)
	}
}

func TestCorrelationID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id           string
		channel, msg string
		ok           bool
	}{
		{CorrelationID("111", "222"), "111", "222", true},
		{"111-", "", "", false},
		{"-222", "", "", false},
		{"abc-222", "", "", false},
		{"111222", "", "", false},
		{"1-2-3", "", "", false},
		{"123456789012345678901-1", "", "", false},
	}
	for _, tt := range tests {
		c, m, ok := ParseCorrelationID(tt.id)
		if c != tt.channel || m != tt.msg || ok != tt.ok {
			t.Errorf("ParseCorrelationID(%q) = %q, %q, %v; want %q, %q, %v", tt.id, c, m, ok, tt.channel, tt.msg, tt.ok)
		}
	}
}

func TestRollbackButtonID(t *testing.T) {
	t.Parallel()
	id := RollbackButtonID("prod")
	if env, ok := strings.CutPrefix(id, RollbackButtonPrefix); !ok || env != "prod" {
		t.Fatalf("RollbackButtonID(prod) = %q", id)
	}
}

// TestLockKey pins the deploy lock's key: interactions writes it, deploy-notify deletes it, and
// the stack's grants name its partition (lock#*).
func TestLockKey(t *testing.T) {
	t.Parallel()
	got := LockKey("prod", "1300000000000000100")
	if got.PK != "lock#prod" || got.SK != "1300000000000000100" || got.PK != LockPK("prod") {
		t.Fatalf("LockKey = %+v", got)
	}
}
