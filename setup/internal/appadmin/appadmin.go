package appadmin

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/shared/githubapp"
)

// Admin calls GitHub as the App.
type Admin struct {
	app *githubapp.App
}

// New returns an Admin for the App appID with its private key, at the REST base apiURL.
func New(appID int64, privateKeyPEM []byte, apiURL string, httpClient *http.Client) (*Admin, error) {
	app, err := githubapp.New(githubapp.Options{AppID: appID, PrivateKeyPEM: privateKeyPEM, BaseURL: apiURL, HTTPClient: httpClient})
	if err != nil {
		return nil, err
	}
	return &Admin{app: app}, nil
}

// Hook is the App's webhook configuration.
type Hook struct {
	URL         string
	ContentType string
	// SecretSet says whether the App has a webhook secret (GitHub never returns it).
	SecretSet bool
}

// HookConfig reads the App's webhook configuration.
func (a *Admin) HookConfig(ctx context.Context) (Hook, error) {
	c, _, err := a.app.AppClient().Apps.GetHookConfig(ctx)
	if err != nil {
		return Hook{}, fmt.Errorf("read the App's webhook configuration: %w", err)
	}
	return Hook{URL: c.GetURL(), ContentType: c.GetContentType(), SecretSet: c.GetSecret() != ""}, nil
}

// SetHook points the App's webhook at url with secret, JSON payloads, TLS checked.
func (a *Admin) SetHook(ctx context.Context, url, secret string) error {
	_, _, err := a.app.AppClient().Apps.UpdateHookConfig(ctx, &github.HookConfig{
		URL: &url, Secret: &secret, ContentType: github.String("json"), InsecureSSL: github.String("0"),
	})
	if err != nil {
		return fmt.Errorf("set the App's webhook: %w", err)
	}
	return nil
}

// Delivery is one recent webhook delivery.
type Delivery struct {
	Event      string
	StatusCode int
	Status     string
	At         string
}

// Failed says whether our endpoint did not accept the delivery.
func (d Delivery) Failed() bool { return d.StatusCode < 200 || d.StatusCode >= 300 }

// Deliveries lists the App's most recent webhook deliveries, newest first, at most n.
func (a *Admin) Deliveries(ctx context.Context, n int) ([]Delivery, error) {
	ds, _, err := a.app.AppClient().Apps.ListHookDeliveries(ctx, &github.ListCursorOptions{PerPage: n})
	if err != nil {
		return nil, fmt.Errorf("list the App's webhook deliveries: %w", err)
	}
	out := make([]Delivery, 0, len(ds))
	for _, d := range ds {
		out = append(out, Delivery{Event: d.GetEvent(), StatusCode: d.GetStatusCode(), Status: d.GetStatus(),
			At: d.GetDeliveredAt().UTC().Format("2006-01-02 15:04 UTC")})
	}
	return out, nil
}

// Repositories lists owner/name of every repository the App is installed on, sorted.
func (a *Admin) Repositories(ctx context.Context) ([]string, error) {
	client := a.app.AppClient()
	insts, _, err := client.Apps.ListInstallations(ctx, &github.ListOptions{PerPage: 100})
	if err != nil {
		return nil, fmt.Errorf("list the App's installations: %w", err)
	}
	var names []string
	for _, inst := range insts {
		tok, _, err := client.Apps.CreateInstallationToken(ctx, inst.GetID(), nil)
		if err != nil {
			return nil, fmt.Errorf("installation %d: token: %w", inst.GetID(), err)
		}
		ic := installationClient(client, tok.GetToken())
		for page := 1; page != 0; {
			list, resp, err := ic.Apps.ListRepos(ctx, &github.ListOptions{PerPage: 100, Page: page})
			if err != nil {
				return nil, fmt.Errorf("installation %d: list repositories: %w", inst.GetID(), err)
			}
			for _, r := range list.Repositories {
				names = append(names, r.GetFullName())
			}
			page = resp.NextPage
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// installationClient is a client like appClient that authorizes with an installation token.
func installationClient(appClient *github.Client, token string) *github.Client {
	c := github.NewClient(&http.Client{Transport: tokenTransport{token: token}})
	b, u := *appClient.BaseURL, *appClient.UploadURL
	c.BaseURL, c.UploadURL = &b, &u
	return c
}

type tokenTransport struct{ token string }

func (t tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "token "+t.token)
	return http.DefaultTransport.RoundTrip(r)
}

// Installation returns the permissions of the App's installation on owner/repo; the error
// wraps githubapp.ErrNotInstalled when it is not installed there.
func (a *Admin) Installation(ctx context.Context, owner, repo string) (map[string]string, error) {
	inst, resp, err := a.app.AppClient().Apps.FindRepositoryInstallation(ctx, owner, repo)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("%s/%s: %w", owner, repo, githubapp.ErrNotInstalled)
	}
	if err != nil {
		return nil, fmt.Errorf("find the App's installation on %s/%s: %w", owner, repo, err)
	}
	perms := map[string]string{}
	b, err := jsonMap(inst.GetPermissions())
	if err != nil {
		return nil, err
	}
	for k, v := range b {
		if s, ok := v.(string); ok {
			perms[k] = s
		}
	}
	return perms, nil
}

// WorkflowFile returns the content of .github/workflows/<file> on the repository's default
// branch, read as the App's installation; found is false when the file does not exist.
func (a *Admin) WorkflowFile(ctx context.Context, owner, repo, file string) (content []byte, found bool, err error) {
	client, err := a.app.RepoClient(ctx, owner, repo)
	if err != nil {
		return nil, false, err
	}
	path := ".github/workflows/" + file
	fc, _, resp, err := client.Repositories.GetContents(ctx, owner, repo, path, nil)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s in %s/%s: %w", path, owner, repo, err)
	}
	if fc == nil {
		return nil, false, fmt.Errorf("read %s in %s/%s: it is a directory", path, owner, repo)
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, false, fmt.Errorf("read %s in %s/%s: %w", path, owner, repo, err)
	}
	return []byte(s), true, nil
}

// SplitRepo splits owner/repo.
func SplitRepo(full string) (owner, repo string, ok bool) {
	owner, repo, ok = strings.Cut(full, "/")
	return owner, repo, ok && owner != "" && repo != "" && !strings.Contains(repo, "/")
}

// NeededPermissions are the installation permissions the suite uses (github-app-manifest.json):
// each must be granted at this level or higher.
func NeededPermissions() map[string]string {
	return map[string]string{"actions": "write", "checks": "read", "contents": "read", "deployments": "read", "issues": "write", "metadata": "read", "pull_requests": "write"}
}

// MissingPermissions lists, sorted, "name: level" for each needed permission that granted
// lacks or grants below the level needed.
func MissingPermissions(granted map[string]string) []string {
	rank := map[string]int{"read": 1, "write": 2, "admin": 3}
	var missing []string
	for name, level := range NeededPermissions() {
		if rank[granted[name]] < rank[level] {
			missing = append(missing, name+": "+level)
		}
	}
	slices.Sort(missing)
	return missing
}
