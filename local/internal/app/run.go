package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/discord-chatops/chatops/local/internal/tour"
	"github.com/discord-chatops/chatops/local/suite"
)

// Run is the runner's command line: it parses args, starts the suite and serves until
// interrupted, or runs the tour and returns. It returns the process's exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	var runTour, verbose bool
	fs.BoolVar(&o.Demo, "demo", false, "AWS is a moto_server started here and seeded with demo resources, metrics, costs and secrets")
	fs.IntVar(&o.Port, "port", 8080, "the local gateway's port on 127.0.0.1")
	fs.StringVar(&o.Discord, "discord", "", "record: a local Discord that prints each message; real: discord.com (default record with --demo, else real)")
	fs.StringVar(&o.GitHub, "github", "", "record: a local GitHub that prints each call; real: api.github.com (default record with --demo, else real)")
	fs.StringVar(&o.Table, "table", "", "without --demo: the deployed state table (CHATOPS_TABLE; default: the stack's TableName output, from cdk.out/outputs.json or CloudFormation)")
	fs.BoolVar(&o.Build, "build", false, "build the four functions for this machine first, into build/local/")
	fs.StringVar(&o.Root, "root", "", "the repository root (default: found from the working directory)")
	fs.BoolVar(&runTour, "tour", false, "run the scripted tour against the demo, print what Discord shows, and exit (needs --demo)")
	fs.BoolVar(&verbose, "v", false, "with --tour: print the functions' logs too")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./local [--demo | --table NAME] [--port 8080] [--discord=record|real] [--github=record|real] [--build] [--tour]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	defaultMode := Real
	if o.Demo {
		defaultMode = Record
	}
	if o.Discord == "" {
		o.Discord = defaultMode
	}
	if o.GitHub == "" {
		o.GitHub = defaultMode
	}
	if runTour && (!o.Demo || o.Discord != Record || o.GitHub != Record) {
		fmt.Fprintln(stderr, "--tour needs --demo with the local Discord and GitHub")
		return 2
	}
	if o.Root == "" {
		root, err := findRoot()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		o.Root = root
	}

	if f, ok := stdout.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 && getenv("NO_COLOR") == "" {
			o.ANSI = true
		}
	}
	out := &syncWriter{w: stdout}
	var log io.Writer = &syncWriter{w: stderr}
	if runTour {
		o.Port = 0
		if !verbose {
			log = io.Discard
		}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.Progress = out
	l, err := Start(ctx, o, getenv, environ, out, log)
	if err != nil {
		fmt.Fprintf(stderr, "local: %v\n", err)
		return 1
	}
	defer l.Close()
	if ids := l.Seeded(); ids != "" {
		fmt.Fprint(out, "\n"+ids)
	}

	if runTour {
		t := tour.New(tour.Env{URL: l.URL, Contract: l.Contract, WebhookSecret: l.WebhookSecret, World: l.World,
			Discord: l.Discord, GitHub: l.GitHub, Idle: l.Idle}, out)
		if err := t.Run(ctx); err != nil {
			fmt.Fprintf(stderr, "tour: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(out, banner(o, l))
	<-ctx.Done()
	fmt.Fprintln(out, "\nstopping")
	return 0
}

func banner(o Options, l *Local) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nChatOps suite running locally: the four functions as Lambda runs them\n")
	aws := "your AWS account (default credentials and Region)"
	if o.Demo {
		aws = "moto_server at " + l.MotoURL + " (demo instances, metrics, costs, secrets)"
	}
	fmt.Fprintf(&b, "  AWS:      %s\n", aws)
	fmt.Fprintf(&b, "  Table:    %s (%s)\n", l.Contract["CHATOPS_TABLE"], l.TableFrom)
	fmt.Fprintf(&b, "  Discord:  %s\n", mode(o.Discord, l.Contract["DISCORD_API_URL"]))
	fmt.Fprintf(&b, "  GitHub:   %s\n\n", mode(o.GitHub, l.Contract["GITHUB_API_URL"]))
	fmt.Fprintf(&b, "  POST %s/interactions            Discord interactions (Ed25519-signed)\n", l.URL)
	fmt.Fprintf(&b, "  POST %s/github                  GitHub App webhooks (HMAC-signed)\n", l.URL)
	fmt.Fprintf(&b, "  POST %s%s    the 09:00 cost report, now:  curl -X POST %s%s\n", l.URL, suite.ScheduleCostReport, l.URL, suite.ScheduleCostReport)
	if o.Discord == Real {
		fmt.Fprintf(&b, "\n  Point the Discord application's Interactions Endpoint URL at an HTTPS tunnel to %s/interactions\n", l.URL)
	}
	if o.GitHub == Real {
		fmt.Fprintf(&b, "  Point the GitHub App's webhook URL at an HTTPS tunnel to %s/github\n", l.URL)
	}
	if o.Discord == Record {
		fmt.Fprintf(&b, "\n  Discord is local: send a command or click a button as a demo member (?as=minji|jun|guest):\n")
		fmt.Fprintf(&b, "    curl -d '/status service:ec2 target:app=web' %s/local/command\n", l.URL)
		fmt.Fprintf(&b, "    curl -X POST '%s/local/click?message=<id>&button=Approve&as=jun'\n", l.URL)
	}
	if l.Discord != nil && l.WebhookSecret != "" {
		fmt.Fprintf(&b, "  GitHub deliveries, from the recorded ones by name (an unknown name lists them):\n")
		fmt.Fprintf(&b, "    curl -X POST '%s/local/webhook?event=pull_request.opened'\n", l.URL)
	}
	if o.Discord == Record {
		b.WriteString("\nWhat Discord would show is printed below.")
	}
	b.WriteString(" Ctrl-C stops.\n\n")
	return b.String()
}

func mode(m, url string) string {
	if m == Record {
		return "local recorder at " + url
	}
	return "real, " + url
}

// findRoot walks up from the working directory to the folder holding go.work and functions/.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "functions", "interactions")); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root not found above the working directory (looked for go.work and functions/); pass --root")
		}
		dir = parent
	}
}

// syncWriter serialises writes from the recorder, the local GitHub and the functions' logs.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
