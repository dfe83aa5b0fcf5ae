// Package wizard is `make setup`: it asks for the Discord bot token and reads the rest from
// Discord (the application id and public key, the servers, channels and roles by name),
// creates the GitHub App from its manifest, chooses the deploy repository among those the App
// is installed on and checks its workflow, then writes the three secrets to SSM and the other
// values to cdk.context.json, and bootstraps CDK where it is missing. Run again, it shows what
// is set and changes only what the user changes.
package wizard

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/setup/internal/appadmin"
	"github.com/discord-chatops/chatops/setup/internal/appmanifest"
	"github.com/discord-chatops/chatops/setup/internal/cdkcontext"
	"github.com/discord-chatops/chatops/setup/internal/costcheck"
	"github.com/discord-chatops/chatops/setup/internal/discordapp"
	"github.com/discord-chatops/chatops/setup/internal/params"
	"github.com/discord-chatops/chatops/setup/internal/stack"
	"github.com/discord-chatops/chatops/setup/internal/workflow"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// Options are the answers given as flags: a non-interactive run takes them, keeps what is
// already set for the rest, and fails where a value is neither.
type Options struct {
	NonInteractive bool
	// Guild and Channel are a server and a channel, by name or id.
	Guild, Channel string
	// DeployRoles are role names or ids; nil asks (or keeps what is set).
	DeployRoles []string
	// Repo is the deploy repository, owner/name.
	Repo string
	// Environments is the comma-separated environments /deploy offers.
	Environments string
	// GitHubURL is GitHub's web root (https://github.com, or https://HOST for Enterprise
	// Server) and GitHubOrg the organization that owns the App ("" for a personal account):
	// where a new App is created.
	GitHubURL, GitHubOrg string
	// NewGitHubApp creates a new App even when one is set.
	NewGitHubApp bool
}

// Deps are what the wizard reads and writes through.
type Deps struct {
	Prompt  Prompter
	Out     io.Writer
	Context *cdkcontext.Context
	SSM     params.API
	Stack   stack.API
	// Getenv reads DISCORD_BOT_TOKEN, the token of a non-interactive run.
	Getenv func(string) string
	// Account and Region are where the stack goes (from STS and the AWS config).
	Account, Region string
	// Cost tells whether Cost Explorer is on; nil skips the check.
	Cost costcheck.API
	// Bootstrap runs `cdk bootstrap aws://ACCOUNT/REGION`.
	Bootstrap func(ctx context.Context, account, region string) error
	// Listen opens the local port of the GitHub App page.
	Listen func() (net.Listener, error)
	// Manifest is github-app-manifest.json.
	Manifest []byte
	// DiscordAPIURL and GitHubAPIURL override the context's discordApiUrl and the REST base
	// that goes with GitHub's web root (tests, proxies).
	DiscordAPIURL, GitHubAPIURL string
	HTTPClient                  *http.Client
}

// wizard is one run.
type wizard struct {
	o       Options
	d       Deps
	ctx     *cdkcontext.Context
	store   *params.Store
	secrets map[string]string // what SSM holds
	write   map[string]string // secrets to write, by short name
	changed []string          // context keys changed
	appName string            // the Discord application's name, as the Integrations page shows it
	todo    []string          // what the user still has to do
}

// Run is the whole setup.
func Run(ctx context.Context, o Options, d Deps) error {
	w := &wizard{o: o, d: d, ctx: d.Context, write: map[string]string{}}
	w.store = params.New(d.SSM, d.Context.Get("parameterPrefix"))
	existing, err := w.store.Read(ctx)
	if err != nil {
		return fmt.Errorf("read the secrets in SSM: %w", err)
	}
	w.secrets = existing
	w.showState()

	discord, err := w.discord(ctx)
	if err != nil {
		return err
	}
	if err := w.server(ctx, discord); err != nil {
		return err
	}
	admin, err := w.githubApp(ctx)
	if err != nil {
		return err
	}
	if err := w.repository(ctx, admin); err != nil {
		return err
	}
	if err := w.environments(); err != nil {
		return err
	}
	if err := w.save(ctx); err != nil {
		return err
	}
	if err := w.bootstrap(ctx); err != nil {
		return err
	}
	w.next(ctx)
	return nil
}

func (w *wizard) say(format string, args ...any) { fmt.Fprintf(w.d.Out, format+"\n", args...) }

// set records a context value and whether it changed.
func (w *wizard) set(key, value string) {
	if w.ctx.Set(key, value) {
		w.changed = append(w.changed, key)
	}
}

func (w *wizard) showState() {
	w.say("Setting up Discord ChatOps in AWS account %s, Region %s.", w.d.Account, w.d.Region)
	var set []string
	for _, k := range cdkcontext.Keys() {
		if v := w.ctx.Get(k); v != "" && w.ctx.Written(k) {
			set = append(set, fmt.Sprintf("  %s = %s", k, v))
		}
	}
	for _, n := range params.Names() {
		if w.secrets[n] != "" {
			set = append(set, "  "+w.store.Path(n)+" (SecureString, set)")
		}
	}
	if len(set) > 0 {
		w.say("Already set (an empty answer keeps a value):\n%s", strings.Join(set, "\n"))
	}
	w.say("")
}

// discord chooses the bot token and reads the application from Discord.
func (w *wizard) discord(ctx context.Context) (*discordapp.Client, error) {
	base := w.d.DiscordAPIURL
	if base == "" {
		base = w.ctx.Get("discordApiUrl")
	}
	token := w.secrets[secrets.DiscordBotToken]
	keep := token != ""
	if keep && !w.o.NonInteractive {
		var err error
		if keep, err = w.d.Prompt.Confirm("Keep the bot token stored in "+w.store.Path(secrets.DiscordBotToken)+"?", true); err != nil {
			return nil, err
		}
	}
	for attempt := 0; ; attempt++ {
		if !keep {
			var err error
			if token, err = w.askToken(); err != nil {
				return nil, err
			}
		}
		client := discordapp.New(base, token, w.d.HTTPClient)
		app, err := client.Application(ctx)
		var de *discordapp.Error
		if errors.As(err, &de) && de.Status == http.StatusUnauthorized && !w.o.NonInteractive && attempt < 2 {
			w.say("Discord does not accept that token (401). Copy it again: Developer Portal > your application > Bot > Reset Token.")
			keep = false
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the Discord application with the bot token: %w", err)
		}
		if token != w.secrets[secrets.DiscordBotToken] {
			w.write[secrets.DiscordBotToken] = token
		}
		w.appName = app.Name
		w.set("discordApplicationId", app.ID)
		w.set("discordPublicKey", app.VerifyKey)
		w.say("Discord application %q: id %s, public key %s.", app.Name, app.ID, app.VerifyKey)
		return client, nil
	}
}

func (w *wizard) askToken() (string, error) {
	if t := strings.TrimSpace(w.d.Getenv("DISCORD_BOT_TOKEN")); t != "" {
		return t, nil
	}
	if w.o.NonInteractive {
		return "", errors.New("no bot token: set DISCORD_BOT_TOKEN for a non-interactive run")
	}
	t, err := w.d.Prompt.Secret("Discord bot token",
		"Developer Portal (https://discord.com/developers/applications) > New Application > Bot > Reset Token, then paste it here. It goes to SSM only.")
	if err != nil {
		return "", err
	}
	if t == "" {
		return "", errors.New("no bot token given")
	}
	return t, nil
}

// server chooses the server, the channel and the deploy roles.
func (w *wizard) server(ctx context.Context, client *discordapp.Client) error {
	appID := w.ctx.Get("discordApplicationId")
	var guilds []discordapp.Guild
	for {
		var err error
		if guilds, err = client.Guilds(ctx); err != nil {
			return fmt.Errorf("list the bot's servers: %w", err)
		}
		if len(guilds) > 0 {
			break
		}
		w.say("The bot is in no server yet. Invite it, with exactly the permissions the suite needs (%s: %s):\n  %s",
			discordapp.BotPermissions, strings.Join(discordapp.BotPermissions.Names(), ", "), discordapp.InviteURL(appID, ""))
		if w.o.NonInteractive {
			return errors.New("the bot is in no server: open the invite URL above, then run setup again")
		}
		if _, err := w.d.Prompt.Confirm("Invited it?", true); err != nil {
			return err
		}
	}
	guild, err := choose(w, "Which server?", guilds, w.o.Guild, w.ctx.Get(cdkcontext.GuildKey),
		func(g discordapp.Guild) Option { return Option{Label: g.Name, Value: g.ID} })
	if err != nil {
		return err
	}
	w.set(cdkcontext.GuildKey, guild.ID)

	channels, err := client.Channels(ctx, guild.ID)
	if err != nil {
		return fmt.Errorf("list the channels of %s: %w", guild.Name, err)
	}
	channels = slices.DeleteFunc(channels, func(c discordapp.Channel) bool { return !c.Postable() })
	slices.SortStableFunc(channels, func(a, b discordapp.Channel) int { return a.Position - b.Position })
	channel, err := choose(w, "Which channel gets the announcements, reports and deploy cards?", channels, w.o.Channel, w.ctx.Get("discordChannelId"),
		func(c discordapp.Channel) Option { return Option{Label: "#" + c.Name, Value: c.ID} })
	if err != nil {
		return err
	}
	w.set("discordChannelId", channel.ID)

	roles, err := client.Roles(ctx, guild.ID)
	if err != nil {
		return fmt.Errorf("list the roles of %s: %w", guild.Name, err)
	}
	roles = slices.DeleteFunc(roles, func(r discordapp.Role) bool { return r.ID == guild.ID || r.Managed })
	chosen, err := w.deployRoles(roles)
	if err != nil {
		return err
	}
	w.set("deployRoleIds", strings.Join(chosen, ","))
	if len(chosen) == 0 {
		w.say("No deploy roles: nobody will be able to approve /deploy, /rollback or /scale.")
	}
	w.integrations(roles, chosen)
	return nil
}

func (w *wizard) deployRoles(roles []discordapp.Role) ([]string, error) {
	current := w.ctx.List("deployRoleIds")
	if w.o.DeployRoles != nil {
		var ids []string
		for _, want := range w.o.DeployRoles {
			i := slices.IndexFunc(roles, func(r discordapp.Role) bool { return r.ID == want || strings.EqualFold(r.Name, want) })
			if i < 0 {
				return nil, fmt.Errorf("--deploy-roles: no role %q in the server", want)
			}
			ids = append(ids, roles[i].ID)
		}
		return ids, nil
	}
	if w.o.NonInteractive {
		return current, nil
	}
	opts := make([]Option, len(roles))
	for i, r := range roles {
		opts[i] = Option{Label: "@" + r.Name, Value: r.ID}
	}
	return w.d.Prompt.MultiSelect("Which roles may approve /deploy, /rollback and /scale?", "Members of these roles approve the cards.", opts, current)
}

// integrations says what to click when a deploy role lacks Manage Server.
func (w *wizard) integrations(roles []discordapp.Role, chosen []string) {
	if step := discordapp.IntegrationsStep(w.appName, roles, chosen); step != "" {
		w.todo = append(w.todo, "After make deploy: "+step)
	}
}

// choose picks one item: the flag's (by name or id), else the only one, else asks with the
// current value preselected.
func choose[T any](w *wizard, title string, items []T, flag, current string, option func(T) Option) (T, error) {
	var zero T
	if len(items) == 0 {
		return zero, fmt.Errorf("%s none to choose from", title)
	}
	opts := make([]Option, len(items))
	for i, it := range items {
		opts[i] = option(it)
	}
	pick := func(v string) (T, bool) {
		for i, o := range opts {
			if o.Value == v || strings.EqualFold(strings.TrimPrefix(o.Label, "#"), strings.TrimPrefix(v, "#")) {
				return items[i], true
			}
		}
		return zero, false
	}
	if flag != "" {
		if it, ok := pick(flag); ok {
			return it, nil
		}
		return zero, fmt.Errorf("%s %q is not one of them", title, flag)
	}
	if it, ok := pick(current); ok && w.o.NonInteractive {
		return it, nil
	}
	if len(items) == 1 {
		w.say("%s %s (the only one).", title, opts[0].Label)
		return items[0], nil
	}
	if w.o.NonInteractive {
		return zero, fmt.Errorf("%s: give it as a flag for a non-interactive run", title)
	}
	v, err := w.d.Prompt.Select(title, opts, current)
	if err != nil {
		return zero, err
	}
	it, _ := pick(v)
	return it, nil
}

// githubApp keeps the App that is set or creates one from the manifest.
func (w *wizard) githubApp(ctx context.Context) (*appadmin.Admin, error) {
	idText := w.ctx.Get("githubAppId")
	pem, secret := w.secrets[secrets.GitHubPrivateKey], w.secrets[secrets.GitHubWebhookSecret]
	if idText != "" && pem != "" && secret != "" && !w.o.NewGitHubApp {
		keep := true
		if !w.o.NonInteractive {
			var err error
			if keep, err = w.d.Prompt.Confirm(fmt.Sprintf("Keep the GitHub App %s (key and webhook secret in SSM)?", idText), true); err != nil {
				return nil, err
			}
		}
		if keep {
			id, _ := strconv.ParseInt(idText, 10, 64)
			return appadmin.New(id, []byte(pem), cmp.Or(w.d.GitHubAPIURL, w.ctx.Get("githubApiUrl")), w.d.HTTPClient)
		}
	}
	if w.o.NonInteractive {
		return nil, errors.New("no GitHub App yet: creating one needs a browser; run make setup interactively once")
	}
	web := w.o.GitHubURL
	if web == "" {
		def := appmanifest.DefaultWebURL
		if api := w.ctx.Get("githubApiUrl"); strings.HasSuffix(api, "/api/v3") {
			def = strings.TrimSuffix(api, "/api/v3")
		}
		var err error
		if web, err = w.d.Prompt.Input("GitHub", "https://github.com, or https://HOST for GitHub Enterprise Server", def, httpsURL); err != nil {
			return nil, err
		}
	}
	org := w.o.GitHubOrg
	if org == "" {
		var err error
		if org, err = w.d.Prompt.Input("Organization that owns the App", "empty for your personal account", "", nil); err != nil {
			return nil, err
		}
	}
	ln, err := w.d.Listen()
	if err != nil {
		return nil, fmt.Errorf("open a local port for the GitHub App page: %w", err)
	}
	flow := appmanifest.Flow{Manifest: w.d.Manifest, Target: appmanifest.Target{WebURL: web, Org: org}, APIURL: w.apiURL(web), HTTPClient: w.d.HTTPClient}
	app, err := flow.Run(ctx, ln, func(page string) {
		w.say("Open %s in a browser signed in to GitHub, name the App and click Create GitHub App.", page)
	})
	if err != nil {
		return nil, err
	}
	if app.WebhookSecret == "" {
		if app.WebhookSecret, err = appmanifest.RandomSecret(); err != nil {
			return nil, err
		}
	}
	// The code is spent: put the key and the secret in SSM now, before anything else can fail.
	for name, value := range map[string]string{secrets.GitHubPrivateKey: app.PEM, secrets.GitHubWebhookSecret: app.WebhookSecret} {
		if err := w.store.Write(ctx, name, value); err != nil {
			return nil, err
		}
		w.secrets[name] = value
	}
	w.set("githubAppId", strconv.FormatInt(app.ID, 10))
	w.set("githubClientId", app.ClientID) // /link's device flow
	w.set("githubApiUrl", w.apiURL(web))
	w.set(cdkcontext.AppURLKey, app.HTMLURL)
	if err := w.ctx.Save(); err != nil {
		return nil, err
	}
	w.say("Created the GitHub App %s (id %d); its key and webhook secret are in SSM.", app.Slug, app.ID)
	w.say("The browser is now on the App's install page (%s): choose the repository that holds the deploy workflow, and those whose pull requests and issues to announce, then Install.", app.InstallURL())
	return appadmin.New(app.ID, []byte(app.PEM), w.apiURL(web), w.d.HTTPClient)
}

// apiURL is the REST base that goes with GitHub's web root.
func (w *wizard) apiURL(web string) string {
	if w.d.GitHubAPIURL != "" {
		return w.d.GitHubAPIURL
	}
	return appmanifest.APIURL(web)
}

func httpsURL(s string) error {
	if !strings.HasPrefix(s, "https://") || strings.HasSuffix(s, "/") {
		return errors.New("an https:// URL without a trailing slash")
	}
	return nil
}

// repository chooses the deploy repository among those the App is installed on and checks its
// workflow.
func (w *wizard) repository(ctx context.Context, admin *appadmin.Admin) error {
	var repos []string
	for {
		var err error
		if repos, err = admin.Repositories(ctx); err != nil {
			return err
		}
		if len(repos) > 0 {
			break
		}
		where := "the App's page on GitHub > Install App"
		if u := w.ctx.Get(cdkcontext.AppURLKey); u != "" {
			where = appmanifest.App{HTMLURL: u}.InstallURL()
		}
		w.say("The App is installed on no repository yet. Install it on the deploy repository: %s", where)
		if w.o.NonInteractive {
			return errors.New("the GitHub App is installed on no repository")
		}
		if _, err := w.d.Prompt.Confirm("Installed it?", true); err != nil {
			return err
		}
	}
	repo, err := choose(w, "Which repository holds the deploy workflow?", repos, w.o.Repo, w.ctx.Get("githubRepository"),
		func(r string) Option { return Option{Label: r, Value: r} })
	if err != nil {
		return err
	}
	w.set("githubRepository", repo)
	owner, name, _ := appadmin.SplitRepo(repo)
	file := w.ctx.Get("deployWorkflow")
	content, found, err := admin.WorkflowFile(ctx, owner, name, file)
	switch {
	case err != nil:
		return err
	case !found:
		w.say("%s has no .github/workflows/%s.", repo, file)
		w.todo = append(w.todo, "Commit the deploy workflow: "+workflow.Fix(repo, file)+".")
	default:
		if problems := workflow.Check(content); len(problems) > 0 {
			w.say(".github/workflows/%s in %s: %s.", file, repo, strings.Join(problems, "; "))
			w.todo = append(w.todo, "Fix the deploy workflow: "+workflow.Fix(repo, file)+" (or add what is missing to yours).")
		} else {
			w.say(".github/workflows/%s in %s takes the four inputs and runs in an environment.", file, repo)
		}
	}
	return nil
}

func (w *wizard) environments() error {
	envRE := regexp.MustCompile(`^[A-Za-z0-9._-]{1,255}(,[A-Za-z0-9._-]{1,255})*$`)
	v := w.o.Environments
	if v == "" && !w.o.NonInteractive {
		var err error
		v, err = w.d.Prompt.Input("Environments /deploy offers", "comma-separated, as in the workflow's GitHub environments", w.ctx.Get("deployEnvironments"),
			func(s string) error {
				if !envRE.MatchString(strings.ReplaceAll(s, " ", "")) {
					return errors.New("comma-separated names of letters, digits, '.', '_' or '-'")
				}
				return nil
			})
		if err != nil {
			return err
		}
	}
	if v = strings.ReplaceAll(v, " ", ""); v != "" {
		if !envRE.MatchString(v) {
			return fmt.Errorf("environments %q: comma-separated names of letters, digits, '.', '_' or '-'", v)
		}
		w.set("deployEnvironments", v)
	}
	return nil
}

// costExplorer checks Cost Explorer; without a client it is unknown.
func (w *wizard) costExplorer(ctx context.Context) error {
	if w.d.Cost == nil {
		return errors.New("not checked")
	}
	return costcheck.Check(ctx, w.d.Cost, time.Now())
}

// save writes the secrets that changed to SSM and the values to cdk.context.json.
func (w *wizard) save(ctx context.Context) error {
	for _, name := range params.Names() {
		if v, ok := w.write[name]; ok {
			if err := w.store.Write(ctx, name, v); err != nil {
				return err
			}
			w.say("Wrote %s (SecureString).", w.store.Path(name))
		}
	}
	if err := w.ctx.Save(); err != nil {
		return err
	}
	if len(w.changed) == 0 {
		w.say("%s: nothing changed.", cdkcontext.File)
		return nil
	}
	w.say("Wrote %s: %s.", cdkcontext.File, strings.Join(slices.Compact(slices.Sorted(slices.Values(w.changed))), ", "))
	return nil
}

func (w *wizard) bootstrap(ctx context.Context) error {
	ok, err := stack.Bootstrapped(ctx, w.d.Stack)
	if err != nil {
		return err
	}
	if ok {
		w.say("CDK is bootstrapped in aws://%s/%s.", w.d.Account, w.d.Region)
		return nil
	}
	w.say("Bootstrapping CDK in aws://%s/%s (once per account and Region)...", w.d.Account, w.d.Region)
	if err := w.d.Bootstrap(ctx, w.d.Account, w.d.Region); err != nil {
		return fmt.Errorf("cdk bootstrap: %w", err)
	}
	return nil
}

func (w *wizard) next(ctx context.Context) {
	switch err := w.costExplorer(ctx); {
	case errors.Is(err, costcheck.ErrNotEnabled):
		w.todo = append(w.todo, "Cost Explorer is not enabled: "+costcheck.HowToEnable+".")
	case err != nil:
		w.todo = append(w.todo, "Enable Cost Explorer once, if it is not: AWS console > Billing and Cost Management > Cost Explorer (make doctor checks it; here: "+err.Error()+").")
	default:
		w.say("Cost Explorer is enabled.")
	}
	w.todo = append(w.todo,
		"Run make deploy: it deploys the stack, registers the commands and points Discord and the GitHub App at it. Then make doctor.")
	w.say("\nSetup is done. Still to do:")
	for i, t := range w.todo {
		w.say("  %d. %s", i+1, t)
	}
}
