// Command register replaces the Discord application's slash commands with the interactions
// function's command table, in one guild (instant; for trying things out) or globally.
//
// Usage:
//
//	DISCORD_APPLICATION_ID=... DISCORD_BOT_TOKEN=... go run ./functions/interactions/cmd/register [--guild ID]
//	go run ./functions/interactions/cmd/register --from-ssm [--guild ID]   # the bot token from SSM
//	go run ./functions/interactions/cmd/register --dry-run                  # print the body, send nothing
//	go run ./functions/interactions/cmd/register --function NAME --from-ssm # as the deployed function is configured
//
// It reads DISCORD_APPLICATION_ID, DISCORD_BOT_TOKEN (or, with --from-ssm,
// <CHATOPS_PARAMETER_PREFIX>/discord/bot-token through the usual AWS credentials),
// DISCORD_API_URL and DEPLOY_ENVIRONMENTS, whose names become the choices of /deploy and
// /rollback. With --function, a variable the shell does not set is read from the environment
// of the deployed interactions function (Lambda GetFunctionConfiguration), so that what is
// registered matches what the stack configured: `make deploy` registers this way. See https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
package main
