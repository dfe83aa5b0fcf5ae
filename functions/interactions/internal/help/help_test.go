package help_test

import (
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
)

// TestHelpListsTheTable checks that /help has one line per command of the table, in its
// order, itself included, and answers only the invoker.
func TestHelpListsTheTable(t *testing.T) {
	t.Parallel()
	cmds := catalog.Table(catalog.Config{DeployEnvironments: []string{"dev"}}, catalog.Deps{})
	last := cmds[len(cmds)-1]
	if last.Name != "help" {
		t.Fatalf("last command %q, want help", last.Name)
	}
	in := discord.Interaction{Type: discord.InteractionApplicationCommand, Command: &discord.CommandData{Name: "help"}}
	resp := last.Quick(t.Context(), command.Request{Interaction: in}).Response(in.Type)
	if resp.Data == nil || resp.Data.Flags != discord.FlagEphemeral || len(resp.Data.Embeds) != 1 {
		t.Fatalf("response %+v, want one ephemeral embed", resp)
	}
	lines := strings.Split(resp.Data.Embeds[0].Description, "\n")
	if len(lines) != len(cmds) {
		t.Fatalf("%d lines for %d commands:\n%s", len(lines), len(cmds), resp.Data.Embeds[0].Description)
	}
	for i, c := range cmds {
		if !strings.HasPrefix(lines[i], "`/"+c.Name) || !strings.HasSuffix(lines[i], c.Description) {
			t.Errorf("line %d %q does not describe /%s", i, lines[i], c.Name)
		}
	}
}
