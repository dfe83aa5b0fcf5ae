package recorder

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/discord/rest"
)

const (
	appID   = "1290000000000000001"
	channel = "1100000000000000002"
	token   = "bot-token"
)

// TestPrints: each change Discord receives is printed as the channel would show it, and an
// interaction the endpoint refused is said so.
func TestPrints(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := New(appID, token, Directory{}, &out)
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	c := rest.New(rest.Options{BaseURL: srv.URL + discordtest.APIPath, BotToken: token, MaxRetries: -1})
	m, err := c.CreateMessage(t.Context(), channel, discord.Message{Content: "hello", Embeds: []discord.Embed{{Title: "card"}},
		Components: []discord.Component{discord.ActionRow(discord.Button(discord.ButtonSuccess, "Approve", "deploy:approve"))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EditMessage(t.Context(), channel, m.ID, discord.Message{Embeds: []discord.Embed{{Title: "done"}}}); err != nil {
		t.Fatal(err)
	}
	in := `{"id":"1","application_id":"` + appID + `","type":2,"token":"tok-1","version":1,"channel_id":"` + channel +
		`","data":{"id":"2","name":"status","type":1}}`
	r.ObserveInteraction([]byte(in), http.StatusUnauthorized, []byte("invalid request signature\n"))
	r.ObserveInteraction([]byte(in), http.StatusOK, []byte(`{"type":5}`))
	for _, want := range []string{
		"── Discord new bot message in #" + channel + " [POST /channels/" + channel + "/messages]\n   hello\n   ┃ **card**\n   [ Approve ]\n",
		"── Discord bot message " + m.ID + " edited in #" + channel + " (bot message) [PATCH /channels/" + channel + "/messages/" + m.ID + "]\n",
		"── the endpoint refused a request: HTTP 401 invalid request signature\n",
		"── Discord deferred reply in #" + channel + " (/status)\n   ⏳ ChatOps is thinking…\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed:\n%s\nwant it to contain:\n%s", out.String(), want)
		}
	}
	if _, ok := r.Original("tok-1"); !ok {
		t.Error("the deferred answer was not handed to the fake Discord")
	}
}
