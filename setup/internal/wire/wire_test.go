package wire

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/setup/internal/suitetest"
)

func config(s *suitetest.Suite) Config {
	return Config{StackName: s.StackName, DiscordAPIURL: s.Discord.URL, GitHubAPIURL: s.GitHub.URL, GitHubAppID: "424242", ParameterPrefix: s.Prefix}
}

// TestWire: after a deploy, Discord's endpoint and the App's webhook point at the stack's
// outputs, with the secret from SSM; a second run changes nothing on Discord.
func TestWire(t *testing.T) {
	t.Parallel()
	s := suitetest.Start(t, nil)
	s.Discord.SetEndpoint("https://old.example.com/interactions")
	deps := Deps{Stack: cloudformation.NewFromConfig(s.AWS), SSM: ssm.NewFromConfig(s.AWS)}
	var out strings.Builder
	cfg := config(s)
	cfg.GuildID, cfg.DeployRoleIDs = suitetest.GuildID, []string{suitetest.DeployRole}
	if err := Run(context.Background(), cfg, deps, &out); err != nil {
		t.Fatal(err)
	}
	if got := s.Discord.Endpoint(); got != s.InteractionsURL() {
		t.Errorf("Discord endpoint %q, want %q", got, s.InteractionsURL())
	}
	hook := s.GitHub.Hook()
	if hook["url"] != s.WebhookURL() || hook["secret"] != suitetest.Secret || hook["content_type"] != "json" {
		t.Errorf("hook config %v, want the webhook URL, the secret from SSM, json", hook)
	}
	for _, want := range []string{"sends interactions to " + s.InteractionsURL() + " (changed from https://old.example.com/interactions)",
		"delivers webhooks to " + s.WebhookURL(), "make doctor",
		"Still to do, once: Let @deployers use the commands that change things", "Server Settings > Integrations > ChatOps > Manage"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), suitetest.Secret) || strings.Contains(out.String(), suitetest.BotToken) {
		t.Error("the summary shows a secret")
	}

	out.Reset()
	if err := Run(context.Background(), config(s), deps, &out); err != nil {
		t.Fatal(err)
	}
	patches := 0
	for _, r := range s.Discord.Requests() {
		if r.Method == "PATCH" {
			patches++
		}
	}
	if patches != 1 || !strings.Contains(out.String(), "already pointed there") {
		t.Errorf("%d PATCHes over two runs, want 1; summary:\n%s", patches, out.String())
	}
}

// TestWireRefusedEndpoint: when the endpoint cannot answer Discord's PING (here it refuses
// every signature), the error says what Discord checks and where to look.
func TestWireRefusedEndpoint(t *testing.T) {
	t.Parallel()
	s := suitetest.Start(t, nil)
	copy(s.Discord.Key, suitetest.OtherKey()) // PINGs signed with another key
	err := Run(context.Background(), config(s), Deps{Stack: cloudformation.NewFromConfig(s.AWS), SSM: ssm.NewFromConfig(s.AWS)}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "signed PING") || !strings.Contains(err.Error(), "discordPublicKey") {
		t.Errorf("Run error = %v, want one about the PING and the public key", err)
	}
	if s.Discord.Endpoint() == s.InteractionsURL() {
		t.Error("Discord took an endpoint that failed its PING")
	}
}

// TestWireWithoutAppID: a checkout set up by hand (no githubAppId in cdk.context.json) still gets
// Discord wired, and the summary says what to do for the App.
func TestWireWithoutAppID(t *testing.T) {
	t.Parallel()
	s := suitetest.Start(t, nil)
	cfg := config(s)
	cfg.GitHubAppID = ""
	var out strings.Builder
	if err := Run(context.Background(), cfg, Deps{Stack: cloudformation.NewFromConfig(s.AWS), SSM: ssm.NewFromConfig(s.AWS)}, &out); err != nil {
		t.Fatal(err)
	}
	if s.Discord.Endpoint() != s.InteractionsURL() || !strings.Contains(out.String(), "GitHub App: not wired") {
		t.Errorf("endpoint %q; summary:\n%s", s.Discord.Endpoint(), out.String())
	}
	if s.GitHub.Hook()["url"] == s.WebhookURL() {
		t.Error("the App's hook was set without its id")
	}
}
