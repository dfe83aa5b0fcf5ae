// Package caller sends the suite what Discord and GitHub send it: interactions signed with an
// Ed25519 key as Discord signs them, and webhook deliveries signed with HMAC-SHA256 as GitHub
// signs them, to the local gateway. The tour and the end-to-end tests use it, with the recorded
// GitHub payloads of githubapptest.ReadPayload.
//
// Upstream references:
//   - https://discord.com/developers/docs/interactions/receiving-and-responding#security-and-authorization
//   - https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object
//   - https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
package caller

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/signature/signaturetest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// Edit returns payload with the fields at the given dotted paths set ("workflow_run.path").
func Edit(payload []byte, set map[string]any) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(payload, &doc); err != nil {
		return nil, fmt.Errorf("edit payload: %w", err)
	}
	for path, v := range set {
		keys := strings.Split(path, ".")
		obj := doc
		for _, k := range keys[:len(keys)-1] {
			next, ok := obj[k].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("edit payload: %s: %q is not an object", path, k)
			}
			obj = next
		}
		obj[keys[len(keys)-1]] = v
	}
	return json.Marshal(doc)
}

// Answer is the gateway's answer to a request.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// Discord sends interactions as a Discord application does.
type Discord struct {
	// URL is the gateway's base URL.
	URL    string
	Signer *signaturetest.Signer
	// AppID, GuildID and ChannelID place the interactions.
	AppID, GuildID, ChannelID string
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Worker tells apart the interaction ids of callers that send to one local Discord: give
	// each a different one (0 to 1023).
	Worker int64

	seq atomic.Int64
}

// Member is who sends an interaction.
type Member struct {
	UserID, Username string
	Roles            []string
}

// Interaction is an interaction's JSON and what a test needs to find its answer.
type Interaction struct {
	ID, Token string
	Body      []byte
}

// Option is a slash command option as Discord sends it: string, integer or boolean values.
type Option struct {
	Name  string
	Value any
}

// Ping is the PING Discord sends when the endpoint URL is saved.
func (d *Discord) Ping() Interaction {
	return d.build(discord.InteractionPing, nil, Member{}, nil)
}

// Command is a slash command invoked in the guild channel by m.
func (d *Discord) Command(m Member, name string, opts ...Option) Interaction {
	var options []map[string]any
	for _, o := range opts {
		t := discord.OptionString
		switch o.Value.(type) {
		case int, int64:
			t = discord.OptionInteger
		case bool:
			t = discord.OptionBoolean
		}
		options = append(options, map[string]any{"name": o.Name, "type": t, "value": o.Value})
	}
	data := map[string]any{"id": "1290000000000000" + fmt.Sprintf("%03d", len(name)), "name": name, "type": 1}
	if options != nil {
		data["options"] = options
	}
	return d.build(discord.InteractionApplicationCommand, data, m, nil)
}

// Button is a click by m on the button customID of message.
func (d *Discord) Button(m Member, customID string, message discord.Message) Interaction {
	data := map[string]any{"custom_id": customID, "component_type": discord.ComponentButton}
	return d.build(discord.InteractionMessageComponent, data, m, &message)
}

func (d *Discord) build(t discord.InteractionType, data map[string]any, m Member, message *discord.Message) Interaction {
	id := d.snowflake(d.seq.Add(1))
	var tok [24]byte
	_, _ = rand.Read(tok[:])
	token := "aW50ZXJhY3Rpb24" + hex.EncodeToString(tok[:])
	in := map[string]any{
		"id": id, "application_id": d.AppID, "type": t, "token": token, "version": 1,
	}
	if t != discord.InteractionPing {
		in["guild_id"], in["channel_id"], in["locale"], in["guild_locale"] = d.GuildID, d.ChannelID, "en-US", "en-US"
		in["channel"] = map[string]any{"id": d.ChannelID, "guild_id": d.GuildID, "name": "ops", "type": 0}
		in["app_permissions"], in["context"] = "562949953601536", 0
		roles := m.Roles
		if roles == nil {
			roles = []string{}
		}
		in["member"] = map[string]any{
			"user":  map[string]any{"id": m.UserID, "username": m.Username, "global_name": m.Username, "discriminator": "0"},
			"roles": roles, "permissions": "2248473465835073", "nick": nil, "joined_at": "2024-05-01T09:00:00.000000+00:00",
		}
		in["data"] = data
	}
	if message != nil {
		in["message"] = message
	}
	body, _ := json.Marshal(in)
	return Interaction{ID: id, Token: token, Body: body}
}

// discordEpoch is the first millisecond of 2015, where Discord's ids count from.
const discordEpoch = 1420070400000

// snowflake is a new interaction id laid out as Discord's: the milliseconds since discordEpoch,
// then the caller's Worker in 10 bits and its sequence number n in 12, so that two callers with
// different workers (the tour, the try routes, a test) never give one id twice: the local
// Discord, as Discord, takes one answer per interaction id.
//
// See https://discord.com/developers/docs/reference#snowflakes
func (d *Discord) snowflake(n int64) string {
	return strconv.FormatInt((time.Now().UnixMilli()-discordEpoch)<<22|(d.Worker&0x3FF)<<12|n&0xFFF, 10)
}

// Send signs body with the current time and posts it to /interactions.
func (d *Discord) Send(ctx context.Context, body []byte) (Answer, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	return d.SendSigned(ctx, body, ts, d.Signer.Sign(ts, body))
}

// SendSigned posts body to /interactions with the given timestamp and signature headers.
func (d *Discord) SendSigned(ctx context.Context, body []byte, timestamp, sig string) (Answer, error) {
	return post(ctx, d.Client, d.URL+"/interactions", body, map[string]string{
		"Content-Type":          "application/json",
		"User-Agent":            "Discord-Interactions/1.0 (+https://discord.com)",
		"X-Signature-Ed25519":   sig,
		"X-Signature-Timestamp": timestamp,
	})
}

// GitHub sends webhook deliveries as a GitHub App does.
type GitHub struct {
	// URL is the gateway's base URL; Secret the App's webhook secret.
	URL    string
	Secret string
	Client *http.Client
}

// Send delivers payload as event, JSON-encoded, signed with the secret, and returns the
// answer and the delivery's GUID.
func (g *GitHub) Send(ctx context.Context, event string, payload []byte) (Answer, string, error) {
	return g.SendAs(ctx, event, "application/json", payload, githubapptest.SignWebhook([]byte(g.Secret), payload))
}

// SendAs delivers body with the given content type and X-Hub-Signature-256.
func (g *GitHub) SendAs(ctx context.Context, event, contentType string, body []byte, sig string) (Answer, string, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	delivery := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	a, err := post(ctx, g.Client, g.URL+"/github", body, map[string]string{
		"Content-Type":        contentType,
		"User-Agent":          "GitHub-Hookshot/local",
		"X-GitHub-Event":      event,
		"X-GitHub-Delivery":   delivery,
		"X-Hub-Signature-256": sig,
	})
	return a, delivery, err
}

func post(ctx context.Context, c *http.Client, url string, body []byte, headers map[string]string) (Answer, error) {
	if c == nil {
		c = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("post %s: %w", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Answer{}, fmt.Errorf("read answer of %s: %w", url, err)
	}
	return Answer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}, nil
}

// AboutRepository makes a recorded delivery about fullName ("owner/repo"), where it has a
// repository: every mention of the recorded repository's full name (its URLs, the pull
// request's, the issue's) names fullName instead, and so do the repository's name and owner.
func AboutRepository(payload []byte, fullName string) ([]byte, error) {
	var doc struct {
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(payload, &doc); err != nil || doc.Repository.FullName == "" {
		return payload, err
	}
	owner, name, _ := strings.Cut(fullName, "/")
	payload = bytes.ReplaceAll(payload, []byte(doc.Repository.FullName), []byte(fullName))
	return Edit(payload, map[string]any{
		"repository.name":        name,
		"repository.owner.login": owner,
	})
}
