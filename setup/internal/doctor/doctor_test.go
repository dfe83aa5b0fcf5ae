package doctor

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/setup/internal/appadmin/appadmintest"
	"github.com/discord-chatops/chatops/setup/internal/discordapp"
	"github.com/discord-chatops/chatops/setup/internal/discordapp/discordapptest"
	"github.com/discord-chatops/chatops/setup/internal/params"
	"github.com/discord-chatops/chatops/setup/internal/suitetest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// costFunc is a Cost Explorer that answers with err.
type costFunc func() error

func (f costFunc) GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	if err := f(); err != nil {
		return nil, err
	}
	return &costexplorer.GetCostAndUsageOutput{}, nil
}

type env struct {
	suite *suitetest.Suite
	cfg   Config
	deps  Deps
}

// healthy is a deployed suite on which every check passes.
func healthy(t *testing.T, moto *mototest.Server) *env {
	t.Helper()
	s := suitetest.Start(t, moto)
	s.Discord.SetEndpoint(s.InteractionsURL())
	s.GitHub.SetHook(map[string]any{"url": s.WebhookURL(), "secret": suitetest.Secret})
	// The creation ping went to the manifest's placeholder; an old failure came before a success.
	s.GitHub.AddDelivery(appadmintest.Delivery{Event: "ping", StatusCode: 404})
	s.GitHub.AddDelivery(appadmintest.Delivery{Event: "issues", StatusCode: 502})
	s.GitHub.AddDelivery(appadmintest.Delivery{Event: "pull_request", StatusCode: 200})
	return &env{
		suite: s,
		cfg: Config{StackName: s.StackName, DiscordAPIURL: s.Discord.URL, GitHubAPIURL: s.GitHub.URL, GitHubAppID: "424242", GitHubRepository: suitetest.Repo,
			DeployWorkflow: "deploy.yml", DiscordChannelID: suitetest.ChannelID, DeployRoleIDs: []string{suitetest.DeployRole}, ParameterPrefix: s.Prefix},
		deps: Deps{Stack: cloudformation.NewFromConfig(s.AWS), SSM: ssm.NewFromConfig(s.AWS), Cost: costFunc(func() error { return nil }),
			Now: func() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }},
	}
}

func TestHealthy(t *testing.T) {
	t.Parallel()
	e := healthy(t, nil)
	var out strings.Builder
	results := Run(context.Background(), e.cfg, e.deps)
	if !Report(&out, results) {
		t.Errorf("a healthy suite fails:\n%s", out.String())
	}
	if len(results) != 12 {
		t.Errorf("%d checks, want 12:\n%s", len(results), out.String())
	}
	if e.suite.Discord.Endpoint() != e.suite.InteractionsURL() {
		t.Error("doctor changed the endpoint")
	}
}

// TestEachCheckFails breaks one thing at a time; the check that sees it must fail with the
// problem and the fix, and the checks that do not depend on it must still pass.
func TestEachCheckFails(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	tests := []struct {
		name        string
		check       string
		breakIt     func(t *testing.T, e *env)
		problem     string
		fix         string
		alsoFailing []string // checks that cannot run without the broken one
	}{
		{"no stack", "stack outputs", func(t *testing.T, e *env) {
			if _, err := cloudformation.NewFromConfig(e.suite.AWS).DeleteStack(context.Background(), &cloudformation.DeleteStackInput{StackName: aws.String(e.suite.StackName)}); err != nil {
				t.Fatal(err)
			}
		}, "does not exist", "make deploy", []string{"Discord endpoint", "unsigned interactions refused", "GitHub App webhook"}},
		{"endpoint elsewhere", "Discord endpoint", func(_ *testing.T, e *env) { e.suite.Discord.SetEndpoint("https://old.example.com/interactions") },
			`"https://old.example.com/interactions"`, "make deploy", nil},
		{"unsigned accepted", "unsigned interactions refused", func(_ *testing.T, e *env) { e.suite.AcceptUnsigned.Store(true) },
			"got 200, not 401", "DISCORD_PUBLIC_KEY", nil},
		{"hook elsewhere", "GitHub App webhook", func(_ *testing.T, e *env) {
			e.suite.GitHub.SetHook(map[string]any{"url": "https://example.com/replace-me"})
		},
			"https://example.com/replace-me", "make deploy", nil},
		{"hook without secret", "GitHub App webhook", func(_ *testing.T, e *env) {
			e.suite.GitHub.SetHook(map[string]any{"secret": ""})
		}, "no secret", "make deploy", nil},
		{"deliveries failing", "recent webhook deliveries", func(_ *testing.T, e *env) {
			e.suite.GitHub.AddDelivery(appadmintest.Delivery{Event: "issues", StatusCode: 401})
			e.suite.GitHub.AddDelivery(appadmintest.Delivery{Event: "pull_request", StatusCode: 401})
		}, "the last 2 deliveries failed: pull_request at 2026-12-01 09:00 UTC got 401", "webhook secret", nil},
		{"not installed", "App installed on the repository", func(_ *testing.T, e *env) { e.cfg.GitHubRepository = "octo-org/other" },
			"not installed on octo-org/other", "Install App", []string{"deploy workflow"}},
		{"permissions missing", "App installed on the repository", func(_ *testing.T, e *env) {
			e.suite.GitHub.SetPermissions(map[string]string{"actions": "read", "contents": "read", "metadata": "read"})
		}, "lacks actions: write, checks: read, deployments: read, issues: write, pull_requests: write", "Review request", nil},
		{"no workflow", "deploy workflow", func(_ *testing.T, e *env) { e.cfg.DeployWorkflow = "ship.yml" },
			".github/workflows/ship.yml does not exist", "copy examples/deploy.yml", nil},
		{"workflow lacks inputs", "deploy workflow", func(_ *testing.T, e *env) {
			e.suite.GitHub.SetFile(suitetest.Repo, ".github/workflows/deploy.yml", "on:\n  workflow_dispatch:\n    inputs:\n      environment: {}\njobs:\n  d:\n    environment: prod\n")
		}, "[sha requested_by correlation_id]", "copy examples/deploy.yml", nil},
		{"secret missing", "secrets in SSM", func(t *testing.T, e *env) {
			if _, err := ssm.NewFromConfig(e.suite.AWS).DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: aws.String(e.suite.Prefix + "/github/webhook-secret")}); err != nil {
				t.Fatal(err)
			}
		}, "/github/webhook-secret does not exist", "make setup", nil},
		{"PEM broken", "secrets in SSM", func(t *testing.T, e *env) {
			writeSecret(t, e, secrets.GitHubPrivateKey, "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n")
		}, "is not an RSA private key in PEM", "make setup", []string{"GitHub App webhook", "recent webhook deliveries", "App installed on the repository", "deploy workflow"}},
		{"token refused", "secrets in SSM", func(t *testing.T, e *env) { writeSecret(t, e, secrets.DiscordBotToken, "revoked-token") },
			"is not accepted by Discord", "Reset Token", []string{"Discord endpoint", "deploy roles", "bot may post in the channel", "slash commands"}},
		{"cost explorer off", "Cost Explorer", func(_ *testing.T, e *env) {
			e.deps.Cost = costFunc(func() error {
				return &smithy.GenericAPIError{Code: "DataUnavailableException", Message: "Data is not available."}
			})
		}, "not enabled", "Launch Cost Explorer", nil},
		{"cost explorer denied", "Cost Explorer", func(_ *testing.T, e *env) {
			e.deps.Cost = costFunc(func() error {
				return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform ce:GetCostAndUsage"}
			})
		}, "may not call ce:GetCostAndUsage", "credentials that may", nil},
		{"no deploy roles", "deploy roles", func(_ *testing.T, e *env) { e.cfg.DeployRoleIDs = nil }, "nobody can approve", "make setup", nil},
		{"deploy role deleted", "deploy roles", func(_ *testing.T, e *env) { e.cfg.DeployRoleIDs = []string{"1100000000000000777"} },
			"[1100000000000000777]", "make setup", nil},
		{"channel unknown", "bot may post in the channel", func(_ *testing.T, e *env) { e.cfg.DiscordChannelID = "1100000000000000555" },
			"cannot see the channel", "invite the bot", []string{"deploy roles", "slash commands"}},
		{"commands not registered", "slash commands", func(t *testing.T, e *env) { e.suite.RegisterCommands(t) },
			"[/status /cost /deploy /rollback /assign /scale /help] are not registered", "make deploy", nil},
		{"deploy role without the override", "slash commands", func(_ *testing.T, e *env) { e.suite.Discord.SetCommandPermissions(suitetest.GuildID, nil) },
			"do not see: @deployers /deploy, @deployers /rollback, @deployers /scale",
			"Server Settings > Integrations > ChatOps > Manage > for /deploy, /rollback and /scale: Add Roles or Members > @deployers", nil},
		{"override on one command only", "slash commands", func(_ *testing.T, e *env) {
			e.suite.Discord.SetCommandPermissions(suitetest.GuildID, []discordapp.CommandPermissions{
				{ID: suitetest.AppID, Permissions: []discordapp.CommandPermission{{ID: suitetest.DeployRole, Type: discordapp.CommandPermissionRole, Permission: true}}},
				{ID: commandID(t, e, "scale"), Permissions: []discordapp.CommandPermission{{ID: suitetest.DeployRole, Type: discordapp.CommandPermissionRole, Permission: false}}},
			})
		}, "do not see: @deployers /scale", "Integrations", nil},
		{"channel denies embeds", "bot may post in the channel", func(_ *testing.T, e *env) {
			e.cfg.DiscordChannelID = "1100000000000000013"
			e.suite.Discord.AddGuild(discordapptest.Guild{
				Guild: discordapp.Guild{ID: "1100000000000000002", Name: "Other"},
				Channels: []discordapp.Channel{{ID: "1100000000000000013", Name: "locked", Type: discordapp.ChannelText,
					PermissionOverwrites: []discordapp.Overwrite{{ID: "1100000000000000002", Type: discordapp.OverwriteRole, Deny: discordapp.PermissionEmbedLinks}}}},
				Roles: []discordapp.Role{{ID: "1100000000000000002", Name: "@everyone", Permissions: discordapp.BotPermissions}},
			})
			e.cfg.DeployRoleIDs = nil
		}, "lacks Embed Links in #locked", "Edit Channel > Permissions", []string{"deploy roles"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := healthy(t, moto)
			tt.breakIt(t, e)
			results := Run(context.Background(), e.cfg, e.deps)
			var out strings.Builder
			Report(&out, results)
			for _, r := range results {
				switch {
				case r.Check == tt.check:
					if r.OK || !strings.Contains(r.Problem, tt.problem) || !strings.Contains(r.Fix, tt.fix) {
						t.Errorf("%s: ok=%v problem %q fix %q; want a failure saying %q, fixed by %q", r.Check, r.OK, r.Problem, r.Fix, tt.problem, tt.fix)
					}
				case contains(tt.alsoFailing, r.Check):
					if r.OK {
						t.Errorf("%s passed without what it needs", r.Check)
					}
				case !r.OK:
					t.Errorf("%s failed too: %s", r.Check, r.Problem)
				}
			}
			if t.Failed() || os.Getenv("SETUP_TRANSCRIPT") != "" {
				t.Logf("report:\n%s", out.String())
			}
		})
	}
}

// commandID is the id Discord gave a registered command.
func commandID(t *testing.T, e *env, name string) string {
	t.Helper()
	for _, raw := range e.suite.Discord.Commands("") {
		var c discordapp.Command
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		if c.Name == name {
			return c.ID
		}
	}
	t.Fatalf("no /%s registered", name)
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeSecret(t *testing.T, e *env, name, value string) {
	t.Helper()
	if err := params.New(ssm.NewFromConfig(e.suite.AWS), e.suite.Prefix).Write(context.Background(), name, value); err != nil {
		t.Fatal(err)
	}
}

// TestReport: a failure prints its fix; the summary counts.
func TestReport(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	ok := Report(&out, []Result{{Check: "a", OK: true, Detail: "fine"}, {Check: "b", Problem: "broken", Fix: "mend it"}})
	want := "ok    a: fine\nFAIL  b: broken\n      fix: mend it\n\n1 of 2 checks failed.\n"
	if ok || out.String() != want {
		t.Errorf("Report = %v\n%s\nwant\n%s", ok, out.String(), want)
	}
}
