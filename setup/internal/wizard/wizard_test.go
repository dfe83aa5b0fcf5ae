package wizard

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/setup/internal/appadmin/appadmintest"
	"github.com/discord-chatops/chatops/setup/internal/cdkcontext"
	"github.com/discord-chatops/chatops/setup/internal/discordapp"
	"github.com/discord-chatops/chatops/setup/internal/discordapp/discordapptest"
	"github.com/discord-chatops/chatops/setup/internal/suitetest"
	"github.com/discord-chatops/chatops/shared/mototest"
)

// world is everything setup talks to, before setup: a Discord application whose bot is in one
// server, a GitHub that will create the App, an empty account in moto, a fresh checkout.
type world struct {
	t        *testing.T
	dir      string
	aws      aws.Config
	discord  *discordapptest.Fake
	github   *appadmintest.Server
	manifest []byte

	mu         sync.Mutex
	bootstraps []string
	forms      []string // what the App page posted: action, then the manifest
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir(), aws: mototest.Start(t).Config(t)}
	for _, f := range []string{"cdk.json", "github-app-manifest.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(w.dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
		w.manifest = b
	}
	w.discord = discordapptest.New(t, suitetest.AppID, suitetest.BotToken)
	w.discord.AddGuild(discordapptest.Guild{
		Guild: discordapp.Guild{ID: suitetest.GuildID, Name: "Octo"},
		Channels: []discordapp.Channel{
			{ID: "1100000000000000012", Name: "Voice", Type: 2, Position: 0},
			{ID: suitetest.ChannelID, Name: "ops", Type: discordapp.ChannelText, Position: 1},
			{ID: "1100000000000000011", Name: "general", Type: discordapp.ChannelText, Position: 2},
		},
		Roles: []discordapp.Role{{ID: suitetest.GuildID, Name: "@everyone"}, {ID: suitetest.DeployRole, Name: "deployers"},
			{ID: "1100000000000000022", Name: "admins", Permissions: discordapp.PermissionAdministrator},
			{ID: suitetest.BotRole, Name: "ChatOps", Managed: true}},
	})
	w.github = appadmintest.Start(t)
	w.github.AddRepository(suitetest.Repo)
	w.github.SetFile(suitetest.Repo, ".github/workflows/deploy.yml", string(suitetest.ExampleWorkflow(t)))
	return w
}

// deps are the wizard's dependencies in the world, reading the scripted lines.
func (w *world) deps(t *testing.T, lines ...string) (Deps, *strings.Builder) {
	t.Helper()
	c, err := cdkcontext.Load(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	out := &strings.Builder{}
	return Deps{
		Prompt: NewHuh(strings.NewReader(strings.Join(lines, "\n")+"\n"), out, true), Out: out, Context: c,
		SSM: ssm.NewFromConfig(w.aws), Stack: cloudformation.NewFromConfig(w.aws), Getenv: func(string) string { return "" },
		Account: "123456789012", Region: "eu-west-1", Bootstrap: w.bootstrap, Listen: w.listen, Manifest: w.manifest,
		DiscordAPIURL: w.discord.URL, GitHubAPIURL: w.github.URL,
	}, out
}

// bootstrap stands for cdk bootstrap: it creates the CDKToolkit stack.
func (w *world) bootstrap(ctx context.Context, account, region string) error {
	w.mu.Lock()
	w.bootstraps = append(w.bootstraps, account+"/"+region)
	w.mu.Unlock()
	_, err := cloudformation.NewFromConfig(w.aws).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("CDKToolkit"),
		TemplateBody: aws.String(`{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}`)})
	return err
}

// listen opens the App page's port and acts as the browser: it loads the page, checks the
// form, and comes back with the code as GitHub would after "Create GitHub App".
func (w *world) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w.github.AddCode("code-1")
	go func() {
		base := "http://" + ln.Addr().String()
		resp, err := http.Get(base + "/")
		if err != nil {
			w.t.Errorf("load the App page: %v", err)
			return
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(string(page))
		manifest := regexp.MustCompile(`name="manifest" value="([^"]+)"`).FindStringSubmatch(string(page))
		if action == nil || manifest == nil {
			w.t.Errorf("the App page has no form:\n%s", page)
			return
		}
		u, _ := url.Parse(html.UnescapeString(action[1]))
		w.mu.Lock()
		w.forms = append(w.forms, u.Scheme+"://"+u.Host+u.Path, html.UnescapeString(manifest[1]))
		w.mu.Unlock()
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		cb, err := noFollow.Get(base + "/callback?code=code-1&state=" + u.Query().Get("state"))
		if err != nil {
			w.t.Errorf("come back from GitHub: %v", err)
			return
		}
		cb.Body.Close()
		if loc := cb.Header.Get("Location"); cb.StatusCode != http.StatusFound || loc != "https://github.com/apps/discord-chatops/installations/new" {
			w.t.Errorf("the callback answered %d to %q, want the App's install page", cb.StatusCode, loc)
		}
	}()
	return ln, nil
}

func (w *world) parameter(t *testing.T, name string) (value string, version int64) {
	t.Helper()
	out, err := ssm.NewFromConfig(w.aws).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if out.Parameter.Type != ssmtypes.ParameterTypeSecureString {
		t.Errorf("%s is %s, want SecureString", name, out.Parameter.Type)
	}
	return aws.ToString(out.Parameter.Value), out.Parameter.Version
}

func (w *world) contextFile(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, cdkcontext.File))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFromZero runs setup on nothing, answering as a new user would, then again keeping
// everything.
func TestFromZero(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	deps, out := w.deps(t,
		suitetest.BotToken, // the bot token, hidden
		"2",                // channel: #general
		"1", "0",           // deploy roles: @deployers, done
		"",                 // GitHub: github.com
		"octo-org",         // the organization
		"dev,staging,prod", // environments
	)
	deps.Cost = costAnswer{&smithy.GenericAPIError{Code: "DataUnavailableException", Message: "Data is not available."}}
	if err := Run(context.Background(), Options{}, deps); err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out)
	}
	for name, want := range map[string]string{
		"/chatops/discord/bot-token": suitetest.BotToken, "/chatops/github/private-key": string(w.github.GitHub.PrivateKeyPEM()),
		"/chatops/github/webhook-secret": "secret-from-github",
	} {
		if got, _ := w.parameter(t, name); got != want {
			t.Errorf("%s holds %.20q..., want %.20q...", name, got, want)
		}
	}
	want := map[string]string{
		"discordApplicationId": suitetest.AppID, "discordPublicKey": w.discord.Application().VerifyKey,
		"discordChannelId": "1100000000000000011", "deployRoleIds": suitetest.DeployRole, "githubAppId": "424242", "githubClientId": "Iv1.x",
		"githubApiUrl": w.github.URL, "githubRepository": suitetest.Repo, "deployEnvironments": "dev,staging,prod",
		cdkcontext.GuildKey: suitetest.GuildID, cdkcontext.AppURLKey: "https://github.com/apps/discord-chatops",
	}
	if diff := cmp.Diff(want, w.contextFile(t)); diff != "" {
		t.Errorf("cdk.context.json (-want +got):\n%s", diff)
	}
	if len(w.forms) != 2 || w.forms[0] != "https://github.com/organizations/octo-org/settings/apps/new" {
		t.Fatalf("the App page posted %q", w.forms)
	}
	var manifest map[string]any
	if err := json.Unmarshal([]byte(w.forms[1]), &manifest); err != nil || !strings.HasSuffix(manifest["redirect_url"].(string), "/callback") ||
		manifest["default_permissions"] == nil || manifest["name"] != "Discord ChatOps" {
		t.Errorf("posted manifest %v (%v), want the repository's with the local callback", manifest, err)
	}
	if !cmp.Equal(w.bootstraps, []string{"123456789012/eu-west-1"}) {
		t.Errorf("bootstraps %v", w.bootstraps)
	}
	text := out.String()
	for _, secret := range []string{suitetest.BotToken, "secret-from-github", "PRIVATE KEY"} {
		if strings.Contains(text, secret) {
			t.Errorf("the output shows a secret (%s)", secret)
		}
	}
	for _, say := range []string{
		"https://github.com/apps/discord-chatops/installations/new",
		"takes the four inputs and runs in an environment",
		"After make deploy: Let @deployers use the commands that change things (Discord shows /deploy, /rollback and /scale only to members with Manage Server until then): Server Settings > Integrations > ChatOps > Manage > for /deploy, /rollback and /scale: Add Roles or Members > @deployers.",
		"Cost Explorer is not enabled: enable it once: AWS console > Billing and Cost Management > Cost Explorer", "make deploy",
	} {
		if !strings.Contains(text, say) {
			t.Errorf("the output does not say %q:\n%s", say, text)
		}
	}
	if os.Getenv("SETUP_TRANSCRIPT") != "" {
		t.Logf("transcript:\n%s", text)
	}
	_, tokenVersion := w.parameter(t, "/chatops/discord/bot-token")

	// Again, keeping every answer: nothing changes.
	deps, out = w.deps(t, "y", "", "0", "y", "")
	if err := Run(context.Background(), Options{}, deps); err != nil {
		t.Fatalf("second run: %v\noutput:\n%s", err, out)
	}
	if diff := cmp.Diff(want, w.contextFile(t)); diff != "" {
		t.Errorf("cdk.context.json after the second run (-want +got):\n%s", diff)
	}
	if _, v := w.parameter(t, "/chatops/discord/bot-token"); v != tokenVersion {
		t.Errorf("the bot token was written again (version %d, was %d)", v, tokenVersion)
	}
	for _, say := range []string{"Already set", "discordChannelId = 1100000000000000011", "/chatops/github/private-key (SecureString, set)",
		"cdk.context.json: nothing changed", "CDK is bootstrapped"} {
		if !strings.Contains(out.String(), say) {
			t.Errorf("the second run does not say %q:\n%s", say, out)
		}
	}
	if len(w.bootstraps) != 1 {
		t.Errorf("bootstrapped again: %v", w.bootstraps)
	}
}

// TestNonInteractive: flags and DISCORD_BOT_TOKEN answer everything for a checkout whose App
// is set; a missing workflow is named with what to commit.
func TestNonInteractive(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.github.SetFile(suitetest.Repo, ".github/workflows/deploy.yml", "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n")
	deps, out := w.deps(t)
	deps.Prompt = refuse{t}
	deps.Getenv = func(k string) string { return map[string]string{"DISCORD_BOT_TOKEN": suitetest.BotToken}[k] }
	deps.Context.Set("githubAppId", "424242")
	store := ssm.NewFromConfig(w.aws)
	for name, value := range map[string]string{"/chatops/github/private-key": string(w.github.GitHub.PrivateKeyPEM()), "/chatops/github/webhook-secret": "s"} {
		if _, err := store.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
			t.Fatal(err)
		}
	}
	deps.Cost = costAnswer{}
	o := Options{NonInteractive: true, Channel: "#ops", DeployRoles: []string{"deployers", "admins"}, Repo: suitetest.Repo, Environments: "prod"}
	if err := Run(context.Background(), o, deps); err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out)
	}
	got := w.contextFile(t)
	if got["discordChannelId"] != suitetest.ChannelID || got["deployRoleIds"] != suitetest.DeployRole+",1100000000000000022" || got["deployEnvironments"] != "prod" {
		t.Errorf("cdk.context.json %v", got)
	}
	if v, _ := w.parameter(t, "/chatops/discord/bot-token"); v != suitetest.BotToken {
		t.Error("the token from DISCORD_BOT_TOKEN is not in SSM")
	}
	for _, say := range []string{"no workflow_dispatch trigger", "copy examples/deploy.yml to .github/workflows/deploy.yml in octo-org/app"} {
		if !strings.Contains(out.String(), say) {
			t.Errorf("output does not say %q:\n%s", say, out)
		}
	}
	if !strings.Contains(out.String(), "Cost Explorer is enabled.") || strings.Contains(out.String(), "Enable Cost Explorer") {
		t.Errorf("Cost Explorer answers, yet:\n%s", out)
	}
	if strings.Contains(out.String(), "@admins") {
		t.Errorf("Integrations step asked for a role with Administrator:\n%s", out)
	}
}

// TestBotInNoServer: the invite URL carries exactly the suite's permissions.
func TestBotInNoServer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	d := discordapptest.New(t, suitetest.AppID, suitetest.BotToken)
	deps, out := w.deps(t)
	deps.DiscordAPIURL = d.URL
	deps.Prompt = refuse{t}
	deps.Getenv = func(string) string { return suitetest.BotToken }
	err := Run(context.Background(), Options{NonInteractive: true}, deps)
	if err == nil || !strings.Contains(err.Error(), "invite URL") {
		t.Fatalf("Run error = %v", err)
	}
	want := "https://discord.com/oauth2/authorize?client_id=" + suitetest.AppID + "&permissions=84992&scope=bot+applications.commands"
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "View Channel, Send Messages, Embed Links, Read Message History") {
		t.Errorf("output lacks %s and the permission names:\n%s", want, out)
	}
}

// TestInputEnds: a script that stops early is an error, not a hang or a guess.
func TestInputEnds(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	deps, _ := w.deps(t, suitetest.BotToken)
	deps.Prompt = NewHuh(strings.NewReader(suitetest.BotToken+"\n"), deps.Out, true)
	if err := Run(context.Background(), Options{}, deps); !errors.Is(err, ErrInputEnded) {
		t.Errorf("Run error = %v, want ErrInputEnded", err)
	}
}

// costAnswer is a Cost Explorer that answers err.
type costAnswer struct{ err error }

func (c costAnswer) GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	if c.err != nil {
		return nil, c.err
	}
	return &costexplorer.GetCostAndUsageOutput{}, nil
}

// refuse is a Prompter for runs that must not ask.
type refuse struct{ t *testing.T }

func (r refuse) fail(what string) error {
	r.t.Errorf("a non-interactive run asked: %s", what)
	return errors.New("asked")
}
func (r refuse) Input(title, _, _ string, _ func(string) error) (string, error) {
	return "", r.fail(title)
}
func (r refuse) Secret(title, _ string) (string, error)                    { return "", r.fail(title) }
func (r refuse) Select(title string, _ []Option, _ string) (string, error) { return "", r.fail(title) }
func (r refuse) MultiSelect(title, _ string, _ []Option, _ []string) ([]string, error) {
	return nil, r.fail(title)
}
func (r refuse) Confirm(title string, _ bool) (bool, error) { return false, r.fail(title) }

// hooked answers as its Prompter does, running a hook before a Confirm whose title it names.
type hooked struct {
	Prompter
	hooks map[string]func()
}

func (h hooked) Confirm(title string, value bool) (bool, error) {
	if f, ok := h.hooks[title]; ok {
		f()
	}
	return h.Prompter.Confirm(title, value)
}

// TestEnterpriseServer: a new App on GitHub Enterprise Server, for the signed-in user, is
// created through the server's own form.
func TestEnterpriseServer(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	deps, out := w.deps(t, suitetest.BotToken, "1", "0", "", "")
	o := Options{GitHubURL: "https://ghe.example.com"}
	if err := Run(context.Background(), o, deps); err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out)
	}
	if len(w.forms) != 2 || w.forms[0] != "https://ghe.example.com/settings/apps/new" {
		t.Errorf("the App page posted to %q, want the server's form for the user", w.forms)
	}
}

// TestWaitsForInviteAndInstall: when the bot is in no server and the App on no repository,
// setup prints where to click and waits until it is done.
func TestWaitsForInviteAndInstall(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	d := discordapptest.New(t, suitetest.AppID, suitetest.BotToken)
	gh := appadmintest.Start(t)
	deps, out := w.deps(t, suitetest.BotToken, "y", "1", "0", "", "", "y", "")
	deps.DiscordAPIURL, deps.GitHubAPIURL = d.URL, gh.URL
	w.github = gh // the browser's code goes to this GitHub
	deps.Prompt = hooked{Prompter: deps.Prompt, hooks: map[string]func(){
		"Invited it?": func() {
			d.AddGuild(discordapptest.Guild{Guild: discordapp.Guild{ID: suitetest.GuildID, Name: "Octo"},
				Channels: []discordapp.Channel{{ID: suitetest.ChannelID, Name: "ops"}},
				Roles:    []discordapp.Role{{ID: suitetest.GuildID, Name: "@everyone"}, {ID: suitetest.DeployRole, Name: "deployers"}}})
		},
		"Installed it?": func() { gh.AddRepository("octo-org/app") },
	}}
	if err := Run(context.Background(), Options{}, deps); err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out)
	}
	for _, say := range []string{"The bot is in no server yet", "permissions=84992", "The App is installed on no repository yet",
		"octo-org/app has no .github/workflows/deploy.yml", "Commit the deploy workflow: copy examples/deploy.yml"} {
		if !strings.Contains(out.String(), say) {
			t.Errorf("output does not say %q:\n%s", say, out)
		}
	}
	if got := w.contextFile(t); got["githubRepository"] != "octo-org/app" || got["discordChannelId"] != suitetest.ChannelID {
		t.Errorf("cdk.context.json %v", got)
	}
}
