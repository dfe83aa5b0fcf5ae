package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/discord-chatops/chatops/functions/interactions/internal/catalog"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/secrets"
)

func newSSM(ctx context.Context) (secrets.GetParametersAPI, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS config: %w", err)
	}
	return ssm.NewFromConfig(cfg), nil
}

// functionEnv reads the environment variables of the Lambda function name.
func functionEnv(ctx context.Context, name string) (map[string]string, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS config: %w", err)
	}
	out, err := lambda.NewFromConfig(cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("read the configuration of function %s: %w", name, err)
	}
	if out.Environment == nil {
		return nil, nil
	}
	return out.Environment.Variables, nil
}

// awsClients reach AWS for the flags that need it.
type awsClients struct {
	ssm         func(context.Context) (secrets.GetParametersAPI, error)
	functionEnv func(ctx context.Context, name string) (map[string]string, error)
}

// run registers the table as args and the environment say, reporting to out.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer, clients awsClients) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	fs.SetOutput(out)
	guild := fs.String("guild", "", "register in this guild only (instant) instead of globally")
	fromSSM := fs.Bool("from-ssm", false, "read the bot token from SSM (<CHATOPS_PARAMETER_PREFIX>/discord/bot-token) instead of DISCORD_BOT_TOKEN")
	dryRun := fs.Bool("dry-run", false, "print the request body and send nothing")
	function := fs.String("function", "", "read the variables the shell does not set from this deployed Lambda function's environment")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *function != "" {
		deployed, err := clients.functionEnv(ctx, *function)
		if err != nil {
			return err
		}
		shell := getenv
		getenv = func(name string) string { return cmp.Or(shell(name), deployed[name]) }
	}

	envs, err := catalog.ParseEnvironments(getenv("DEPLOY_ENVIRONMENTS"))
	if err != nil {
		return err
	}
	router, err := catalog.Router(catalog.Config{DeployEnvironments: envs}, catalog.Deps{})
	if err != nil {
		return err
	}
	// The descriptions and choice names shown in Discord come from the function's catalog, in
	// English with the Korean as localizations.
	defs, err := router.Definitions(catalog.Texts())
	if err != nil {
		return err
	}
	if *dryRun {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(defs)
	}

	appID := strings.TrimSpace(getenv("DISCORD_APPLICATION_ID"))
	if appID == "" {
		return errors.New("DISCORD_APPLICATION_ID is not set")
	}
	token, err := botToken(ctx, getenv, *fromSSM, clients.ssm)
	if err != nil {
		return err
	}
	client := rest.New(rest.Options{
		BaseURL:  strings.TrimRight(cmp.Or(getenv("DISCORD_API_URL"), "https://discord.com/api/v10"), "/"),
		BotToken: token,
	})
	got, err := client.BulkOverwriteCommands(ctx, appID, *guild, defs)
	if err != nil {
		return fmt.Errorf("register commands: %w", err)
	}
	report(out, *guild, got)
	return nil
}

// botToken reads the bot token from the environment or, with fromSSM, from Parameter Store.
func botToken(ctx context.Context, getenv func(string) string, fromSSM bool,
	newSSM func(context.Context) (secrets.GetParametersAPI, error)) (string, error) {
	if !fromSSM {
		if t := strings.TrimSpace(getenv("DISCORD_BOT_TOKEN")); t != "" {
			return t, nil
		}
		return "", errors.New("DISCORD_BOT_TOKEN is not set (or use --from-ssm)")
	}
	client, err := newSSM(ctx)
	if err != nil {
		return "", err
	}
	return secrets.New(client, getenv("CHATOPS_PARAMETER_PREFIX"), 0).String(ctx, secrets.DiscordBotToken)
}

// report prints what Discord now holds, one command a line.
func report(out io.Writer, guild string, cmds []discord.Command) {
	where := "globally"
	if guild != "" {
		where = "in guild " + guild
	}
	fmt.Fprintf(out, "Registered %d commands %s:\n", len(cmds), where)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, c := range cmds {
		fmt.Fprintf(tw, "  /%s\t%s", c.Name, c.ID)
		if c.DefaultMemberPermissions != nil {
			fmt.Fprintf(tw, "\tdefault_member_permissions %s", *c.DefaultMemberPermissions)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
