package catalog_test

import (
	"testing"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

// TestTextsComplete fails when a message lacks either language, or when the code of the
// function asks for one that no file has.
func TestTextsComplete(t *testing.T) {
	t.Parallel()
	i18ntest.Complete(t, catalog.Texts(), "../..")
}

// BenchmarkTextsLoad is what the first message of an execution environment pays: parsing
// every message file of the function in both languages.
func BenchmarkTextsLoad(b *testing.B) {
	for b.Loop() {
		if err := catalog.Texts().Err(); err != nil {
			b.Fatal(err)
		}
	}
}
