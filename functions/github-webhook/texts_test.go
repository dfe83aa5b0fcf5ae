package main

import (
	"testing"

	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

// TestTextsComplete fails when a message lacks either language, or when the code of the
// function asks for one that no file has.
func TestTextsComplete(t *testing.T) {
	t.Parallel()
	i18ntest.Complete(t, texts(), ".")
}
