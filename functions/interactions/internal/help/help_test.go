package help_test

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// helpIn is /help from a member of locale.
func helpIn(texts *i18n.Catalog, locale string) command.Request {
	return command.Request{Interaction: discord.Interaction{Type: discord.InteractionApplicationCommand, Locale: locale,
		Command: &discord.CommandData{Name: "help"}}, Texts: texts, Language: i18n.English}
}

// TestHelpListsTheTable checks that /help has one line per command of the table, in its
// order, itself included, in the member's language, and answers only the invoker; its answer
// in each language is testdata/golden/help.<lang>.json.
func TestHelpListsTheTable(t *testing.T) {
	t.Parallel()
	texts := catalog.Texts()
	cmds := catalog.Table(catalog.Config{DeployEnvironments: []string{"dev"}}, catalog.Deps{})
	last := cmds[len(cmds)-1]
	if last.Name != "help" {
		t.Fatalf("last command %q, want help", last.Name)
	}
	for _, tt := range []struct {
		locale string
		lang   i18n.Language
	}{{"en-US", i18n.English}, {"ko", i18n.Korean}, {"", i18n.English}} {
		t.Run(tt.locale, func(t *testing.T) {
			t.Parallel()
			in := helpIn(texts, tt.locale)
			resp := last.Quick(t.Context(), in).Response(in.Interaction.Type)
			if resp.Data == nil || resp.Data.Flags != discord.FlagEphemeral || len(resp.Data.Embeds) != 1 {
				t.Fatalf("response %+v, want one ephemeral embed", resp)
			}
			p := texts.Printer(tt.lang)
			lines := strings.Split(resp.Data.Embeds[0].Description, "\n")
			if len(lines) != len(cmds) {
				t.Fatalf("%d lines for %d commands:\n%s", len(lines), len(cmds), resp.Data.Embeds[0].Description)
			}
			for i, c := range cmds {
				if !strings.HasPrefix(lines[i], "`/"+c.Name) || !strings.HasSuffix(lines[i], c.Describe(p)) {
					t.Errorf("line %d %q does not describe /%s", i, lines[i], c.Name)
				}
			}
			got, err := json.MarshalIndent(resp, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(got), "[help.") || strings.Contains(string(got), "[command.") {
				t.Errorf("a text is missing from the catalog:\n%s", got)
			}
			if tt.locale != "" {
				i18ntest.Check(t, filepath.Join("testdata", "golden", "help."+string(tt.lang)+".json"), append(got, '\n'), *update)
			}
		})
	}
}

// TestHelpEncodedOnce checks that /help answers each language with the reply it built first:
// no JSON work per request, and the right language for each. (Not parallel: AllocsPerRun
// refuses to run beside other tests.)
func TestHelpEncodedOnce(t *testing.T) {
	texts := catalog.Texts()
	cmds := catalog.Table(catalog.Config{DeployEnvironments: []string{"dev"}}, catalog.Deps{})
	help := cmds[len(cmds)-1]
	ko, en := helpIn(texts, "ko"), helpIn(texts, "en-GB")
	first, _ := help.Quick(t.Context(), ko).JSON(discord.InteractionApplicationCommand)
	english, _ := help.Quick(t.Context(), en).JSON(discord.InteractionApplicationCommand)
	again, _ := help.Quick(t.Context(), ko).JSON(discord.InteractionApplicationCommand)
	if first != again || first == english {
		t.Errorf("Korean answers differ or match the English one:\n%s\n%s\n%s", first, again, english)
	}
	if !strings.Contains(first, "ChatOps 명령") || !strings.Contains(english, "ChatOps commands") {
		t.Errorf("answers in the wrong language:\n%s\n%s", first, english)
	}
	allocs := testing.AllocsPerRun(100, func() { help.Quick(t.Context(), ko).JSON(discord.InteractionApplicationCommand) })
	if allocs != 0 {
		t.Errorf("a warm /help allocates %.0f times, want 0", allocs)
	}
}
