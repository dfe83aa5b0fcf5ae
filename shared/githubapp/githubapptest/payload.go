package githubapptest

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// payloads are the recorded GitHub webhook payloads, testdata/webhooks/<name>.json; their origin
// and edits are in testdata/README.md.
//
//go:embed testdata/webhooks/*.json
var payloads embed.FS

// Payload returns the recorded webhook payload name, such as "pull_request.opened" or
// "workflow_run.completed.failure.derived", byte for byte (testdata/README.md says where each
// comes from). It carries no signature: sign the bytes with SignWebhook. An unknown name fails
// the test.
func Payload(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := ReadPayload(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// ReadPayload is Payload for code that runs outside a test, such as the local suite's tour.
func ReadPayload(name string) ([]byte, error) {
	b, err := payloads.ReadFile("testdata/webhooks/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("recorded GitHub payload %q: %w", name, err)
	}
	return b, nil
}

// PayloadNames returns the names of every recorded payload, sorted, for tests that run them
// all.
func PayloadNames() []string {
	files, _ := fs.Glob(payloads, "testdata/webhooks/*.json") // the pattern is valid
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(strings.TrimPrefix(f, "testdata/webhooks/"), ".json")
	}
	slices.Sort(names)
	return names
}
