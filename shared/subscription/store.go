package subscription

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/discord-chatops/chatops/shared/state"
)

// PK is the partition of every subscription. One partition: a delivery reads the
// subscriptions of its repository and /subscriptions those of a channel, both one Query
// filtered on an attribute; a team has tens of subscriptions, not thousands.
const PK = "subscription"

// Limit is the most subscriptions one repository or one channel may have: what a Query reads
// back, and what a channel lists.
const Limit = 50

// Subscription is one channel's subscription to one repository.
type Subscription struct {
	// Repo is owner/name, lower-cased: GitHub names are case-insensitive.
	Repo      string `dynamodbav:"repo"`
	ChannelID string `dynamodbav:"channel_id"`
	GuildID   string `dynamodbav:"guild_id,omitempty"`
	Filter
	// By is the Discord user id of the member who subscribed, At when.
	By string    `dynamodbav:"by,omitempty"`
	At time.Time `dynamodbav:"at"`
}

// Key is the item of the subscription of channelID to repo.
func Key(repo, channelID string) state.Key {
	return state.Key{PK: PK, SK: strings.ToLower(repo) + "#" + channelID}
}

// Table is the part of *state.Table a Store uses.
type Table interface {
	Get(ctx context.Context, key state.Key, out any) (int64, error)
	Put(ctx context.Context, key state.Key, ttl time.Duration, v any) error
	Release(ctx context.Context, key state.Key) error
	Query(ctx context.Context, in state.QueryInput, out any) (bool, error)
}

// Store reads and writes subscriptions in the state table. They never expire.
type Store struct{ Table Table }

// Put writes s, replacing the channel's earlier subscription to the same repository.
func (st Store) Put(ctx context.Context, s Subscription) error {
	s.Repo = strings.ToLower(s.Repo)
	if err := st.Table.Put(ctx, Key(s.Repo, s.ChannelID), 0, s); err != nil {
		return fmt.Errorf("subscribe %s to %s: %w", s.ChannelID, s.Repo, err)
	}
	return nil
}

// Delete removes the subscription of channelID to repo, and reports whether there was one.
func (st Store) Delete(ctx context.Context, repo, channelID string) (bool, error) {
	var s Subscription
	switch _, err := st.Table.Get(ctx, Key(repo, channelID), &s); {
	case errors.Is(err, state.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("unsubscribe %s from %s: %w", channelID, repo, err)
	}
	if err := st.Table.Release(ctx, Key(repo, channelID)); err != nil {
		return false, fmt.Errorf("unsubscribe %s from %s: %w", channelID, repo, err)
	}
	return true, nil
}

// ForRepo reads the subscriptions to repo, ordered by channel.
func (st Store) ForRepo(ctx context.Context, repo string) ([]Subscription, error) {
	return st.query(ctx, "repo", strings.ToLower(repo))
}

// ForChannel reads the subscriptions of channelID, ordered by repository.
func (st Store) ForChannel(ctx context.Context, channelID string) ([]Subscription, error) {
	return st.query(ctx, "channel_id", channelID)
}

func (st Store) query(ctx context.Context, attr, value string) ([]Subscription, error) {
	var subs []Subscription
	_, err := st.Table.Query(ctx, state.QueryInput{PK: PK, Limit: Limit,
		Filter: expression.Name(attr).Equal(expression.Value(value))}, &subs)
	if err != nil {
		return nil, fmt.Errorf("read subscriptions of %s %s: %w", attr, value, err)
	}
	// The sort key is repo#channel, read newest (highest) first: put it in reading order.
	slices.Reverse(subs)
	return subs, nil
}
