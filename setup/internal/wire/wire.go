// Package wire points Discord and the GitHub App at what `make deploy` deployed: the
// application's Interactions Endpoint URL (PATCH /applications/@me, which Discord accepts only
// once the endpoint answers its signed PING) and the App's webhook URL and secret
// (PATCH /app/hook/config, as the App). It ends with a summary of what points where.
package wire

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/discord-chatops/chatops/setup/internal/appadmin"
	"github.com/discord-chatops/chatops/setup/internal/discordapp"
	"github.com/discord-chatops/chatops/setup/internal/params"
	"github.com/discord-chatops/chatops/setup/internal/stack"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// Config is what the wiring needs besides the stack and the secrets.
type Config struct {
	// StackName is the suite's stack; "" is stack.Name.
	StackName       string
	DiscordAPIURL   string
	GitHubAPIURL    string
	GitHubAppID     string
	ParameterPrefix string
	// GuildID and DeployRoleIDs are the server and the roles setup chose, for the reminder of
	// what to click in Integrations; empty skips it.
	GuildID       string
	DeployRoleIDs []string
}

// Deps are the clients the wiring reads and writes through.
type Deps struct {
	Stack      stack.API
	SSM        params.API
	HTTPClient *http.Client
}

// Run wires Discord and GitHub to the deployed stack and writes the summary to out.
func Run(ctx context.Context, cfg Config, deps Deps, out io.Writer) error {
	name := cmp.Or(cfg.StackName, stack.Name)
	_, outputs, err := stack.Describe(ctx, deps.Stack, name)
	if err != nil {
		return fmt.Errorf("read the stack's outputs: %w", err)
	}
	endpoint, webhook := outputs[stack.InteractionsEndpointURL], outputs[stack.GithubWebhookURL]
	if endpoint == "" || webhook == "" {
		return fmt.Errorf("the stack %s has no %s or %s output: deploy it first", name, stack.InteractionsEndpointURL, stack.GithubWebhookURL)
	}
	store := params.New(deps.SSM, cfg.ParameterPrefix)
	values, err := store.Read(ctx)
	if err != nil {
		return err
	}
	for _, n := range params.Names() {
		if values[n] == "" {
			return fmt.Errorf("%s does not exist: run make setup", store.Path(n))
		}
	}

	discord := discordapp.New(cfg.DiscordAPIURL, values[secrets.DiscordBotToken], deps.HTTPClient)
	app, err := discord.Application(ctx)
	if err != nil {
		return fmt.Errorf("read the Discord application: %w", err)
	}
	discordState := "already pointed there"
	if app.InteractionsEndpointURL != endpoint {
		if _, err := discord.SetInteractionsURL(ctx, endpoint); err != nil {
			var de *discordapp.Error
			if errors.As(err, &de) && de.Status == http.StatusBadRequest {
				return fmt.Errorf("discord refused the Interactions Endpoint URL %s: it sends a signed PING first, and the endpoint did not answer it (is discordPublicKey the application's? the interactions function's logs say): %w", endpoint, err)
			}
			return fmt.Errorf("set the Interactions Endpoint URL: %w", err)
		}
		discordState = "set now"
		if app.InteractionsEndpointURL != "" {
			discordState = "changed from " + app.InteractionsEndpointURL
		}
	}

	githubState := fmt.Sprintf("  GitHub App: not wired: githubAppId is not in cdk.context.json (run make setup, or set the App's webhook to %s by hand: docs/DEPLOY.md, appendix)\n", webhook)
	if cfg.GitHubAppID != "" {
		id, err := strconv.ParseInt(cfg.GitHubAppID, 10, 64)
		if err != nil {
			return fmt.Errorf("githubAppId %q is not a number: run make setup", cfg.GitHubAppID)
		}
		admin, err := appadmin.New(id, []byte(values[secrets.GitHubPrivateKey]), cfg.GitHubAPIURL, deps.HTTPClient)
		if err != nil {
			return err
		}
		// The secret cannot be read back from GitHub, so it is always set: the one in SSM is the
		// one github-webhook checks.
		if err := admin.SetHook(ctx, webhook, values[secrets.GitHubWebhookSecret]); err != nil {
			return err
		}
		githubState = fmt.Sprintf("  GitHub App %d delivers webhooks to %s, signed with %s\n", id, webhook, store.Path(secrets.GitHubWebhookSecret))
	}

	fmt.Fprintf(out, "\nWired:\n")
	fmt.Fprintf(out, "  Discord application %s (%s) sends interactions to %s (%s)\n", app.Name, app.ID, endpoint, discordState)
	fmt.Fprint(out, githubState)
	fmt.Fprintf(out, "  Slash commands: registered above, as the interactions function is configured\n")
	if cfg.GuildID != "" && len(cfg.DeployRoleIDs) > 0 {
		roles, err := discord.Roles(ctx, cfg.GuildID)
		if err != nil {
			return fmt.Errorf("list the server's roles: %w", err)
		}
		if step := discordapp.IntegrationsStep(app.Name, roles, cfg.DeployRoleIDs); step != "" {
			fmt.Fprintf(out, "Still to do, once: %s\n", step)
		}
	}
	fmt.Fprintf(out, "Check it all with: make doctor\n")
	return nil
}
