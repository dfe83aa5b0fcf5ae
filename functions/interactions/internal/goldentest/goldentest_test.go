package goldentest

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheck(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "golden", "out.txt")
	r := &recorder{TB: t}
	Check(r, path, []byte("a"), false)
	if !r.failed {
		t.Error("a missing golden file passed")
	}
	r = &recorder{TB: t}
	Check(r, path, []byte("a"), true)
	if b, _ := os.ReadFile(path); r.failed || string(b) != "a" {
		t.Errorf("update wrote %q, failed %v", b, r.failed)
	}
	Check(r, path, []byte("b"), false)
	if !r.failed {
		t.Error("a different output passed")
	}
}
