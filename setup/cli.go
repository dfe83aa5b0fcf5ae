package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/discord-chatops/chatops/setup/internal/cdkcontext"
	"github.com/discord-chatops/chatops/setup/internal/doctor"
	"github.com/discord-chatops/chatops/setup/internal/wire"
	"github.com/discord-chatops/chatops/setup/internal/wizard"
)

// errChecksFailed makes doctor exit non-zero after its report.
var errChecksFailed = errors.New("some checks failed")

// run runs one command with args.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	command := "setup"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		command, args = args[0], args[1:]
	}
	switch command {
	case "setup", "wire", "doctor", "context-args":
	default:
		return fmt.Errorf("unknown command %q: setup, wire, doctor or context-args", command)
	}
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(stdout)
	dir := fs.String("dir", ".", "the repository root (cdk.json, cdk.context.json, github-app-manifest.json)")
	var o wizard.Options
	var roles, listen string
	var accessible bool
	if command == "setup" {
		fs.BoolVar(&o.NonInteractive, "yes", false, "ask nothing: take the flags, keep what is set, fail where a value is neither (the token from DISCORD_BOT_TOKEN)")
		fs.StringVar(&o.Guild, "guild", "", "the Discord server, by name or id")
		fs.StringVar(&o.Channel, "channel", "", "the notification channel, by name or id")
		fs.StringVar(&roles, "deploy-roles", "", "comma-separated roles (names or ids) that may approve deploys")
		fs.StringVar(&o.Repo, "repo", "", "the deploy repository, owner/name")
		fs.StringVar(&o.Environments, "environments", "", "comma-separated environments /deploy offers")
		fs.StringVar(&o.GitHubURL, "github-url", "", "GitHub's web root for a new App: https://github.com or https://HOST (Enterprise Server)")
		fs.StringVar(&o.GitHubOrg, "github-org", "", "the organization that owns a new App (empty: your account)")
		fs.BoolVar(&o.NewGitHubApp, "new-github-app", false, "create a new GitHub App even if one is set")
		fs.BoolVar(&accessible, "accessible", getenv("ACCESSIBLE") != "", "plain line-by-line questions (screen readers); always so without a terminal")
		fs.StringVar(&listen, "listen", "127.0.0.1:0", "the local address of the GitHub App page (forward it when setup runs over SSH)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if roles != "" {
		o.DeployRoles = strings.Split(roles, ",")
	}
	c, err := cdkcontext.Load(*dir)
	if err != nil {
		return err
	}
	if command == "context-args" {
		args, err := c.Args()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, strings.Join(args, " "))
		return nil
	}

	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("AWS config: %w", err)
	}
	switch command {
	case "setup":
		return setup(ctx, cfg, c, *dir, o, accessible, listen, getenv, stdin, stdout)
	case "wire":
		return wire.Run(ctx, wire.Config{DiscordAPIURL: c.Get("discordApiUrl"), GitHubAPIURL: c.Get("githubApiUrl"),
			GitHubAppID: c.Get("githubAppId"), ParameterPrefix: c.Get("parameterPrefix"),
			GuildID: c.Get(cdkcontext.GuildKey), DeployRoleIDs: c.List("deployRoleIds")},
			wire.Deps{Stack: cloudformation.NewFromConfig(cfg), SSM: ssm.NewFromConfig(cfg)}, stdout)
	default: // doctor
		results := doctor.Run(ctx, doctor.Config{
			DiscordAPIURL: c.Get("discordApiUrl"), GitHubAPIURL: c.Get("githubApiUrl"), GitHubAppID: c.Get("githubAppId"),
			GitHubRepository: c.Get("githubRepository"), DeployWorkflow: c.Get("deployWorkflow"), DiscordChannelID: c.Get("discordChannelId"),
			DeployRoleIDs: c.List("deployRoleIds"), ParameterPrefix: c.Get("parameterPrefix"),
		}, doctor.Deps{Stack: cloudformation.NewFromConfig(cfg), SSM: ssm.NewFromConfig(cfg), Cost: costExplorer(cfg)})
		if !doctor.Report(stdout, results) {
			return errChecksFailed
		}
		return nil
	}
}

func setup(ctx context.Context, cfg aws.Config, c *cdkcontext.Context, dir string, o wizard.Options, accessible bool, listen string,
	getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("who are these AWS credentials? (set AWS_PROFILE or AWS credentials, and AWS_REGION): %w", err)
	}
	if cfg.Region == "" {
		return errors.New("no AWS Region: set AWS_REGION (or a profile's region)")
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "github-app-manifest.json"))
	if err != nil {
		return err
	}
	return wizard.Run(ctx, o, wizard.Deps{
		Prompt: wizard.NewHuh(stdin, stdout, accessible), Out: stdout, Context: c,
		SSM: ssm.NewFromConfig(cfg), Stack: cloudformation.NewFromConfig(cfg), Getenv: getenv,
		Account: aws.ToString(id.Account), Region: cfg.Region, Manifest: manifest, Cost: costExplorer(cfg),
		Listen: func() (net.Listener, error) { return net.Listen("tcp", listen) },
		Bootstrap: func(ctx context.Context, account, region string) error {
			cmd := exec.CommandContext(ctx, filepath.Join(dir, "node_modules", ".bin", "cdk"), "bootstrap", "aws://"+account+"/"+region)
			cmd.Dir, cmd.Stdout, cmd.Stderr = dir, stdout, os.Stderr
			return cmd.Run()
		},
	})
}

// costExplorer is a Cost Explorer client: it answers in us-east-1 whatever the Region
// (docs/CONTRACT.md, "Calls out").
func costExplorer(cfg aws.Config) *costexplorer.Client {
	return costexplorer.NewFromConfig(cfg, func(o *costexplorer.Options) { o.Region = "us-east-1" })
}
