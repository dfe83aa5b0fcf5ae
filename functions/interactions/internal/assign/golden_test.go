package assign

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares v with testdata/golden/<kind>.<lang>.json (i18ntest.Golden).
func golden(t *testing.T, kind string, lang i18n.Language, v any) {
	t.Helper()
	i18ntest.Golden(t, filepath.Join("testdata", "golden"), kind, lang, v, *update)
}

// TestGolden shows each answer of /assign in English and in Korean: assigned, dropped by
// GitHub, GitHub's refusals, and the option problems only the member sees.
func TestGolden(t *testing.T) {
	t.Parallel()
	gh := githubapptest.NewServer(t)
	gh.SetInstallation("acme", "shop", 7)
	issue := func(status int, body string) http.Handler {
		return gh.RequireInstallation(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		}))
	}
	gh.Handle("POST /repos/acme/shop/issues/42/assignees", issue(http.StatusCreated,
		`{"number": 42, "html_url": "https://github.com/acme/shop/issues/42", "assignees": [{"login": "octocat"}]}`))
	gh.Handle("POST /repos/acme/shop/issues/43/assignees", issue(http.StatusCreated,
		`{"number": 43, "html_url": "https://github.com/acme/shop/issues/43", "assignees": []}`))
	gh.Handle("POST /repos/acme/shop/issues/404/assignees", issue(http.StatusNotFound, `{"message": "Not Found"}`))
	gh.Handle("POST /repos/acme/shop/issues/403/assignees", issue(http.StatusForbidden, `{"message": "Resource not accessible by integration"}`))
	gh.Handle("POST /repos/acme/shop/issues/410/assignees", issue(http.StatusGone, `{"message": "Issues are disabled for this repo"}`))
	gh.Handle("POST /repos/acme/shop/issues/422/assignees", issue(http.StatusUnprocessableEntity, `{"message": "Validation Failed"}`))
	app, err := githubapp.New(githubapp.Options{AppID: gh.AppID, BaseURL: gh.URL, PrivateKeyPEM: gh.PrivateKeyPEM()})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	s := &Service{GitHub: app, Repository: "acme/shop", Audit: audit.NewRecorder(nil, log, nil)}
	def := Command(s, command.Command{Name: "assign"})
	texts := i18n.NewCatalog(Messages())
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			req := func(number int, login, repo string) command.Request {
				data := &discord.CommandData{Name: "assign"}
				for name, v := range map[string]any{"number": number, "assignee": login, "repo": repo} {
					raw, _ := json.Marshal(v)
					typ := discord.OptionString
					if name == "number" {
						typ = discord.OptionInteger
					}
					data.Options = append(data.Options, discord.CommandOption{Name: name, Type: typ, Value: raw})
				}
				return command.Request{Interaction: discord.Interaction{Type: discord.InteractionApplicationCommand, GuildID: "g", Locale: string(lang),
					Member: &discord.Member{User: &discord.User{ID: "200000000000000001", Username: "minji"}}, Command: data},
					RequestID: "req-1", Texts: texts, Language: lang}
			}
			// reply is the message the channel sees, or the *command.Error's message.
			reply := func(number int, login string) string {
				msg, err := def.Work(t.Context(), req(number, login, ""))
				var ce *command.Error
				switch {
				case errors.As(err, &ce):
					return "error: " + ce.Message
				case err != nil:
					return "internal: " + err.Error()
				}
				return msg.Content
			}
			quick := func(number int, login, repo string) string {
				return def.Quick(t.Context(), req(number, login, repo)).Response(discord.InteractionApplicationCommand).Data.Content
			}
			golden(t, "assign", lang, map[string]string{
				"assigned":          reply(42, "@octocat"),
				"dropped":           reply(43, "stranger"),
				"no-such-issue":     reply(404, "octocat"),
				"no-permission":     reply(403, "octocat"),
				"issues-off":        reply(410, "octocat"),
				"refused":           reply(422, "octocat"),
				"bad-number":        quick(0, "octocat", ""),
				"bad-login":         quick(42, "not a login", ""),
				"bad-repo":          quick(42, "octocat", "shop"),
				"bad-login-in-work": reply(42, "a b"),
			})
		})
	}
}
