// Package appclient gives the commands that call GitHub (/deploy, /rollback, /assign) their
// client: the GitHub App, built on first use in the worker, since its private key comes from
// SSM and the acknowledgement path makes no network call; and the messages that say what to
// fix when the App cannot act on a repository.
//
// See https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/about-authentication-with-a-github-app
package appclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// Secrets reads a secret by its short name; *secrets.Store satisfies it.
type Secrets interface {
	String(ctx context.Context, name string) (string, error)
}

// Lazy is a GitHub App built on first use, once per execution environment, from the private
// key in SSM. A failure is not kept: the next call tries again. It is safe for concurrent use.
type Lazy struct {
	secrets Secrets
	opts    githubapp.Options // without the key

	mu  sync.Mutex
	app *githubapp.App
}

// NewLazy returns a Lazy that builds the App with o and the key read from s
// (secrets.GitHubPrivateKey). It makes no call.
func NewLazy(s Secrets, o githubapp.Options) *Lazy {
	return &Lazy{secrets: s, opts: o}
}

// App returns the App, building it on the first call.
func (l *Lazy) App(ctx context.Context) (*githubapp.App, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.app != nil {
		return l.app, nil
	}
	key, err := l.secrets.String(ctx, secrets.GitHubPrivateKey)
	if err != nil {
		return nil, fmt.Errorf("GitHub App private key: %w", err)
	}
	o := l.opts
	o.PrivateKeyPEM = []byte(key)
	app, err := githubapp.New(o)
	if err != nil {
		return nil, err
	}
	l.app = app
	return app, nil
}

// RepoClient returns a client acting as the App's installation on owner/repo.
func (l *Lazy) RepoClient(ctx context.Context, owner, repo string) (*github.Client, error) {
	app, err := l.App(ctx)
	if err != nil {
		return nil, err
	}
	return app.RepoClient(ctx, owner, repo)
}

// Explain turns a failure to get a client for the repository fullName ("owner/repo") into what
// to fix, printed in the reader's language: the App not installed, its key missing from SSM, its credentials refused. Other
// failures are returned wrapped, as internal errors.
func Explain(err error, fullName string) error {
	missing := secrets.DefaultPrefix + "/" + secrets.GitHubPrivateKey // only when the error names none
	var nf *secrets.NotFoundError
	if errors.As(err, &nf) && len(nf.Names) > 0 {
		missing = strings.Join(nf.Names, ", ")
	}
	switch st, _ := githubapp.ErrorStatus(err); {
	case errors.Is(err, githubapp.ErrNotInstalled):
		return command.Fail(err, command.T("appclient.notinstalled", i18n.Args{"Repository": fullName}))
	case errors.Is(err, secrets.ErrNotFound):
		return command.Fail(err, command.T("appclient.nokey", i18n.Args{"Parameter": missing}))
	case st == http.StatusUnauthorized:
		return command.Fail(err, command.T("appclient.refused"))
	}
	return fmt.Errorf("GitHub client for %s: %w", fullName, err)
}
