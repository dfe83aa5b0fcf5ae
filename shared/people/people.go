// Package people links Discord members to GitHub logins (/link): the interactions function
// writes the links, after GitHub's device flow verified the login or a member with an allowed
// role set it, and github-webhook reads them to mention a linked reviewer or assignee. A link
// is two items of the state table (shared/state), one per direction, so that each lookup is one
// GetItem; docs/STATE.md describes them.
//
// One login belongs to one member and one member has one login: linking again replaces the
// member's earlier login and takes the login from whoever had it. The two items are written one
// after the other, not in a transaction; a reader checks that the item it found points back.
package people

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/state"
)

// Link is one member's GitHub login.
type Link struct {
	// DiscordID is the member's user id; Login the GitHub login as GitHub spells it.
	DiscordID string `dynamodbav:"discord_id"`
	Login     string `dynamodbav:"login"`
	// Verified says that the member proved the login through the device flow; otherwise By,
	// a member with an allowed role, set it.
	Verified bool `dynamodbav:"verified,omitempty"`
	// By is the Discord user id of who linked, At when.
	By string    `dynamodbav:"by,omitempty"`
	At time.Time `dynamodbav:"at"`
}

// MemberKey is the item of the member discordID's login.
func MemberKey(discordID string) state.Key {
	return state.Key{PK: "link#" + discordID, SK: "link"}
}

// LoginKey is the item of the member linked to login, case-insensitively.
func LoginKey(login string) state.Key {
	return state.Key{PK: "login#" + strings.ToLower(login), SK: "login"}
}

// Table is the part of *state.Table a Store uses.
type Table interface {
	Get(ctx context.Context, key state.Key, out any) (int64, error)
	Put(ctx context.Context, key state.Key, ttl time.Duration, v any) error
	Release(ctx context.Context, key state.Key) error
}

// Store reads and writes links in the state table. They never expire.
type Store struct{ Table Table }

// Put links l.DiscordID to l.Login, replacing the member's earlier login and unlinking
// whoever had the login before.
func (st Store) Put(ctx context.Context, l Link) error {
	old, err := st.get(ctx, MemberKey(l.DiscordID))
	if err != nil {
		return fmt.Errorf("link %s to %s: %w", l.DiscordID, l.Login, err)
	}
	if old != nil && !strings.EqualFold(old.Login, l.Login) {
		if err := st.Table.Release(ctx, LoginKey(old.Login)); err != nil {
			return fmt.Errorf("link %s to %s: unlink %s: %w", l.DiscordID, l.Login, old.Login, err)
		}
	}
	holder, err := st.get(ctx, LoginKey(l.Login))
	if err != nil {
		return fmt.Errorf("link %s to %s: %w", l.DiscordID, l.Login, err)
	}
	if holder != nil && holder.DiscordID != l.DiscordID {
		if err := st.Table.Release(ctx, MemberKey(holder.DiscordID)); err != nil {
			return fmt.Errorf("link %s to %s: unlink %s: %w", l.DiscordID, l.Login, holder.DiscordID, err)
		}
	}
	for _, k := range []state.Key{LoginKey(l.Login), MemberKey(l.DiscordID)} {
		if err := st.Table.Put(ctx, k, 0, l); err != nil {
			return fmt.Errorf("link %s to %s: %w", l.DiscordID, l.Login, err)
		}
	}
	return nil
}

// ByMember is the link of the member discordID; ok is false when they have none.
func (st Store) ByMember(ctx context.Context, discordID string) (l Link, ok bool, err error) {
	found, err := st.get(ctx, MemberKey(discordID))
	if err != nil || found == nil {
		return Link{}, false, err
	}
	return *found, true, nil
}

// ByLogin is the link of the GitHub login, case-insensitively; ok is false when no member has
// it.
func (st Store) ByLogin(ctx context.Context, login string) (l Link, ok bool, err error) {
	found, err := st.get(ctx, LoginKey(login))
	if err != nil || found == nil {
		return Link{}, false, err
	}
	return *found, true, nil
}

// Mentions maps each of logins that a member linked to that member's Discord user id,
// lower-cased logins as keys; a login no member linked is left out.
func (st Store) Mentions(ctx context.Context, logins []string) (map[string]string, error) {
	ids := map[string]string{}
	for _, login := range logins {
		key := strings.ToLower(login)
		if _, seen := ids[key]; seen || key == "" {
			continue
		}
		l, ok, err := st.ByLogin(ctx, login)
		if err != nil {
			return nil, err
		}
		if ok {
			ids[key] = l.DiscordID
		}
	}
	return ids, nil
}

// get reads the link at key; nil when there is none.
func (st Store) get(ctx context.Context, key state.Key) (*Link, error) {
	var l Link
	switch _, err := st.Table.Get(ctx, key, &l); {
	case errors.Is(err, state.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return &l, nil
}
