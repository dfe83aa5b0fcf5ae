package assign

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/people"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// TestGoldenMember assigns to a Discord member through the login they linked (/link), in a
// moto table, in English and in Korean: the member linked, one who is not, and the options
// that give both or neither.
func TestGoldenMember(t *testing.T) {
	t.Parallel()
	gh := githubapptest.NewServer(t)
	gh.SetInstallation("acme", "shop", 7)
	gh.Handle("POST /repos/acme/shop/issues/42/assignees", gh.RequireInstallation(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Assignees []string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Assignees) != 1 {
			t.Errorf("assignees %v, %v; want one login", body.Assignees, err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"number": 42, "html_url": "https://github.com/acme/shop/issues/42", "assignees": [{"login": %q}]}`, body.Assignees[0])
	})))
	app, err := githubapp.New(githubapp.Options{AppID: gh.AppID, BaseURL: gh.URL, PrivateKeyPEM: gh.PrivateKeyPEM()})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	links := people.Store{Table: statetest.New(t, mototest.Start(t), statetest.NewClock(at).Now)}
	if err := links.Put(t.Context(), people.Link{DiscordID: "200000000000000007", Login: "OctoCat", Verified: true, At: at}); err != nil {
		t.Fatal(err)
	}
	s := &Service{GitHub: app, Repository: "acme/shop", Links: links, Audit: audit.NewRecorder(nil, slog.New(slog.DiscardHandler), nil)}
	def := Command(s, command.Command{Name: "assign"})
	unlinked := Command(&Service{GitHub: app, Repository: "acme/shop", Audit: s.Audit}, command.Command{Name: "assign"})
	texts := i18n.NewCatalog(Messages())
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			// answer runs cmd with options as the router would: the quick refusal, or the worker's
			// message, or its *command.Error's.
			answer := func(cmd command.Command, options map[string]any) string {
				data := &discord.CommandData{Name: "assign"}
				for name, v := range options {
					raw, _ := json.Marshal(v)
					typ := map[string]discord.OptionType{"number": discord.OptionInteger, "member": discord.OptionUser}[name]
					if typ == 0 {
						typ = discord.OptionString
					}
					data.Options = append(data.Options, discord.CommandOption{Name: name, Type: typ, Value: raw})
				}
				req := command.Request{Interaction: discord.Interaction{Type: discord.InteractionApplicationCommand, GuildID: "g", Locale: string(lang),
					Member: &discord.Member{User: &discord.User{ID: "200000000000000001", Username: "minji"}}, Command: data},
					RequestID: "req-1", Texts: texts, Language: lang}
				if r := cmd.Quick(t.Context(), req); !r.Deferred() {
					return "quick: " + r.Response(discord.InteractionApplicationCommand).Data.Content
				}
				msg, err := cmd.Work(t.Context(), req)
				if ce := (*command.Error)(nil); errors.As(err, &ce) {
					return "error: " + ce.Message
				} else if err != nil {
					return "internal: " + err.Error()
				}
				return msg.Content
			}
			golden(t, "assign-member", lang, map[string]string{
				"assigned-member": answer(def, map[string]any{"number": 42, "member": "200000000000000007"}),
				"unlinked-member": answer(def, map[string]any{"number": 42, "member": "200000000000000008"}),
				"no-table":        answer(unlinked, map[string]any{"number": 42, "member": "200000000000000007"}),
				"both":            answer(def, map[string]any{"number": 42, "member": "200000000000000007", "assignee": "octocat"}),
				"neither":         answer(def, map[string]any{"number": 42}),
			})
		})
	}
}
