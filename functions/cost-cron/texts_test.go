package main

import (
	"testing"

	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

// TestTextsComplete fails when a message the function posts lacks either language, or when its
// code asks for one that no file has. The report's own code is checked in shared/costreport.
func TestTextsComplete(t *testing.T) {
	t.Parallel()
	i18ntest.Complete(t, texts(), ".")
}
