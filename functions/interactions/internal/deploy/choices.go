package deploy

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	table "github.com/discord-chatops/chatops/shared/state"
)

// What /rollback's `to` autocomplete keeps, and how long it may take.
//
// Discord wants the answer to an autocomplete within 3 seconds, and an autocomplete arrives
// on every keystroke. Reading GitHub there (an installation token, the deployments, a call per
// deployment for its statuses) can take longer on a cold start, so the answer comes from the
// state table alone: one strongly consistent GetItem, typically under 20 ms, bounded by
// choicesReadTimeout. Every card that reads an environment's history (each /deploy and
// /rollback, and the card the "Roll back" button opens) writes its choices there, kept for
// choicesTTL. A stale choice is harmless: the card reads GitHub again and refuses a `to` that
// never succeeded there. With no item (nothing read in the last choicesTTL), autocomplete
// offers nothing and the member can still type a commit or tag.
const (
	choicesTTL         = 15 * time.Minute
	choicesReadTimeout = 1500 * time.Millisecond
	maxChoices         = 25 // Discord's limit on autocomplete choices
)

// Cache keeps items that expire, as the state table does; *state.Table satisfies it.
type Cache interface {
	Get(ctx context.Context, key table.Key, out any) (int64, error)
	Put(ctx context.Context, key table.Key, ttl time.Duration, v any) error
}

// choiceItem is the cached list of an environment's choices, newest first.
type choiceItem struct {
	Choices []cachedChoice `dynamodbav:"choices"`
}

// cachedChoice is a successful deploy `to` may name.
type cachedChoice struct {
	SHA string    `dynamodbav:"sha"`
	Ref string    `dynamodbav:"ref"`
	At  time.Time `dynamodbav:"at"`
}

// choicesKey is where the choices of environment in the Service's repository live.
func (s *Service) choicesKey(environment string) table.Key {
	return table.Key{PK: "releases#" + strings.ToLower(s.Repository), SK: environment}
}

// rememberChoices keeps h's choices for autocomplete. A failed write is only logged: the card
// does not depend on it.
func (s *Service) rememberChoices(ctx context.Context, environment string, h history) {
	if s.Cache == nil {
		return
	}
	var item choiceItem
	for _, rel := range h.choices() {
		if len(item.Choices) == maxChoices {
			break
		}
		item.Choices = append(item.Choices, cachedChoice{SHA: rel.SHA, Ref: rel.Ref, At: rel.At.UTC()})
	}
	if err := s.Cache.Put(ctx, s.choicesKey(environment), choicesTTL, item); err != nil {
		s.Log.LogAttrs(ctx, slog.LevelWarn, "keep the rollback choices", slog.String("environment", environment), slog.String("error", err.Error()))
	}
}

// RollbackChoices answers an autocomplete of /rollback's `to` from the cached choices of the
// environment chosen, those whose commit starts with what the member typed or whose ref
// contains it, in the member's language. A member who may not roll back is offered nothing.
//
// See https://discord.com/developers/docs/interactions/application-commands#autocomplete
func (s *Service) RollbackChoices(ctx context.Context, req command.Request) []discord.Choice {
	out := []discord.Choice{}
	env := req.Option("environment")
	if s == nil || s.Cache == nil || env == "" || s.Policy.Allow(req.Interaction, KindRollback.action()) != nil {
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, choicesReadTimeout)
	defer cancel()
	var item choiceItem
	if _, err := s.Cache.Get(ctx, s.choicesKey(env), &item); err != nil {
		if !errors.Is(err, table.ErrNotFound) {
			s.Log.LogAttrs(ctx, slog.LevelWarn, "read the rollback choices", slog.String("environment", env), slog.String("error", err.Error()))
		}
		return out
	}
	typed := strings.ToLower(strings.TrimSpace(req.Option("to")))
	p := req.Member()
	for _, c := range item.Choices {
		if typed != "" && !strings.HasPrefix(c.SHA, typed) && !strings.Contains(strings.ToLower(c.Ref), typed) {
			continue
		}
		name := p.T("deploy.rollback.choice", i18n.Args{"SHA": short(c.SHA), "Ref": c.Ref, "Ago": p.Ago(req.Received.Sub(c.At))})
		out = append(out, discord.Choice{Name: discord.Truncate(name, 100), Value: c.SHA})
	}
	return out
}
