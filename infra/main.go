// Command infra is the CDK app that deploys the ChatOps suite: one stack with the HTTP API, the
// four functions, the EventBridge bus and schedule, and their dead-letter queues. cdk.json at the
// repository root runs it (`go run ./infra`); the configuration is CDK context.
//
// See docs/DEPLOY.md for deploying and https://docs.aws.amazon.com/cdk/v2/guide/context.html for
// how context is set.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	// The report time zone is checked with time.LoadLocation, which must not depend on the
	// zone database of the machine that synthesizes.
	_ "time/tzdata"
)

// stackName is the CloudFormation stack's name.
const stackName = "DiscordChatOps"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()
	root, err := repositoryRoot()
	if err != nil {
		return err
	}
	app := awscdk.NewApp(nil)
	cfg, err := loadConfig(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		return err
	}
	newStack(app, stackName, stackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("Discord ChatOps suite: HTTP API, four Go Lambdas, EventBridge bus and schedule"),
		},
		config:       cfg,
		functionsDir: filepath.Join(root, "functions"),
	})
	app.Synth(nil)
	return nil
}

// repositoryRoot finds the folder holding go.work, from the working directory up, the way the go
// command finds its workspace: the CDK CLI runs the app from the folder of cdk.json, but `go run`
// from elsewhere in the repository should work too. Asset paths must be absolute.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("repository root: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root: no go.work in the working directory or above it")
		}
		dir = parent
	}
}
