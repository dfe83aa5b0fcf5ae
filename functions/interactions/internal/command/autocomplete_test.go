package command

import (
	"context"
	"testing"

	"github.com/discord-chatops/chatops/shared/discord"
)

// TestRouterAutocomplete checks that an autocomplete interaction is answered with its
// command's choices (callback type 8), never routed to the command's Quick (whose deferral
// Discord would refuse), and with no choices where the command offers none.
func TestRouterAutocomplete(t *testing.T) {
	t.Parallel()
	offered := func(_ context.Context, req Request) []discord.Choice {
		return []discord.Choice{{Name: "typed " + req.Option("to"), Value: "v"}}
	}
	q, w := deferTo("card")
	r, err := NewRouter(
		Command{Name: "rollback", Description: "offers choices", Quick: q, Work: w, Autocomplete: offered, Contexts: []Context{ContextGuild}},
		Command{Name: "plain", Description: "offers none", Quick: q, Work: w},
	)
	if err != nil {
		t.Fatal(err)
	}
	typing := func(name, guild string) Request {
		return Request{Interaction: discord.Interaction{ID: "1", Type: discord.InteractionAutocomplete, Token: "t", GuildID: guild,
			Command: &discord.CommandData{Name: name, Options: []discord.CommandOption{{Name: "to", Type: discord.OptionString, Value: []byte(`"v1"`), Focused: true}}}}}
	}
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"choices", typing("rollback", "g"), `{"type":8,"data":{"choices":[{"name":"typed v1","value":"v"}]}}`},
		{"a command without autocomplete", typing("plain", "g"), `{"type":8,"data":{"choices":[]}}`},
		{"an unknown command", typing("gone", "g"), `{"type":8,"data":{"choices":[]}}`},
		{"where the command may not be used", typing("rollback", ""), `{"type":8,"data":{"choices":[]}}`},
	}
	for _, tt := range tests {
		reply := r.Quick(t.Context(), tt.req)
		got, err := reply.JSON(discord.InteractionAutocomplete)
		if err != nil || got != tt.want || reply.Deferred() {
			t.Errorf("%s: %s (deferred %v, %v), want %s", tt.name, got, reply.Deferred(), err, tt.want)
		}
	}
}
