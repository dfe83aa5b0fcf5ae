package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
)

// DefaultBaseURL is Discord's REST base, version included (DISCORD_API_URL's default).
const DefaultBaseURL = "https://discord.com/api/v10"

// UserAgent is sent with every request, in the form Discord requires of bots.
const UserAgent = "DiscordBot (https://github.com/discord-chatops/chatops, 1.0)"

// Defaults for Options left zero.
const (
	DefaultMaxRetries = 3
	DefaultMaxWait    = 8 * time.Second
	// DefaultTimeout bounds one attempt when Options.HTTPClient is nil.
	DefaultTimeout = 10 * time.Second
)

// firstBackoff is the wait before the first retry of a server error; it doubles after each.
const firstBackoff = 500 * time.Millisecond

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// Options configures a Client. Only BaseURL and BotToken are usually set.
type Options struct {
	// BaseURL is DISCORD_API_URL; DefaultBaseURL when empty.
	BaseURL string
	// BotToken authorizes channel and command calls. Interaction webhook calls never send it.
	BotToken string
	// HTTPClient defaults to a client with DefaultTimeout.
	HTTPClient *http.Client
	// MaxRetries bounds the retries after the first attempt: DefaultMaxRetries when zero, none
	// when negative.
	MaxRetries int
	// MaxWait bounds the time one call spends waiting for rate limits and backoff:
	// DefaultMaxWait when zero, no waiting at all when negative.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; tests replace it. The default waits on a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock rate-limit resets are measured on; tests replace it with one that
	// Sleep advances. The default is time.Now.
	Now func() time.Time
}

// Client calls Discord's REST API. It is safe for concurrent use; build one per process and
// share it, so that calls see each other's rate limits.
type Client struct {
	baseURL    string
	botToken   string
	httpClient *http.Client
	maxRetries int
	maxWait    time.Duration
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time

	mu          sync.Mutex
	routeReset  map[string]time.Time // per route: no call before this time
	globalReset time.Time            // no call on any route before this time
}

// New returns a Client with o's settings, zero fields taking their defaults.
func New(o Options) *Client {
	c := &Client{
		baseURL:    strings.TrimSuffix(o.BaseURL, "/"),
		botToken:   o.BotToken,
		httpClient: o.HTTPClient,
		maxRetries: o.MaxRetries,
		maxWait:    o.MaxWait,
		sleep:      o.Sleep,
		now:        o.Now,
		routeReset: make(map[string]time.Time),
	}
	if c.baseURL == "" {
		c.baseURL = DefaultBaseURL
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	switch {
	case c.maxWait == 0:
		c.maxWait = DefaultMaxWait
	case c.maxWait < 0:
		c.maxWait = 0
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// EditOriginal edits the first response to an interaction, typically one answered with
// discord.Deferred, through the interaction token (valid 15 minutes; no bot token). Fields of
// m left empty keep their value; an empty, non-nil m.Components removes the buttons.
func (c *Client) EditOriginal(ctx context.Context, applicationID, token string, m discord.Message) (discord.Message, error) {
	r, err := webhookRoute(http.MethodPatch, applicationID, token, "/messages/@original")
	if err != nil {
		return discord.Message{}, err
	}
	var out discord.Message
	return out, c.do(ctx, r, messageBody(m, false), &out)
}

// GetOriginal reads the first response to an interaction through its token (no bot token):
// for a button answered with UPDATE_MESSAGE or DEFERRED_UPDATE_MESSAGE, the message the button
// is on. Read it before an edit that must keep what others have put on the message since.
//
// See https://discord.com/developers/docs/interactions/receiving-and-responding#get-original-interaction-response
func (c *Client) GetOriginal(ctx context.Context, applicationID, token string) (discord.Message, error) {
	r, err := webhookRoute(http.MethodGet, applicationID, token, "/messages/@original")
	if err != nil {
		return discord.Message{}, err
	}
	var out discord.Message
	return out, c.do(ctx, r, nil, &out)
}

// CreateFollowup posts another message for an interaction through its token, and returns it
// as created (wait=true). m.Flags may carry discord.FlagEphemeral.
func (c *Client) CreateFollowup(ctx context.Context, applicationID, token string, m discord.Message) (discord.Message, error) {
	r, err := webhookRoute(http.MethodPost, applicationID, token, "")
	if err != nil {
		return discord.Message{}, err
	}
	r.query = "?wait=true"
	var out discord.Message
	return out, c.do(ctx, r, messageBody(m, false), &out)
}

// CreateMessage posts m to a channel as the bot. Set m.Nonce with m.EnforceNonce to make a
// retried post appear once.
func (c *Client) CreateMessage(ctx context.Context, channelID string, m discord.Message) (discord.Message, error) {
	r, err := botRoute(http.MethodPost, "channels", channelID, "messages")
	if err != nil {
		return discord.Message{}, err
	}
	var out discord.Message
	return out, c.do(ctx, r, messageBody(m, true), &out)
}

// GetMessage reads a message of a channel, embeds and components included, for example to
// edit one part of it and keep the rest. Reading needs the bot's READ_MESSAGE_HISTORY
// permission in the channel; Discord answers 404 (code 10008) when the message is gone.
//
// See https://discord.com/developers/docs/resources/message#get-channel-message
func (c *Client) GetMessage(ctx context.Context, channelID, messageID string) (discord.Message, error) {
	r, err := botRoute(http.MethodGet, "channels", channelID, "messages", messageID)
	if err != nil {
		return discord.Message{}, err
	}
	var out discord.Message
	return out, c.do(ctx, r, nil, &out)
}

// EditMessage edits a message the bot posted. Fields of m left empty keep their value; an
// empty, non-nil m.Components removes the buttons.
func (c *Client) EditMessage(ctx context.Context, channelID, messageID string, m discord.Message) (discord.Message, error) {
	r, err := botRoute(http.MethodPatch, "channels", channelID, "messages", messageID)
	if err != nil {
		return discord.Message{}, err
	}
	var out discord.Message
	return out, c.do(ctx, r, messageBody(m, false), &out)
}

// Thread is a thread channel, as StartThread returns it.
type Thread struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ErrCodeThreadExists is Discord's error code for a message that already has a thread
// ("A thread has already been created for this message"). A thread started from a message
// has the message's id, so a caller that gets it knows the thread.
const ErrCodeThreadExists = 160004

// StartThread starts a public thread on a message of a channel, named name (at most 100
// characters). A message has at most one thread: a second start fails with a *Error whose
// Code is ErrCodeThreadExists.
//
// See https://discord.com/developers/docs/resources/channel#start-thread-from-message
func (c *Client) StartThread(ctx context.Context, channelID, messageID, name string) (Thread, error) {
	r, err := botRoute(http.MethodPost, "channels", channelID, "messages", messageID, "threads")
	if err != nil {
		return Thread{}, err
	}
	var out Thread
	return out, c.do(ctx, r, map[string]any{"name": name}, &out)
}

// BulkOverwriteCommands replaces the application's whole command set: in one guild, where
// changes show at once, or globally when guildID is empty. It returns the commands as
// registered, ids included.
func (c *Client) BulkOverwriteCommands(ctx context.Context, applicationID, guildID string, cmds []discord.Command) ([]discord.Command, error) {
	segments := []string{"applications", applicationID, "commands"}
	if guildID != "" {
		segments = []string{"applications", applicationID, "guilds", guildID, "commands"}
	}
	r, err := botRoute(http.MethodPut, segments...)
	if err != nil {
		return nil, err
	}
	if cmds == nil {
		cmds = []discord.Command{} // null would be read as "no change"; [] is what was asked
	}
	var out []discord.Command
	return out, c.do(ctx, r, cmds, &out)
}

// outgoingMessage holds the fields a message request accepts; the response-only fields of
// discord.Message (id, author, timestamp...) are never sent.
type outgoingMessage struct {
	Content         string                    `json:"content,omitempty"`
	Embeds          []discord.Embed           `json:"embeds,omitzero"`
	Components      []discord.Component       `json:"components,omitzero"`
	Flags           discord.MessageFlags      `json:"flags,omitempty"`
	AllowedMentions *discord.AllowedMentions  `json:"allowed_mentions,omitempty"`
	Nonce           string                    `json:"nonce,omitempty"`
	EnforceNonce    bool                      `json:"enforce_nonce,omitempty"`
	Reference       *discord.MessageReference `json:"message_reference,omitempty"`
}

// messageBody is m within Discord's limits, pinging nobody unless m says otherwise. Nonces and
// replies exist only on channel message creation.
func messageBody(m discord.Message, channelCreate bool) outgoingMessage {
	m = m.Fit()
	if m.AllowedMentions == nil {
		m.AllowedMentions = discord.NoMentions()
	}
	b := outgoingMessage{
		Content:         m.Content,
		Embeds:          m.Embeds,
		Components:      m.Components,
		Flags:           m.Flags,
		AllowedMentions: m.AllowedMentions,
	}
	if channelCreate {
		b.Nonce, b.EnforceNonce, b.Reference = m.Nonce, m.EnforceNonce, m.Reference
	}
	return b
}

// route is one call's method and path. path is sent; shown replaces the interaction token
// with "{token}" and is the only form that reaches an error.
type route struct {
	method string
	path   string
	query  string
	shown  string
	bot    bool
}

func webhookRoute(method, applicationID, token, suffix string) (route, error) {
	shown := "/webhooks/" + url.PathEscape(applicationID) + "/{token}" + suffix
	if applicationID == "" || token == "" {
		return route{}, fmt.Errorf("%s %s: empty application id or token", method, shown)
	}
	return route{
		method: method,
		path:   "/webhooks/" + url.PathEscape(applicationID) + "/" + url.PathEscape(token) + suffix,
		shown:  shown,
	}, nil
}

func botRoute(method string, segments ...string) (route, error) {
	var b strings.Builder
	empty := false
	for _, s := range segments {
		b.WriteString("/" + url.PathEscape(s))
		empty = empty || s == ""
	}
	r := route{method: method, path: b.String(), shown: b.String(), bot: true}
	if empty {
		return route{}, fmt.Errorf("%s %s: empty id", method, r.shown)
	}
	return r, nil
}

func (r route) errorf(format string, args ...any) error {
	return fmt.Errorf("%s %s: "+format, append([]any{r.method, r.shown}, args...)...)
}

// key identifies the route's rate-limit bucket closely enough: Discord buckets by route and
// major parameter (channel, guild, webhook and token), all of which the path holds.
func (r route) key() string {
	return r.method + " " + r.path
}

// do sends the request, with in as its JSON body unless in is nil, retrying 429s and server
// errors while retries and wait budget last, and decodes a 2xx body into out.
func (c *Client) do(ctx context.Context, r route, in, out any) error {
	if r.bot && c.botToken == "" {
		return r.errorf("no bot token")
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return r.errorf("encode body: %w", err)
		}
	}
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		if d, global := c.pendingWait(r); d > 0 {
			if d > c.maxWait-waited {
				return &RateLimitError{RetryAfter: d, Global: global, Method: r.method, Path: r.shown}
			}
			if err := c.sleep(ctx, d); err != nil {
				return r.errorf("wait for rate limit: %w", err)
			}
			waited += d
		}
		backoff, err := c.attempt(ctx, r, body, out, attempt)
		if err == nil || backoff < 0 || attempt >= c.maxRetries {
			return err
		}
		if backoff > c.maxWait-waited {
			return err
		}
		if backoff > 0 {
			if err := c.sleep(ctx, backoff); err != nil {
				return r.errorf("wait to retry: %w", err)
			}
			waited += backoff
		}
	}
}

// attempt sends the request once. On failure it also says when to retry: a negative backoff
// means never; a 429 returns 0, having recorded its wait for do's next pendingWait.
func (c *Client) attempt(ctx context.Context, r route, body []byte, out any, n int) (backoff time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, r.method, c.baseURL+r.path+r.query, bytes.NewReader(body))
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL holds the token
		}
		return -1, r.errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.bot {
		req.Header.Set("Authorization", "Bot "+c.botToken)
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL holds the token
		}
		if ctx.Err() != nil {
			return -1, r.errorf("%w", err)
		}
		return backoffFor(n), r.errorf("%w", err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
	}()
	c.recordRemaining(r, resp.Header)

	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if out == nil || resp.StatusCode == http.StatusNoContent {
			return 0, nil
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return -1, r.errorf("decode response: %w", err)
		}
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		rl := c.rateLimited(r, resp)
		return 0, rl
	case resp.StatusCode >= 500:
		return max(backoffFor(n), headerSeconds(resp.Header, "Retry-After")), apiError(r, resp)
	default:
		return -1, apiError(r, resp)
	}
}

func backoffFor(n int) time.Duration {
	return firstBackoff << min(n, 10)
}

// pendingWait is how long the route must wait before its next request, and whether the wait
// is the global one.
func (c *Client) pendingWait(r route) (time.Duration, bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	onRoute, onAll := c.routeReset[r.key()].Sub(now), c.globalReset.Sub(now)
	if onAll >= onRoute {
		return onAll, onAll > 0
	}
	return onRoute, false
}

// recordRemaining notes a bucket that is spent (X-RateLimit-Remaining: 0) until its reset.
func (c *Client) recordRemaining(r route, h http.Header) {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	if d := headerSeconds(h, "X-RateLimit-Reset-After"); d > 0 {
		c.holdRoute(r, d, false)
	}
}

// rateLimited reads a 429 and records its wait for the route, or for every route when Discord
// says the limit is global.
func (c *Client) rateLimited(r route, resp *http.Response) *RateLimitError {
	var b struct {
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&b) // the headers say it too
	wait := max(seconds(b.RetryAfter), headerSeconds(resp.Header, "Retry-After"))
	if wait <= 0 {
		wait = headerSeconds(resp.Header, "X-RateLimit-Reset-After")
	}
	if wait <= 0 {
		wait = firstBackoff // Discord always says how long; guard against a proxy that does not
	}
	global := b.Global || resp.Header.Get("X-RateLimit-Global") == "true"
	c.holdRoute(r, wait, global)
	return &RateLimitError{RetryAfter: wait, Global: global, Method: r.method, Path: r.shown}
}

func (c *Client) holdRoute(r route, d time.Duration, global bool) {
	now := c.now()
	until := now.Add(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	if global {
		c.globalReset = maxTime(c.globalReset, until)
		return
	}
	for k, t := range c.routeReset {
		if !t.After(now) {
			delete(c.routeReset, k) // keyed by interaction token: do not keep them all
		}
	}
	c.routeReset[r.key()] = maxTime(c.routeReset[r.key()], until)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// headerSeconds reads a header of (possibly fractional) seconds; 0 when absent or invalid.
func headerSeconds(h http.Header, name string) time.Duration {
	f, err := strconv.ParseFloat(h.Get(name), 64)
	if err != nil {
		return 0
	}
	return seconds(f)
}

// seconds converts Discord's float seconds, clamping what no duration can hold.
func seconds(f float64) time.Duration {
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= math.MaxInt64/float64(time.Second):
		return math.MaxInt64
	}
	return time.Duration(math.Ceil(f * float64(time.Second)))
}
