package caller

import (
	"strconv"
	"testing"
	"time"
)

// TestInteractionIDs: ids from two callers with different workers, at once, never repeat (the
// local Discord takes one answer per interaction id), and read as Discord snowflakes made now.
func TestInteractionIDs(t *testing.T) {
	t.Parallel()
	a, b := &Discord{Worker: 1}, &Discord{Worker: 2}
	seen := map[string]bool{}
	for range 500 {
		for _, d := range []*Discord{a, b} {
			in := d.Ping()
			if seen[in.ID] {
				t.Fatalf("id %s given twice", in.ID)
			}
			seen[in.ID] = true
			n, err := strconv.ParseInt(in.ID, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if made := time.UnixMilli(n>>22 + discordEpoch); time.Since(made).Abs() > time.Minute {
				t.Errorf("id %s was made at %s, want now", in.ID, made)
			}
		}
	}
}
