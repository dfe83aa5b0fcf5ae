package rest_test

import (
	"testing"

	"github.com/discord-chatops/chatops/shared/discord/rest"
)

func TestBotClientsRebuildOnlyOnNewToken(t *testing.T) {
	t.Parallel()
	b := rest.NewBotClients(rest.Options{BaseURL: "http://127.0.0.1:1"})
	first := b.Client("token-a")
	if b.Client("token-a") != first {
		t.Error("same token: a new client was built")
	}
	second := b.Client("token-b")
	if second == first {
		t.Error("rotated token: the old client was kept")
	}
	if b.Client("token-b") != second {
		t.Error("same rotated token: a new client was built")
	}
}
