package i18ntest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/i18n"
)

// placeholder is how a Printer shows a message it lacks: "[deploy.card.title]".
var placeholder = regexp.MustCompile(`\[[a-z0-9]+(\.[a-z0-9]+)+\]`)

// Golden compares v, as indented JSON, with the golden file dir/<kind>.<lang>.json, after
// writing it when update is set (the test package's -update flag). Mentions and timestamps
// stay as Discord receives them (<@id>, <t:unix:f>), not escaped. It also fails when the
// output shows a message as its id in brackets: a message the catalog lacks in lang.
func Golden(t testing.TB, dir, kind string, lang i18n.Language, v any, update bool) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := b.Bytes()
	if ids := placeholder.FindAll(got, -1); len(ids) > 0 {
		t.Errorf("%s in %s shows messages as their ids: %s", kind, lang, bytes.Join(ids, []byte(", ")))
	}
	Check(t, filepath.Join(dir, kind+"."+string(lang)+".json"), got, update)
}

// Check fails t when got differs from the golden file at path, after writing got there first
// when update is set (the test package's -update flag).
func Check(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
