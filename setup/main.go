// Command setup is `make setup`, the wiring step of `make deploy` and `make doctor`:
//
//	go run ./setup [flags]          # make setup: Discord, the GitHub App, SSM, cdk.context.json, bootstrap
//	go run ./setup wire             # after cdk deploy: point Discord and the App at the stack
//	go run ./setup doctor           # check the deployed suite, change nothing
//	go run ./setup context-args     # cdk.context.json's values as -c arguments, for make deploy
//
// Run from the repository root. AWS credentials and the Region come from the usual AWS
// variables and files.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
}
