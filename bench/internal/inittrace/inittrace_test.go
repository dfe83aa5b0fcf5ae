package inittrace

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	out := []byte(`init internal/bytealg @0.003 ms, 0 ms clock, 0 bytes, 0 allocs
init github.com/aws/aws-sdk-go-v2/service/ecs/schemas @2.9 ms, 1.1 ms clock, 931600 bytes, 4879 allocs
{"time":"2026-11-24T19:00:00Z","level":"INFO","msg":"a log line"}
init something that is not a trace line
init crypto/x509 @13 ms, 3.0 ms clock, 2048 bytes, 12 allocs
`)
	got, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []Init{
		{"internal/bytealg", 0, 0, 0},
		{"github.com/aws/aws-sdk-go-v2/service/ecs/schemas", 1100 * time.Microsecond, 931600, 4879},
		{"crypto/x509", 3 * time.Millisecond, 2048, 12},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	if got := Total(got); got != 4100*time.Microsecond {
		t.Errorf("Total = %v, want 4.1ms", got)
	}
	if _, err := Parse([]byte("init p @1 ms, x ms clock, 1 bytes, 1 allocs")); err == nil {
		t.Error("Parse of a bad number: no error")
	}
}
