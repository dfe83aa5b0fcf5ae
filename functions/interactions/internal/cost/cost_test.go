package cost_test

import (
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/functions/interactions/internal/cost"
	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

type failing struct{}

func (failing) Build(context.Context, time.Time) (costreport.Report, error) {
	return costreport.Report{}, errors.New("operation error Cost Explorer: GetCostAndUsage, StatusCode: 500")
}

// TestUnavailableGolden checks what the channel reads when Cost Explorer fails, in each
// language (testdata/golden/unavailable.<lang>.txt): the router shows the worker's error in
// the channel's language, since /cost answers the whole channel.
func TestUnavailableGolden(t *testing.T) {
	t.Parallel()
	texts := catalog.Texts()
	r, err := command.NewRouter(cost.Command(failing{}, time.Now))
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages() {
		req := command.Request{Interaction: discord.Interaction{Type: discord.InteractionApplicationCommand, GuildID: "g",
			Locale: "en-US", Command: &discord.CommandData{Name: "cost"}}, Texts: texts, Language: lang}
		if !r.Quick(t.Context(), req).Deferred() {
			t.Fatal("/cost does not defer")
		}
		msg, err := r.Work(t.Context(), req)
		if err == nil {
			t.Fatal("a failed report is no error")
		}
		if strings.Contains(msg.Content, "[cost.") {
			t.Errorf("missing text: %q", msg.Content)
		}
		i18ntest.Check(t, filepath.Join("testdata", "golden", "unavailable."+string(lang)+".txt"), []byte(msg.Content+"\n"), *update)
	}
}
