// Command local runs the ChatOps suite on this machine: the four built function binaries as
// Lambda runs them, behind a local HTTP API, with AWS either the user's account or a seeded
// moto_server (--demo), and Discord and GitHub either the real ones or local recorders.
// See docs/LOCAL.md.
package main

import (
	"context"
	"os"

	"github.com/discord-chatops/chatops/local/internal/app"
)

func main() {
	os.Exit(app.Run(context.Background(), os.Args[1:], os.Getenv, os.Environ(), os.Stdout, os.Stderr))
}
