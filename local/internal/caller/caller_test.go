package caller

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
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

// TestAboutRepository: a recorded delivery names the configured repository everywhere it named
// the recorded one, and a delivery without a repository is left as it is.
func TestAboutRepository(t *testing.T) {
	t.Parallel()
	recorded, err := githubapptest.ReadPayload("pull_request.opened")
	if err != nil {
		t.Fatal(err)
	}
	got, err := AboutRepository(recorded, "acme/shop")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		PullRequest struct {
			HTMLURL string `json:"html_url"`
		} `json:"pull_request"`
		Repository struct {
			FullName string `json:"full_name"`
			Name     string
			Owner    struct{ Login string }
		}
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.PullRequest.HTMLURL != "https://github.com/acme/shop/pull/2" || doc.Repository.FullName != "acme/shop" ||
		doc.Repository.Name != "shop" || doc.Repository.Owner.Login != "acme" || bytes.Contains(got, []byte("Codertocat/Hello-World")) {
		t.Errorf("edited delivery %+v still names the recorded repository", doc)
	}
	if got, err := AboutRepository([]byte(`{"zen":"Keep it logically awesome."}`), "acme/shop"); err != nil || string(got) != `{"zen":"Keep it logically awesome."}` {
		t.Errorf("a delivery without a repository became %s, %v", got, err)
	}
}
