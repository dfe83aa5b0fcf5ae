package secrets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Short names of the suite's secrets, relative to the prefix; see the runtime contract.
const (
	// DiscordBotToken is the Discord bot token, sent as "Authorization: Bot <token>".
	DiscordBotToken = "discord/bot-token"
	// GitHubPrivateKey is the GitHub App's private key, PEM-encoded.
	GitHubPrivateKey = "github/private-key"
	// GitHubWebhookSecret is the GitHub App's webhook secret, the HMAC key of X-Hub-Signature-256.
	GitHubWebhookSecret = "github/webhook-secret"
)

// DefaultPrefix is the parameter path prefix used when New is given "".
const DefaultPrefix = "/chatops"

// maxNamesPerCall is the most names GetParameters accepts in one call.
const maxNamesPerCall = 10

// ErrNotFound is wrapped by the error Get returns when a parameter does not exist.
var ErrNotFound = errors.New("parameter not found")

// NotFoundError is the error Get returns when parameters do not exist: Names are their full
// SSM names, for a message that says exactly which parameter to create. It wraps ErrNotFound.
type NotFoundError struct {
	Names []string
}

func (e *NotFoundError) Error() string {
	return "get SSM parameters " + strings.Join(e.Names, ", ") + ": " + ErrNotFound.Error()
}

func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// GetParametersAPI is the part of the SSM client a Store uses; *ssm.Client satisfies it.
type GetParametersAPI interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

// Store fetches and caches SSM parameters under one prefix. It is safe for concurrent use.
type Store struct {
	// Now returns the current time, against which cached values expire. New sets it to
	// time.Now; tests may replace it before the first Get.
	Now func() time.Time

	client GetParametersAPI
	prefix string
	ttl    time.Duration

	// fetching holds one token: a Get that must call SSM takes it, so concurrent Gets for the
	// same names make one call while the others wait (or give up with their context).
	fetching chan struct{}

	mu    sync.Mutex
	cache map[string]entry // by short name
}

type entry struct {
	value   string
	expires time.Time // zero: never
}

// New returns a Store reading parameters named prefix + "/" + short name through client. An
// empty prefix means DefaultPrefix; a trailing slash is ignored, and a missing leading slash is
// added. Fetched values are kept for ttl; a ttl of zero or less keeps them for the life of the
// process.
func New(client GetParametersAPI, prefix string, ttl time.Duration) *Store {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	prefix = strings.TrimRight(prefix, "/")
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	return &Store{
		Now:      time.Now,
		client:   client,
		prefix:   prefix,
		ttl:      ttl,
		fetching: make(chan struct{}, 1),
		cache:    make(map[string]entry),
	}
}

// FullName returns the SSM parameter name that holds the secret with the given short name.
func (s *Store) FullName(name string) string {
	return s.prefix + "/" + strings.TrimPrefix(name, "/")
}

// Get returns the values of the named parameters, keyed by the short names it was given. Names
// that are cached and not expired are served from memory; the rest are fetched with decryption,
// ten per GetParameters call. When any parameter does not exist the error, which wraps
// ErrNotFound and is a *NotFoundError, names every missing parameter by its full name. Errors
// never contain a value.
func (s *Store) Get(ctx context.Context, names ...string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	missing := s.fromCache(names, out)
	if len(missing) == 0 {
		return out, nil
	}

	select {
	case s.fetching <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for parameters: %w", ctx.Err())
	}
	defer func() { <-s.fetching }()

	// Another Get may have fetched some of these while this one waited.
	missing = s.fromCache(missing, out)
	if len(missing) == 0 {
		return out, nil
	}
	fetched, err := s.fetch(ctx, missing)
	if err != nil {
		return nil, err
	}
	maps.Copy(out, fetched)
	return out, nil
}

// String returns the value of one parameter; see Get.
func (s *Store) String(ctx context.Context, name string) (string, error) {
	m, err := s.Get(ctx, name)
	if err != nil {
		return "", err
	}
	return m[name], nil
}

// fromCache copies the fresh cached values of names into out and returns the names it could not
// serve, without duplicates.
func (s *Store) fromCache(names []string, out map[string]string) []string {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var missing []string
	for _, name := range names {
		if _, done := out[name]; done || slices.Contains(missing, name) {
			continue
		}
		e, ok := s.cache[name]
		if ok && (e.expires.IsZero() || now.Before(e.expires)) {
			out[name] = e.value
			continue
		}
		missing = append(missing, name)
	}
	return missing
}

// fetch calls GetParameters for names in batches, caches what it gets and returns it by short
// name.
func (s *Store) fetch(ctx context.Context, names []string) (map[string]string, error) {
	short := make(map[string]string, len(names)) // full name -> short name
	full := make([]string, 0, len(names))
	for _, name := range names {
		f := s.FullName(name)
		short[f] = name
		full = append(full, f)
	}

	got := make(map[string]string, len(names))
	var invalid []string
	for batch := range slices.Chunk(full, maxNamesPerCall) {
		resp, err := s.client.GetParameters(ctx, &ssm.GetParametersInput{
			Names:          batch,
			WithDecryption: aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("get SSM parameters %s: %w", strings.Join(batch, ", "), err)
		}
		for _, p := range resp.Parameters {
			name, ok := short[aws.ToString(p.Name)]
			if !ok || p.Value == nil {
				continue
			}
			got[name] = *p.Value
		}
		invalid = append(invalid, resp.InvalidParameters...)
	}

	var expires time.Time
	if s.ttl > 0 {
		expires = s.Now().Add(s.ttl)
	}
	s.mu.Lock()
	for name, v := range got {
		s.cache[name] = entry{value: v, expires: expires}
	}
	s.mu.Unlock()

	// A name SSM neither returned nor listed as invalid counts as missing too.
	for _, f := range full {
		if _, ok := got[short[f]]; !ok && !slices.Contains(invalid, f) {
			invalid = append(invalid, f)
		}
	}
	if len(invalid) > 0 {
		slices.Sort(invalid)
		return nil, &NotFoundError{Names: invalid}
	}
	return got, nil
}
