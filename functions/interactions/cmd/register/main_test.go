package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/discord/openapitest"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/secrets"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const appID = "1290000000000000001"

// loadSpec loads Discord's OpenAPI extract for command registration (see testdata/README.md).
func loadSpec(t *testing.T) *openapitest.Spec {
	t.Helper()
	s, err := openapitest.Extract("application-commands.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func noSSM(context.Context) (secrets.GetParametersAPI, error) {
	panic("SSM used without --from-ssm")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	i18ntest.Check(t, filepath.Join("testdata", name), got, *update)
}

// TestRegister registers against a fake Discord, per guild and globally, and checks the
// request against Discord's OpenAPI description of the bulk overwrite.
func TestRegister(t *testing.T) {
	t.Parallel()
	s := loadSpec(t)
	tests := []struct {
		name, guild, wantPath, operation string
	}{
		{"guild", "1100000000000000001", "/api/v10/applications/" + appID + "/guilds/1100000000000000001/commands",
			"PUT /applications/{application_id}/guilds/{guild_id}/commands"},
		{"global", "", "/api/v10/applications/" + appID + "/commands", "PUT /applications/{application_id}/commands"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := discordtest.NewServer(t, discordtest.Options{AppID: appID, BotToken: "bot-token-1"})
			var out bytes.Buffer
			args := []string{}
			if tt.guild != "" {
				args = append(args, "--guild", tt.guild)
			}
			err := run(context.Background(), args, env(map[string]string{
				"DISCORD_APPLICATION_ID": appID, "DISCORD_BOT_TOKEN": "bot-token-1", "DISCORD_API_URL": d.URL,
			}), &out, awsClients{ssm: noSSM})
			if err != nil {
				t.Fatal(err)
			}
			reqs := d.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if auth := r.Header.Get("Authorization"); r.Method != http.MethodPut || r.Path != tt.wantPath || auth != "Bot bot-token-1" {
				t.Errorf("%s %s with %q, want PUT %s with the bot token", r.Method, r.Path, auth, tt.wantPath)
			}
			if err := s.CheckOperation(tt.operation, r.Body); err != nil {
				t.Errorf("body breaks the OpenAPI schema:\n%v\nbody: %s", err, r.Body)
			}
			golden(t, "register-"+tt.name+".txt", out.Bytes())
			if strings.Contains(out.String(), "bot-token-1") {
				t.Error("the output shows the bot token")
			}
		})
	}
}

// TestRegisteredSet checks the registered definitions: every command of the contract, with its
// options, and the permission fence on the commands that change things.
func TestRegisteredSet(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--dry-run"}, env(map[string]string{"DEPLOY_ENVIRONMENTS": "dev, staging ,prod"}), &out, awsClients{ssm: noSSM}); err != nil {
		t.Fatal(err)
	}
	golden(t, "register-body.json", out.Bytes())
	if err := loadSpec(t).CheckOperation("PUT /applications/{application_id}/commands", out.Bytes()); err != nil {
		t.Errorf("body breaks the OpenAPI schema:\n%v", err)
	}
	var cmds []discord.Command
	if err := json.Unmarshal(out.Bytes(), &cmds); err != nil {
		t.Fatal(err)
	}
	type summary struct {
		Options  []string
		Perms    string
		Contexts []int
	}
	got := map[string]summary{}
	for _, c := range cmds {
		s := summary{Contexts: c.Contexts}
		for _, o := range c.Options {
			s.Options = append(s.Options, o.Name)
		}
		if c.DefaultMemberPermissions != nil {
			s.Perms = *c.DefaultMemberPermissions
		}
		got[c.Name] = s
	}
	guild := []int{0}
	want := map[string]summary{
		"status":   {Options: []string{"service", "target"}, Contexts: guild},
		"cost":     {Contexts: guild},
		"deploy":   {Options: []string{"environment", "ref"}, Perms: "32", Contexts: guild},
		"rollback": {Options: []string{"environment", "to"}, Perms: "32", Contexts: guild},
		"assign":   {Options: []string{"number", "assignee", "repo"}, Contexts: guild},
		"scale":    {Options: []string{"service", "target", "desired"}, Perms: "32", Contexts: guild},
		"audit":    {Options: []string{"environment", "member"}, Perms: "32", Contexts: guild},
		"subscribe": {Options: []string{"repo", "events", "branches", "drafts", "labels", "exclude_labels", "ignore_authors", "bots"},
			Perms: "32", Contexts: guild},
		"unsubscribe":   {Options: []string{"repo"}, Perms: "32", Contexts: guild},
		"subscriptions": {Contexts: guild},
		"help":          {},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("registered set mismatch (-want +got):\n%s", diff)
	}
}

// TestRegisterFromSSM reads the bot token from Parameter Store in moto_server.
func TestRegisterFromSSM(t *testing.T) {
	t.Parallel()
	cfg := mototest.Start(t).Config(t)
	client := ssm.NewFromConfig(cfg)
	if _, err := client.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String("/team/discord/bot-token"),
		Value: aws.String("bot-token-from-ssm"), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	d := discordtest.NewServer(t, discordtest.Options{AppID: appID})
	err := run(context.Background(), []string{"--from-ssm", "--guild", "1"}, env(map[string]string{
		"DISCORD_APPLICATION_ID": appID, "DISCORD_API_URL": d.URL, "CHATOPS_PARAMETER_PREFIX": "/team",
	}), io.Discard, awsClients{ssm: func(context.Context) (secrets.GetParametersAPI, error) { return client, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Requests()[0].Header.Get("Authorization"); got != "Bot bot-token-from-ssm" {
		t.Errorf("Authorization %q, want the token from SSM", got)
	}
}

func TestRegisterRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no application id", nil, map[string]string{"DISCORD_BOT_TOKEN": "x"}, "DISCORD_APPLICATION_ID is not set"},
		{"no token", nil, map[string]string{"DISCORD_APPLICATION_ID": appID}, "DISCORD_BOT_TOKEN is not set (or use --from-ssm)"},
		{"stray argument", []string{"global"}, nil, `unexpected arguments ["global"]`},
		{"too many environments", nil, map[string]string{"DEPLOY_ENVIRONMENTS": strings.Repeat("e,", 26) + "z"}, "DEPLOY_ENVIRONMENTS: 27 names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(context.Background(), tt.args, env(tt.env), io.Discard, awsClients{ssm: noSSM})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestSpecCatchesMistakes keeps the schema check honest here: bodies Discord would refuse fail.
func TestSpecCatchesMistakes(t *testing.T) {
	t.Parallel()
	s := loadSpec(t)
	for name, body := range map[string]string{
		"unknown field":          `[{"name":"a","description":"d","colour":1}]`,
		"long name":              `[{"name":"` + strings.Repeat("a", 33) + `","description":"d"}]`,
		"string choice integer":  `[{"name":"a","description":"d","options":[{"type":3,"name":"o","description":"d","choices":[{"name":"x","value":1}]}]}]`,
		"bad context":            `[{"name":"a","description":"d","contexts":[7]}]`,
		"permissions not digits": `[{"name":"a","description":"d","default_member_permissions":"admin"}]`,
	} {
		if err := s.CheckOperation("PUT /applications/{application_id}/commands", []byte(body)); err == nil {
			t.Errorf("%s: %s passes", name, body)
		}
	}
}

// TestRegisterFromFunction: with --function, what the shell does not set comes from the deployed
// function's environment (the application id, the environments, the Discord base), and the shell
// still wins where it sets a variable.
func TestRegisterFromFunction(t *testing.T) {
	t.Parallel()
	d := discordtest.NewServer(t, discordtest.Options{AppID: appID, BotToken: "shell-token"})
	var asked string
	deployed := func(_ context.Context, name string) (map[string]string, error) {
		asked = name
		return map[string]string{"DISCORD_APPLICATION_ID": appID, "DEPLOY_ENVIRONMENTS": "staging,prod",
			"DISCORD_API_URL": "http://unused.invalid", "DISCORD_BOT_TOKEN": "deployed-functions-have-none"}, nil
	}
	err := run(context.Background(), []string{"--function", "DiscordChatOps-Interactions"}, env(map[string]string{
		"DISCORD_API_URL": d.URL, "DISCORD_BOT_TOKEN": "shell-token",
	}), io.Discard, awsClients{ssm: noSSM, functionEnv: deployed})
	if err != nil {
		t.Fatal(err)
	}
	reqs := d.Requests()
	if asked != "DiscordChatOps-Interactions" || len(reqs) != 1 {
		t.Fatalf("asked for %q, %d requests to Discord", asked, len(reqs))
	}
	if r := reqs[0]; r.Header.Get("Authorization") != "Bot shell-token" || !strings.Contains(r.Path, "/applications/"+appID+"/commands") ||
		!strings.Contains(string(r.Body), `"name":"staging"`) {
		t.Errorf("request %s %s %s, want the shell's token, the deployed application id and environments", r.Header.Get("Authorization"), r.Path, r.Body)
	}
	if err := run(context.Background(), []string{"--function", "missing"}, env(nil), io.Discard, awsClients{ssm: noSSM,
		functionEnv: func(context.Context, string) (map[string]string, error) {
			return nil, errors.New("ResourceNotFoundException")
		}}); err == nil {
		t.Error("an unreadable function configuration was not an error")
	}
}

// TestRegisteredInKorean checks that every command and option registers a Korean description,
// and every choice a Korean name, except the deploy environments, which are names from
// DEPLOY_ENVIRONMENTS and stay as written; and that the body still fits Discord's schema.
func TestRegisteredInKorean(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	envs := map[string]bool{"dev": true, "staging": true, "prod": true}
	if err := run(context.Background(), []string{"--dry-run"}, env(map[string]string{"DEPLOY_ENVIRONMENTS": "dev,staging,prod"}), &out, awsClients{ssm: noSSM}); err != nil {
		t.Fatal(err)
	}
	if err := loadSpec(t).CheckOperation("PUT /applications/{application_id}/commands", out.Bytes()); err != nil {
		t.Errorf("body breaks the OpenAPI schema:\n%v", err)
	}
	var cmds []discord.Command
	if err := json.Unmarshal(out.Bytes(), &cmds); err != nil {
		t.Fatal(err)
	}
	korean := func(what string, l discord.Localizations) {
		t.Helper()
		if !strings.ContainsFunc(l["ko"], func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) || len(l) != 1 {
			t.Errorf("%s: localizations %q, want Korean text for \"ko\" only", what, l)
		}
	}
	choices := 0
	for _, c := range cmds {
		korean("/"+c.Name, c.DescriptionLocalizations)
		for _, o := range c.Options {
			korean("/"+c.Name+" "+o.Name, o.DescriptionLocalizations)
			for _, ch := range o.Choices {
				what := fmt.Sprintf("/%s %s choice %v", c.Name, o.Name, ch.Value)
				if v, _ := ch.Value.(string); envs[v] {
					if ch.Name != v || ch.NameLocalizations != nil {
						t.Errorf("%s: %q %q, want the environment's name as written", what, ch.Name, ch.NameLocalizations)
					}
					continue
				}
				choices++
				korean(what, ch.NameLocalizations)
			}
		}
	}
	if len(cmds) < 7 || choices < 5 {
		t.Errorf("%d commands and %d localized choices: the table lost some", len(cmds), choices)
	}
}
