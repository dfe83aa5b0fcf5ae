// Package discordapptest serves, on top of shared/discord/discordtest, the application and
// guild endpoints setup, the wiring and doctor call: GET and PATCH /applications/@me (the
// PATCH checks the new Interactions Endpoint URL as Discord does, with a signed PING), the bot
// user, its guilds, their channels, roles and members. The state is the test's to set.
package discordapptest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/setup/internal/discordapp"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
)

// Guild is a server the bot is in, with what it holds.
type Guild struct {
	discordapp.Guild
	Channels []discordapp.Channel
	Roles    []discordapp.Role
	// BotRoles are the roles the bot member holds.
	BotRoles []string
}

// Fake is the application side of a fake Discord.
type Fake struct {
	// Server is the underlying fake: its URL is DISCORD_API_URL.
	*discordtest.Server
	// Key signs the PINGs sent to a new Interactions Endpoint URL; its public half is the
	// application's verify_key.
	Key ed25519.PrivateKey

	mu     sync.Mutex
	app    discordapp.Application
	token  string
	guilds []Guild
	client *http.Client
	perms  map[string][]discordapp.CommandPermissions // by guild
}

// New starts a fake for the application appID whose bot has token; seed makes its key.
func New(t testing.TB, appID, token string) *Fake {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	f := &Fake{
		Server: discordtest.NewServer(t, discordtest.Options{AppID: appID, BotToken: token}),
		Key:    key,
		token:  token,
		app: discordapp.Application{ID: appID, Name: "ChatOps", VerifyKey: hex.EncodeToString(key.Public().(ed25519.PublicKey)),
			Bot: &discordapp.User{ID: appID, Username: "chatops", Bot: true}},
		client: &http.Client{Timeout: 10 * time.Second},
		perms:  map[string][]discordapp.CommandPermissions{},
	}
	f.Intercept(f.serve)
	return f
}

// AddGuild puts the bot in a guild.
func (f *Fake) AddGuild(g Guild) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.guilds = append(f.guilds, g)
}

// SetCommandPermissions sets a server admin's command overrides in a guild.
func (f *Fake) SetCommandPermissions(guildID string, perms []discordapp.CommandPermissions) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.perms[guildID] = perms
}

// SetEndpoint sets the Interactions Endpoint URL without the PING check.
func (f *Fake) SetEndpoint(url string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.app.InteractionsEndpointURL = url
}

// Endpoint returns the Interactions Endpoint URL.
func (f *Fake) Endpoint() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.app.InteractionsEndpointURL
}

func reply(status int, v any) discordtest.Reply {
	b, _ := json.Marshal(v)
	return discordtest.Reply{Status: status, Body: string(b)}
}

func (f *Fake) serve(r discordtest.Request) (discordtest.Reply, bool) {
	path := strings.TrimPrefix(r.Path, discordtest.APIPath)
	parts := strings.Split(strings.Trim(path, "/"), "/")
	commands := r.Method == http.MethodGet && parts[0] == "applications" && len(parts) >= 3 && parts[len(parts)-1] != "@me" &&
		(parts[len(parts)-1] == "commands" || parts[len(parts)-1] == "permissions")
	known := commands || (parts[0] == "applications" && len(parts) == 2 && parts[1] == "@me") ||
		(parts[0] == "users" && len(parts) >= 2 && parts[1] == "@me") || parts[0] == "guilds" ||
		(parts[0] == "channels" && len(parts) == 2 && r.Method == http.MethodGet)
	if !known {
		return discordtest.Reply{}, false
	}
	if !strings.HasPrefix(r.Header.Get("User-Agent"), "DiscordBot (") {
		return discordtest.Error(http.StatusBadRequest, 0, "User-Agent must be DiscordBot ($url, $versionNumber)"), true
	}
	if r.Header.Get("Authorization") != "Bot "+f.token {
		return discordtest.Error(http.StatusUnauthorized, 0, "401: Unauthorized"), true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case commands && parts[len(parts)-1] == "permissions" && len(parts) == 6:
		return reply(http.StatusOK, f.perms[parts[3]]), true
	case commands && len(parts) == 3:
		return reply(http.StatusOK, f.Server.Commands("")), true
	case commands && len(parts) == 5:
		return reply(http.StatusOK, f.Server.Commands(parts[3])), true
	case path == "/applications/@me" && r.Method == http.MethodGet:
		return reply(http.StatusOK, f.app), true
	case path == "/applications/@me" && r.Method == http.MethodPatch:
		var body struct {
			URL *string `json:"interactions_endpoint_url"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || body.URL == nil {
			return discordtest.Error(http.StatusBadRequest, 50035, "Invalid Form Body"), true
		}
		if !f.verifyLocked(*body.URL) {
			return reply(http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body",
				"errors": map[string]any{"interactions_endpoint_url": map[string]any{"_errors": []map[string]string{{
					"code": "APPLICATION_INTERACTIONS_ENDPOINT_URL_INVALID", "message": "The specified interactions endpoint url could not be verified."}}}}}), true
		}
		f.app.InteractionsEndpointURL = *body.URL
		return reply(http.StatusOK, f.app), true
	case path == "/users/@me":
		return reply(http.StatusOK, f.app.Bot), true
	case path == "/users/@me/guilds":
		gs := make([]discordapp.Guild, 0, len(f.guilds))
		for _, g := range f.guilds {
			gs = append(gs, discordapp.Guild{ID: g.ID, Name: g.Name})
		}
		return reply(http.StatusOK, gs), true
	case parts[0] == "channels":
		for _, g := range f.guilds {
			for _, c := range g.Channels {
				if c.ID == parts[1] {
					c.GuildID = g.ID
					return reply(http.StatusOK, c), true
				}
			}
		}
		return discordtest.Error(http.StatusNotFound, 10003, "Unknown Channel"), true
	case parts[0] == "guilds" && len(parts) >= 2:
		for _, g := range f.guilds {
			if g.ID != parts[1] {
				continue
			}
			switch {
			case len(parts) == 2:
				return reply(http.StatusOK, g.Guild), true
			case len(parts) == 3 && parts[2] == "channels":
				return reply(http.StatusOK, g.Channels), true
			case len(parts) == 3 && parts[2] == "roles":
				return reply(http.StatusOK, g.Roles), true
			case len(parts) == 4 && parts[2] == "members" && parts[3] == f.app.Bot.ID:
				return reply(http.StatusOK, discordapp.Member{Roles: g.BotRoles}), true
			}
		}
		return discordtest.Error(http.StatusNotFound, 10004, "Unknown Guild"), true
	}
	return discordtest.Error(http.StatusNotFound, 0, "404: Not Found"), true
}

// verifyLocked sends url a signed PING, as Discord does before it accepts a new Interactions
// Endpoint URL, and says whether it answered PONG. (Discord also sends a forged one, which
// must get 401; doctor checks that.)
func (f *Fake) verifyLocked(url string) bool {
	body := []byte(`{"type":1,"id":"1","application_id":"` + f.app.ID + `","token":"ping","version":1}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(f.Key, append([]byte(ts), body...))))
	resp, err := f.client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var pong struct {
		Type int `json:"type"`
	}
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&pong) == nil && pong.Type == 1
}

// Application returns the application as Discord holds it.
func (f *Fake) Application() discordapp.Application {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.app
}
