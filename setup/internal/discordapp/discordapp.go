package discordapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/discord/rest"
)

// Application is the part of Discord's application object setup reads.
type Application struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// VerifyKey is the Ed25519 public key, hex: the stack's discordPublicKey.
	VerifyKey               string `json:"verify_key"`
	InteractionsEndpointURL string `json:"interactions_endpoint_url"`
	Bot                     *User  `json:"bot"`
}

// User is a Discord user; the bot is one.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Bot      bool   `json:"bot"`
}

// Guild is a server the bot is in.
type Guild struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	OwnerID string `json:"owner_id,omitempty"`
}

// Channel types setup offers for notifications: the ones a bot can post messages in.
const (
	ChannelText         = 0
	ChannelAnnouncement = 5
)

// Channel is a guild channel.
type Channel struct {
	ID                   string      `json:"id"`
	Name                 string      `json:"name"`
	Type                 int         `json:"type"`
	GuildID              string      `json:"guild_id,omitempty"`
	ParentID             string      `json:"parent_id,omitempty"`
	Position             int         `json:"position"`
	PermissionOverwrites []Overwrite `json:"permission_overwrites,omitempty"`
}

// Postable says whether the bot could post messages in the channel at all, permissions aside.
func (c Channel) Postable() bool { return c.Type == ChannelText || c.Type == ChannelAnnouncement }

// Overwrite types.
const (
	OverwriteRole   = 0
	OverwriteMember = 1
)

// Overwrite is a channel's permission overwrite for a role or a member.
type Overwrite struct {
	ID    string      `json:"id"`
	Type  int         `json:"type"`
	Allow Permissions `json:"allow"`
	Deny  Permissions `json:"deny"`
}

// Role is a guild role. The guild's @everyone role has the guild's id.
type Role struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Permissions Permissions `json:"permissions"`
	Position    int         `json:"position"`
	// Managed roles belong to an integration (a bot's own role): nobody is given them by hand.
	Managed bool `json:"managed"`
}

// Member is a guild member: the roles it holds.
type Member struct {
	Roles []string `json:"roles"`
}

// Command is a registered application command.
type Command struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// DefaultMemberPermissions is the permission bitfield a member needs to see the command
	// unless a server admin overrides it in Integrations; nil means everyone.
	DefaultMemberPermissions *string `json:"default_member_permissions"`
}

// CommandPermissions are a server admin's overrides (Server Settings > Integrations) for one
// command, or for every command when ID is the application's id.
type CommandPermissions struct {
	ID          string              `json:"id"`
	Permissions []CommandPermission `json:"permissions"`
}

// CommandPermission types.
const (
	CommandPermissionRole = 1
	CommandPermissionUser = 2
)

// CommandPermission allows or denies a role, a member or a channel one command.
type CommandPermission struct {
	ID         string `json:"id"`
	Type       int    `json:"type"`
	Permission bool   `json:"permission"`
}

// Error is Discord's refusal of a request.
type Error struct {
	Method, Path string
	Status       int
	Code         int    `json:"code"`
	Message      string `json:"message"`
	// Errors holds the field errors of a 400 Invalid Form Body, as Discord sent them.
	Errors json.RawMessage `json:"errors,omitempty"`
}

func (e *Error) Error() string {
	s := fmt.Sprintf("discord %s %s: %d", e.Method, e.Path, e.Status)
	if e.Message != "" {
		s += fmt.Sprintf(" %s (code %d)", e.Message, e.Code)
	}
	if len(e.Errors) > 0 {
		s += ": " + string(e.Errors)
	}
	return s
}

// Client calls Discord as the bot.
type Client struct {
	baseURL    string
	token      string
	httpClient *http.Client
}

// New returns a Client for the REST base baseURL (DISCORD_API_URL, version included) that
// authorizes with the bot token; httpClient nil means one with a 15-second timeout.
func New(baseURL, token string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 15 * time.Second}
	}
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), token: token, httpClient: httpClient}
}

// Application returns the bot's application (GET /applications/@me).
func (c *Client) Application(ctx context.Context) (Application, error) {
	var a Application
	return a, c.do(ctx, http.MethodGet, "/applications/@me", nil, &a)
}

// SetInteractionsURL sets the application's Interactions Endpoint URL. Discord first sends the
// URL a signed PING and a forged one, and refuses the change (400) unless both are answered
// correctly.
func (c *Client) SetInteractionsURL(ctx context.Context, url string) (Application, error) {
	var a Application
	return a, c.do(ctx, http.MethodPatch, "/applications/@me", map[string]string{"interactions_endpoint_url": url}, &a)
}

// Me returns the bot user (GET /users/@me): the call that says whether the token is accepted.
func (c *Client) Me(ctx context.Context) (User, error) {
	var u User
	return u, c.do(ctx, http.MethodGet, "/users/@me", nil, &u)
}

// Guilds lists the servers the bot is in.
func (c *Client) Guilds(ctx context.Context) ([]Guild, error) {
	var gs []Guild
	return gs, c.do(ctx, http.MethodGet, "/users/@me/guilds", nil, &gs)
}

// Guild returns one server, with its owner.
func (c *Client) Guild(ctx context.Context, guildID string) (Guild, error) {
	var g Guild
	return g, c.do(ctx, http.MethodGet, "/guilds/"+guildID, nil, &g)
}

// Channels lists a server's channels.
func (c *Client) Channels(ctx context.Context, guildID string) ([]Channel, error) {
	var cs []Channel
	return cs, c.do(ctx, http.MethodGet, "/guilds/"+guildID+"/channels", nil, &cs)
}

// Channel returns one channel; Discord answers 403 Missing Access when the bot cannot see it.
func (c *Client) Channel(ctx context.Context, channelID string) (Channel, error) {
	var ch Channel
	return ch, c.do(ctx, http.MethodGet, "/channels/"+channelID, nil, &ch)
}

// Roles lists a server's roles.
func (c *Client) Roles(ctx context.Context, guildID string) ([]Role, error) {
	var rs []Role
	return rs, c.do(ctx, http.MethodGet, "/guilds/"+guildID+"/roles", nil, &rs)
}

// Member returns a server's member.
func (c *Client) Member(ctx context.Context, guildID, userID string) (Member, error) {
	var m Member
	return m, c.do(ctx, http.MethodGet, "/guilds/"+guildID+"/members/"+userID, nil, &m)
}

// Commands lists the application's commands, global (guildID "") or of one server.
func (c *Client) Commands(ctx context.Context, applicationID, guildID string) ([]Command, error) {
	path := "/applications/" + applicationID + "/commands"
	if guildID != "" {
		path = "/applications/" + applicationID + "/guilds/" + guildID + "/commands"
	}
	var cmds []Command
	return cmds, c.do(ctx, http.MethodGet, path, nil, &cmds)
}

// CommandPermissions lists a server admin's command overrides in a server. A bot may read
// them; only an admin's own OAuth token may change them.
func (c *Client) CommandPermissions(ctx context.Context, applicationID, guildID string) ([]CommandPermissions, error) {
	var ps []CommandPermissions
	return ps, c.do(ctx, http.MethodGet, "/applications/"+applicationID+"/guilds/"+guildID+"/commands/permissions", nil, &ps)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return fmt.Errorf("discord %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bot "+c.token)
	req.Header.Set("User-Agent", rest.UserAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("discord %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("discord %s %s: read the answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Method: method, Path: path, Status: resp.StatusCode}
		_ = json.Unmarshal(raw, e)
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("discord %s %s: decode the answer: %w", method, path, err)
	}
	return nil
}
