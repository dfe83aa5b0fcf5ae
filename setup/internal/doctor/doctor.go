// Package doctor checks a deployed suite without changing anything, and names each problem with
// its fix: the stack's outputs, Discord's Interactions Endpoint URL and the endpoint's refusal
// of unsigned requests, the GitHub App's webhook and its recent deliveries, the App's
// installation on the deploy repository, the deploy workflow, the secrets in SSM, Cost
// Explorer, the deploy roles and the bot's permissions in the channel.
package doctor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go"
	jwt "github.com/golang-jwt/jwt/v4"

	"github.com/discord-chatops/chatops/setup/internal/appadmin"
	"github.com/discord-chatops/chatops/setup/internal/costcheck"
	"github.com/discord-chatops/chatops/setup/internal/discordapp"
	"github.com/discord-chatops/chatops/setup/internal/params"
	"github.com/discord-chatops/chatops/setup/internal/stack"
	"github.com/discord-chatops/chatops/setup/internal/workflow"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// Result is one check's outcome. A failed check has a Problem and its Fix.
type Result struct {
	Check   string
	OK      bool
	Detail  string // what was found, for a check that passed
	Problem string
	Fix     string
}

// Config is what doctor checks against: the values setup chose (cdk.context.json over cdk.json).
type Config struct {
	// StackName is the suite's stack; "" is stack.Name.
	StackName        string
	DiscordAPIURL    string
	GitHubAPIURL     string
	GitHubAppID      string
	GitHubRepository string
	DeployWorkflow   string
	DiscordChannelID string
	DeployRoleIDs    []string
	ParameterPrefix  string
}

// Deps are the clients doctor reads through.
type Deps struct {
	Stack      stack.API
	SSM        params.API
	Cost       costcheck.API
	HTTPClient *http.Client
	Now        func() time.Time
}

// checker holds what earlier checks found, for the later ones.
type checker struct {
	cfg     Config
	deps    Deps
	results []Result
	outputs map[string]string
	secrets map[string]string
	discord *discordapp.Client
	admin   *appadmin.Admin
}

func (c *checker) ok(check, detail string) {
	c.results = append(c.results, Result{Check: check, OK: true, Detail: detail})
}
func (c *checker) fail(check, problem, fix string) {
	c.results = append(c.results, Result{Check: check, Problem: problem, Fix: fix})
}

const fixSetup = "run make setup"

// Run makes every check, in order, and returns their results.
func Run(ctx context.Context, cfg Config, deps Deps) []Result {
	if deps.HTTPClient == nil {
		deps.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.StackName == "" {
		cfg.StackName = stack.Name
	}
	c := &checker{cfg: cfg, deps: deps}
	c.stackOutputs(ctx)
	c.parameters(ctx)
	c.discordEndpoint(ctx)
	c.unsignedRefused(ctx)
	c.githubWebhook(ctx)
	c.deliveries(ctx)
	c.installation(ctx)
	c.deployWorkflow(ctx)
	c.costExplorer(ctx)
	c.deployRoles(ctx)
	c.channel(ctx)
	c.commands(ctx)
	return c.results
}

func (c *checker) stackOutputs(ctx context.Context) {
	const check = "stack outputs"
	status, outputs, err := stack.Describe(ctx, c.deps.Stack, c.cfg.StackName)
	switch {
	case errors.Is(err, stack.ErrNotFound):
		c.fail(check, "the stack "+c.cfg.StackName+" does not exist in this account and Region", "run make deploy (with the account's credentials and AWS_REGION set)")
		return
	case err != nil:
		c.fail(check, err.Error(), "check the AWS credentials and Region (aws sts get-caller-identity)")
		return
	}
	var missing []string
	for _, o := range stack.Outputs() {
		if outputs[o] == "" {
			missing = append(missing, o)
		}
	}
	if len(missing) > 0 || !strings.HasSuffix(status, "_COMPLETE") || strings.Contains(status, "ROLLBACK") {
		c.fail(check, fmt.Sprintf("the stack is %s and lacks the outputs %v", status, missing), "run make deploy again; if it fails, the CloudFormation console's Events tab says why")
		c.outputs = outputs
		return
	}
	c.outputs = outputs
	c.ok(check, fmt.Sprintf("%s is %s", c.cfg.StackName, status))
}

func (c *checker) parameters(ctx context.Context) {
	const check = "secrets in SSM"
	store := params.New(c.deps.SSM, c.cfg.ParameterPrefix)
	values, err := store.Read(ctx)
	if err != nil {
		c.fail(check, err.Error(), "run make setup, which writes them as SecureString parameters")
		return
	}
	c.secrets = values
	var problems []string
	for _, n := range params.Names() {
		if values[n] == "" {
			problems = append(problems, store.Path(n)+" does not exist")
		}
	}
	if pem := values[secrets.GitHubPrivateKey]; pem != "" {
		if _, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(pem)); err != nil {
			problems = append(problems, store.Path(secrets.GitHubPrivateKey)+" is not an RSA private key in PEM: "+err.Error())
		} else if id, err := strconv.ParseInt(c.cfg.GitHubAppID, 10, 64); err == nil {
			// The App's checks need only its id and key: build the client whatever else is wrong.
			if a, err := appadmin.New(id, []byte(pem), c.cfg.GitHubAPIURL, c.deps.HTTPClient); err == nil {
				c.admin = a
			}
		}
	}
	if token := values[secrets.DiscordBotToken]; token != "" {
		c.discord = discordapp.New(c.cfg.DiscordAPIURL, token, c.deps.HTTPClient)
		if _, err := c.discord.Me(ctx); err != nil {
			problems = append(problems, store.Path(secrets.DiscordBotToken)+" is not accepted by Discord: "+err.Error())
			c.discord = nil
		}
	}
	if len(problems) > 0 {
		c.fail(check, strings.Join(problems, "; "), fixSetup+" (it keeps what is right and asks again for the rest; a new bot token comes from Developer Portal > Bot > Reset Token)")
		return
	}
	c.ok(check, "the three SecureString parameters exist, the private key parses, Discord accepts the bot token")
}

// needs fails check when what it needs is missing, and says so.
func (c *checker) needs(check string, what ...string) bool {
	for _, w := range what {
		switch {
		case w == "discord" && c.discord == nil:
			c.fail(check, "not checked: needs the bot token from SSM", "fix the secrets check first")
			return false
		case w == "github" && c.admin == nil:
			c.fail(check, "not checked: needs the GitHub App id (githubAppId) and its private key", "fix the secrets check first; "+fixSetup)
			return false
		case w != "discord" && w != "github" && c.outputs[w] == "":
			c.fail(check, "not checked: needs the stack output "+w, "fix the stack outputs check first")
			return false
		}
	}
	return true
}

func (c *checker) discordEndpoint(ctx context.Context) {
	const check = "Discord endpoint"
	if !c.needs(check, "discord", stack.InteractionsEndpointURL) {
		return
	}
	app, err := c.discord.Application(ctx)
	if err != nil {
		c.fail(check, err.Error(), "check the bot token ("+fixSetup+")")
		return
	}
	want := c.outputs[stack.InteractionsEndpointURL]
	if app.InteractionsEndpointURL != want {
		c.fail(check, fmt.Sprintf("Discord sends interactions to %q, the stack serves them at %s", app.InteractionsEndpointURL, want),
			"run make deploy, which sets it (or Developer Portal > General Information > Interactions Endpoint URL)")
		return
	}
	c.ok(check, "Discord sends interactions to "+want)
}

func (c *checker) unsignedRefused(ctx context.Context) {
	const check = "unsigned interactions refused"
	if !c.needs(check, stack.InteractionsEndpointURL) {
		return
	}
	url := c.outputs[stack.InteractionsEndpointURL]
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(`{"type":1}`)))
	if err != nil {
		c.fail(check, err.Error(), "redeploy: the output is not a URL")
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.deps.HTTPClient.Do(req)
	if err != nil {
		c.fail(check, "the endpoint does not answer: "+err.Error(), "check the interactions function's logs in CloudWatch; run make deploy")
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		c.fail(check, fmt.Sprintf("an unsigned PING got %d, not 401: Discord removes an endpoint that accepts forged requests", resp.StatusCode),
			"check the interactions function's logs; its DISCORD_PUBLIC_KEY must be the application's (make setup, then make deploy)")
		return
	}
	c.ok(check, "an unsigned PING gets 401")
}

func (c *checker) githubWebhook(ctx context.Context) {
	const check = "GitHub App webhook"
	if !c.needs(check, "github", stack.GithubWebhookURL) {
		return
	}
	hook, err := c.admin.HookConfig(ctx)
	if err != nil {
		c.fail(check, err.Error(), "check githubAppId and the private key ("+fixSetup+")")
		return
	}
	want := c.outputs[stack.GithubWebhookURL]
	switch {
	case hook.URL != want:
		c.fail(check, fmt.Sprintf("the App delivers to %q, the stack listens at %s", hook.URL, want), "run make deploy, which sets the App's webhook URL and secret")
	case hook.ContentType != "json":
		c.fail(check, "the App sends "+hook.ContentType+" payloads, the suite reads JSON", "run make deploy, which sets content type json")
	case !hook.SecretSet:
		c.fail(check, "the App's webhook has no secret, so the suite refuses every delivery", "run make deploy, which sets the secret from SSM")
	default:
		c.ok(check, "the App delivers to "+want+" with a secret")
	}
}

func (c *checker) deliveries(ctx context.Context) {
	const check = "recent webhook deliveries"
	if !c.needs(check, "github") {
		return
	}
	ds, err := c.admin.Deliveries(ctx, 20)
	if err != nil {
		c.fail(check, err.Error(), "check githubAppId and the private key ("+fixSetup+")")
		return
	}
	// Newest first: what failed since the last accepted delivery is the current state; older
	// failures are history. The ping GitHub sends when the App is created goes to the manifest's
	// placeholder URL, before make deploy points the hook at the stack, so a ping never counts.
	var failed []string
	for _, d := range ds {
		if !d.Failed() {
			break
		}
		if d.Event != "ping" {
			failed = append(failed, fmt.Sprintf("%s at %s got %d %s", d.Event, d.At, d.StatusCode, d.Status))
		}
	}
	if len(failed) > 0 {
		fix := "a 401 means the App's webhook secret is not the one in SSM " + c.cfg.ParameterPrefix + "/" + secrets.GitHubWebhookSecret +
			" (make deploy sets it again); other codes: the github-webhook function's logs. Redeliver from the App's Advanced tab"
		c.fail(check, fmt.Sprintf("the last %d deliveries failed: %s", len(failed), strings.Join(failed, "; ")), fix)
		return
	}
	if len(ds) == 0 {
		c.ok(check, "no deliveries yet")
		return
	}
	c.ok(check, "the latest delivery was accepted")
}

func (c *checker) installation(ctx context.Context) {
	const check = "App installed on the repository"
	if !c.needs(check, "github") {
		return
	}
	owner, repo, ok := appadmin.SplitRepo(c.cfg.GitHubRepository)
	if !ok {
		c.fail(check, fmt.Sprintf("githubRepository %q is not owner/repo", c.cfg.GitHubRepository), fixSetup+" to choose the deploy repository")
		return
	}
	perms, err := c.admin.Installation(ctx, owner, repo)
	if errors.Is(err, githubapp.ErrNotInstalled) {
		c.fail(check, "the App is not installed on "+c.cfg.GitHubRepository, "install it: the App's page > Install App > "+owner+" > select "+repo)
		return
	}
	if err != nil {
		c.fail(check, err.Error(), "check githubAppId and the private key ("+fixSetup+")")
		return
	}
	if missing := appadmin.MissingPermissions(perms); len(missing) > 0 {
		c.fail(check, "the installation lacks "+strings.Join(missing, ", "),
			"accept the App's new permissions: the organization's Settings > GitHub Apps > the App > Review request (or edit the App's permissions to match github-app-manifest.json)")
		return
	}
	c.ok(check, "installed on "+c.cfg.GitHubRepository+" with the permissions of github-app-manifest.json")
}

func (c *checker) deployWorkflow(ctx context.Context) {
	const check = "deploy workflow"
	owner, repo, ok := appadmin.SplitRepo(c.cfg.GitHubRepository)
	if !ok || !c.needs(check, "github") {
		if !ok {
			c.fail(check, "not checked: no deploy repository", fixSetup)
		}
		return
	}
	content, found, err := c.admin.WorkflowFile(ctx, owner, repo, c.cfg.DeployWorkflow)
	switch {
	case err != nil:
		c.fail(check, err.Error(), "install the App on the repository first")
	case !found:
		c.fail(check, ".github/workflows/"+c.cfg.DeployWorkflow+" does not exist in "+c.cfg.GitHubRepository, workflow.Fix(c.cfg.GitHubRepository, c.cfg.DeployWorkflow))
	default:
		if problems := workflow.Check(content); len(problems) > 0 {
			c.fail(check, ".github/workflows/"+c.cfg.DeployWorkflow+": "+strings.Join(problems, "; "), workflow.Fix(c.cfg.GitHubRepository, c.cfg.DeployWorkflow))
			return
		}
		c.ok(check, ".github/workflows/"+c.cfg.DeployWorkflow+" takes the four inputs and runs in an environment")
	}
}

func (c *checker) costExplorer(ctx context.Context) {
	const check = "Cost Explorer"
	err := costcheck.Check(ctx, c.deps.Cost, c.deps.Now())
	var apiErr smithy.APIError
	switch {
	case err == nil:
		c.ok(check, "GetCostAndUsage answers")
	case errors.Is(err, costcheck.ErrNotEnabled):
		c.fail(check, "Cost Explorer is not enabled for this account, so /cost and the daily report have nothing to show", costcheck.HowToEnable)
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDeniedException":
		c.fail(check, "these credentials may not call ce:GetCostAndUsage: "+apiErr.ErrorMessage(),
			"run make doctor with credentials that may (the functions have their own role); in an organization, the management account must allow member accounts to see Cost Explorer")
	default:
		c.fail(check, err.Error(), "retry; Cost Explorer answers in us-east-1")
	}
}

func (c *checker) deployRoles(ctx context.Context) {
	const check = "deploy roles"
	if len(c.cfg.DeployRoleIDs) == 0 {
		c.fail(check, "deployRoleIds is empty: nobody can approve /deploy, /rollback or /scale", fixSetup+" and choose the roles allowed to deploy")
		return
	}
	if !c.needs(check, "discord") {
		return
	}
	guildID, ok := c.guild(ctx, check)
	if !ok {
		return
	}
	roles, err := c.discord.Roles(ctx, guildID)
	if err != nil {
		c.fail(check, err.Error(), "check that the bot is still in the server")
		return
	}
	var missing []string
	for _, id := range c.cfg.DeployRoleIDs {
		if !slices.ContainsFunc(roles, func(r discordapp.Role) bool { return r.ID == id }) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		c.fail(check, fmt.Sprintf("the roles %v in deployRoleIds do not exist in the server (deleted?)", missing), fixSetup+" to choose the roles again, then make deploy")
		return
	}
	c.ok(check, fmt.Sprintf("the %d deploy roles (deployRoleIds) exist in the server", len(c.cfg.DeployRoleIDs)))
}

// guild returns the channel's server.
func (c *checker) guild(ctx context.Context, check string) (string, bool) {
	ch, err := c.discord.Channel(ctx, c.cfg.DiscordChannelID)
	if err != nil {
		c.fail(check, fmt.Sprintf("the bot cannot see the channel %s: %v", c.cfg.DiscordChannelID, err),
			"invite the bot to the server (make setup prints the invite URL) or choose another channel with make setup")
		return "", false
	}
	return ch.GuildID, true
}

func (c *checker) channel(ctx context.Context) {
	const check = "bot may post in the channel"
	if c.cfg.DiscordChannelID == "" {
		c.fail(check, "discordChannelId is empty", fixSetup+" and choose the channel")
		return
	}
	if !c.needs(check, "discord") {
		return
	}
	ch, err := c.discord.Channel(ctx, c.cfg.DiscordChannelID)
	if err != nil {
		c.fail(check, fmt.Sprintf("the bot cannot see the channel %s: %v", c.cfg.DiscordChannelID, err),
			"invite the bot to the server (make setup prints the invite URL), or give its role View Channel there")
		return
	}
	app, err := c.discord.Application(ctx)
	if err != nil || app.Bot == nil {
		c.fail(check, fmt.Sprintf("read the bot user: %v", err), fixSetup)
		return
	}
	guild, gerr := c.discord.Guild(ctx, ch.GuildID)
	roles, rerr := c.discord.Roles(ctx, ch.GuildID)
	member, merr := c.discord.Member(ctx, ch.GuildID, app.Bot.ID)
	if err := errors.Join(gerr, rerr, merr); err != nil {
		c.fail(check, err.Error(), "check that the bot is still in the server")
		return
	}
	have := discordapp.ChannelPermissions(guild, roles, app.Bot.ID, member, ch)
	if lack := discordapp.BotPermissions &^ have; lack != 0 {
		c.fail(check, fmt.Sprintf("the bot lacks %s in #%s", strings.Join(lack.Names(), ", "), ch.Name),
			fmt.Sprintf("in Discord: #%s > Edit Channel > Permissions > add the bot's role and allow %s", ch.Name, strings.Join(lack.Names(), ", ")))
		return
	}
	c.ok(check, "the bot may post embeds in #"+ch.Name)
}

// commandNames are the suite's slash commands (docs/CONTRACT.md, "Slash commands"); fenced
// are those registered with default_member_permissions.
func commandNames() (all, fenced []string) {
	return []string{"status", "cost", "deploy", "rollback", "assign", "scale", "help"}, []string{"deploy", "rollback", "scale"}
}

func (c *checker) commands(ctx context.Context) {
	const check = "slash commands"
	if !c.needs(check, "discord") || c.cfg.DiscordChannelID == "" {
		if c.cfg.DiscordChannelID == "" {
			c.fail(check, "not checked: no channel, so no server", fixSetup)
		}
		return
	}
	guildID, ok := c.guild(ctx, check)
	if !ok {
		return
	}
	app, err := c.discord.Application(ctx)
	if err != nil {
		c.fail(check, err.Error(), fixSetup)
		return
	}
	global, gerr := c.discord.Commands(ctx, app.ID, "")
	local, lerr := c.discord.Commands(ctx, app.ID, guildID)
	roles, rerr := c.discord.Roles(ctx, guildID)
	if err := errors.Join(gerr, lerr, rerr); err != nil {
		c.fail(check, err.Error(), "check that the bot is still in the server")
		return
	}
	byName := map[string]discordapp.Command{}
	for _, cmd := range append(global, local...) {
		byName[cmd.Name] = cmd
	}
	all, fenced := commandNames()
	var missing []string
	for _, n := range all {
		if _, ok := byName[n]; !ok {
			missing = append(missing, "/"+n)
		}
	}
	if len(missing) > 0 {
		c.fail(check, fmt.Sprintf("%v are not registered, globally or in the server", missing), "run make deploy, which registers them (or make register)")
		return
	}
	overrides, err := c.discord.CommandPermissions(ctx, app.ID, guildID)
	if err != nil {
		c.fail(check, err.Error(), "check that the bot is still in the server")
		return
	}
	var hidden []string
	for _, r := range roles {
		if !slices.Contains(c.cfg.DeployRoleIDs, r.ID) || r.Permissions&(discordapp.PermissionManageGuild|discordapp.PermissionAdministrator) != 0 {
			continue
		}
		for _, n := range fenced {
			cmd := byName[n]
			if cmd.DefaultMemberPermissions != nil && *cmd.DefaultMemberPermissions != "0" && !allowed(overrides, app.ID, cmd.ID, r.ID) {
				hidden = append(hidden, "@"+r.Name+" /"+n)
			}
		}
	}
	if len(hidden) > 0 {
		c.fail(check, "members of the deploy roles do not see: "+strings.Join(hidden, ", "), discordapp.IntegrationsStep(app.Name, roles, c.cfg.DeployRoleIDs))
		return
	}
	c.ok(check, fmt.Sprintf("the %d commands are registered, and the deploy roles see /deploy, /rollback and /scale", len(all)))
}

// allowed says whether a server admin's overrides let role use the command: the command's
// own entry for the role decides, else the application-wide entry (whose id is the
// application's).
func allowed(overrides []discordapp.CommandPermissions, appID, commandID, roleID string) bool {
	decide := func(id string) (bool, bool) {
		for _, o := range overrides {
			if o.ID != id {
				continue
			}
			for _, p := range o.Permissions {
				if p.Type == discordapp.CommandPermissionRole && p.ID == roleID {
					return p.Permission, true
				}
			}
		}
		return false, false
	}
	if v, ok := decide(commandID); ok {
		return v
	}
	v, _ := decide(appID)
	return v
}

// Report writes the results, one line per check that passed and two per problem, and says
// whether every check passed.
func Report(w io.Writer, results []Result) bool {
	failed := 0
	for _, r := range results {
		if r.OK {
			fmt.Fprintf(w, "ok    %s: %s\n", r.Check, r.Detail)
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL  %s: %s\n      fix: %s\n", r.Check, r.Problem, r.Fix)
	}
	if failed > 0 {
		fmt.Fprintf(w, "\n%d of %d checks failed.\n", failed, len(results))
		return false
	}
	fmt.Fprintf(w, "\nAll %d checks passed.\n", len(results))
	return true
}
