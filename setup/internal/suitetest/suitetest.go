// Package suitetest stands up a deployed suite for the wiring and doctor tests: moto with the
// DiscordChatOps stack's outputs and the three secrets, a fake Discord (discordapptest) with a
// server, a channel and roles, a fake GitHub (appadmintest) with the deploy repository and its
// workflow, and the endpoints the stack would serve: /interactions checks Discord's signature
// as the interactions function does, /github answers 200.
package suitetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/setup/internal/appadmin/appadmintest"
	"github.com/discord-chatops/chatops/setup/internal/discordapp"
	"github.com/discord-chatops/chatops/setup/internal/discordapp/discordapptest"
	"github.com/discord-chatops/chatops/setup/internal/params"
	"github.com/discord-chatops/chatops/setup/internal/stack"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/discord/signature"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// The suite's fixed values.
const (
	AppID      = "1290000000000000001"
	BotToken   = "bot-token-1"
	GuildID    = "1100000000000000001"
	ChannelID  = "1100000000000000010"
	DeployRole = "1100000000000000020"
	BotRole    = "1100000000000000021"
	Repo       = "octo-org/app"
	Secret     = "webhook-secret-1"
)

// Suite is one deployed suite.
type Suite struct {
	AWS aws.Config
	// StackName and Prefix are the suite's own: suites may share a moto_server.
	StackName, Prefix string
	Discord           *discordapptest.Fake
	GitHub            *appadmintest.Server
	Endpoint          *httptest.Server
	// AcceptUnsigned makes /interactions answer unsigned requests as if they were signed.
	AcceptUnsigned atomic.Bool
}

// Start builds a suite in moto (nil: a moto_server of its own). Suites sharing a server have a
// stack and a parameter prefix each, named after the test.
func Start(t *testing.T, moto *mototest.Server) *Suite {
	t.Helper()
	s := &Suite{StackName: stack.Name, Prefix: "/chatops"}
	if moto == nil {
		moto = mototest.Start(t)
	} else {
		name := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")
		s.StackName, s.Prefix = "DiscordChatOps-"+name, "/"+name
	}
	cfg := moto.Config(t)
	s.AWS = cfg
	s.Discord = discordapptest.New(t, AppID, BotToken)
	everyone := discordapp.Role{ID: GuildID, Name: "@everyone", Permissions: discordapp.PermissionViewChannel | discordapp.PermissionReadMessageHistory}
	s.Discord.AddGuild(discordapptest.Guild{
		Guild: discordapp.Guild{ID: GuildID, Name: "Octo", OwnerID: "1100000000000000099"},
		Channels: []discordapp.Channel{
			{ID: ChannelID, Name: "ops", Type: discordapp.ChannelText},
			{ID: "1100000000000000011", Name: "general", Type: discordapp.ChannelText},
			{ID: "1100000000000000012", Name: "Voice", Type: 2},
		},
		Roles: []discordapp.Role{everyone,
			{ID: DeployRole, Name: "deployers"},
			{ID: BotRole, Name: "ChatOps", Managed: true, Permissions: discordapp.PermissionSendMessages | discordapp.PermissionEmbedLinks},
		},
		BotRoles: []string{BotRole},
	})
	s.GitHub = appadmintest.Start(t)
	s.GitHub.AddRepository(Repo)
	s.GitHub.SetFile(Repo, ".github/workflows/deploy.yml", string(ExampleWorkflow(t)))

	verifier, err := signature.NewVerifier(s.Discord.Application().VerifyKey)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /interactions", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !s.AcceptUnsigned.Load() && verifier.Verify(r.Header.Get(signature.HeaderSignature), r.Header.Get(signature.HeaderTimestamp), body, time.Now()) != nil {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"type":1}`)
	})
	mux.HandleFunc("POST /github", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	s.Endpoint = httptest.NewServer(mux)
	t.Cleanup(s.Endpoint.Close)

	ctx := context.Background()
	s.registerCommands(t)
	s.Discord.SetCommandPermissions(GuildID, []discordapp.CommandPermissions{{ID: AppID, Permissions: []discordapp.CommandPermission{
		{ID: DeployRole, Type: discordapp.CommandPermissionRole, Permission: true}}}})
	s.createStack(t, ctx)
	store := params.New(ssm.NewFromConfig(cfg), s.Prefix)
	for name, value := range map[string]string{
		secrets.DiscordBotToken: BotToken, secrets.GitHubPrivateKey: string(s.GitHub.GitHub.PrivateKeyPEM()), secrets.GitHubWebhookSecret: Secret,
	} {
		if err := store.Write(ctx, name, value); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// createStack creates the stack with the endpoint's URLs as outputs.
func (s *Suite) createStack(t *testing.T, ctx context.Context) {
	t.Helper()
	template, _ := json.Marshal(map[string]any{
		"Resources": map[string]any{"Queue": map[string]any{"Type": "AWS::SQS::Queue"}},
		"Outputs": map[string]any{
			stack.InteractionsEndpointURL:  map[string]any{"Value": s.InteractionsURL()},
			stack.GithubWebhookURL:         map[string]any{"Value": s.WebhookURL()},
			stack.InteractionsFunctionName: map[string]any{"Value": "DiscordChatOps-Interactions"},
			stack.TableName:                map[string]any{"Value": "DiscordChatOps-State"},
		},
	})
	cf := cloudformation.NewFromConfig(s.AWS)
	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(s.StackName), TemplateBody: aws.String(string(template))})
	if err != nil {
		t.Fatalf("create the stack in moto: %v", err)
	}
}

// RegisterCommands registers the suite's seven commands globally, as make register does (the
// three that change things fenced with Manage Server); none when names is empty.
func (s *Suite) RegisterCommands(t *testing.T, names ...string) {
	t.Helper()
	var cmds []map[string]any
	for _, n := range names {
		c := map[string]any{"name": n, "description": "the suite's /" + n}
		if n == "deploy" || n == "rollback" || n == "scale" {
			c["default_member_permissions"] = "32"
		}
		cmds = append(cmds, c)
	}
	body, _ := json.Marshal(cmds)
	if len(cmds) == 0 {
		body = []byte("[]")
	}
	req, _ := http.NewRequest(http.MethodPut, s.Discord.URL+"/applications/"+AppID+"/commands", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bot "+BotToken)
	req.Header.Set("User-Agent", rest.UserAgent)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("register the commands: %d", resp.StatusCode)
	}
}

func (s *Suite) registerCommands(t *testing.T) {
	s.RegisterCommands(t, "status", "cost", "deploy", "rollback", "assign", "scale", "help")
}

// InteractionsURL is the stack's InteractionsEndpointUrl.
func (s *Suite) InteractionsURL() string { return s.Endpoint.URL + "/interactions" }

// WebhookURL is the stack's GithubWebhookUrl.
func (s *Suite) WebhookURL() string { return s.Endpoint.URL + "/github" }

// ExampleWorkflow is examples/deploy.yml.
func ExampleWorkflow(t testing.TB) []byte {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "examples", "deploy.yml"))
	if err != nil {
		t.Fatal(fmt.Errorf("examples/deploy.yml: %w", err))
	}
	return b
}

// OtherKey is an Ed25519 private key that is not the application's.
func OtherKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
}
