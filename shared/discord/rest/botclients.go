package rest

import "sync"

// BotClients hands out the Client for a bot token: it builds one once and again only when the
// token changes (rotated in SSM), so that a warm execution environment keeps a single Client
// and, with it, the rate limits Discord has told it about. It is safe for concurrent use.
type BotClients struct {
	// Options are the clients' settings; BotToken is set from the token asked for. Change them
	// before the first call to Client.
	Options Options

	mu     sync.Mutex
	token  string
	client *Client
}

// NewBotClients returns BotClients that build clients with o.
func NewBotClients(o Options) *BotClients { return &BotClients{Options: o} }

// Client returns the Client for token.
func (b *BotClients) Client(token string) *Client {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client == nil || b.token != token {
		o := b.Options
		o.BotToken = token
		b.client, b.token = New(o), token
	}
	return b.client
}
