// Package app is the local runner: it resolves the settings, starts moto_server and seeds it in
// demo mode, starts the local Discord and GitHub when asked, starts the suite behind the local
// gateway, and serves until it is stopped or runs the tour.
package app

import (
	"cmp"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/local/internal/fakegithub"
	"github.com/discord-chatops/chatops/local/internal/recorder"
	"github.com/discord-chatops/chatops/local/suite"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/mototest"
)

// Local is the running suite with what stands around it.
type Local struct {
	// URL is the gateway: POST /interactions, POST /github, POST /schedule/cost-report.
	URL string
	// Suite runs the functions.
	Suite *suite.Suite
	// Discord and GitHub are the local stand-ins, nil when the real ones are used.
	Discord *recorder.Recorder
	GitHub  *fakegithub.Server
	// MotoURL is the demo's moto_server, "" in real mode.
	MotoURL string
	// World is what the demo seeded.
	World demo.World
	// Contract is the value of each runtime contract variable the functions got.
	Contract map[string]string
	// WebhookSecret is the GitHub webhook secret the functions read, when the runner knows it.
	WebhookSecret string
	// TableFrom says where the state table's name (Contract["CHATOPS_TABLE"]) came from.
	TableFrom string

	moto    *mototest.Server
	servers []*http.Server
	once    sync.Once

	tryOnce    sync.Once
	tryDiscord *caller.Discord
}

// Start starts everything o asks for. out receives what Discord and GitHub would show; log the
// functions' output. The caller must Close the result.
func Start(ctx context.Context, o Options, getenv func(string) string, environ []string, out, log io.Writer) (l *Local, err error) {
	s, err := resolve(o, getenv)
	if err != nil {
		return nil, err
	}
	p := progress{w: o.Progress}
	bins, registerBin, err := binaries(ctx, o, p)
	if err != nil {
		return nil, err
	}
	l = &Local{Contract: s.contract, WebhookSecret: s.webhookSecret}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()

	var awsEnv []string
	var githubKey *rsa.PrivateKey
	if o.Demo {
		done := p.step("starting moto_server (the first start of a Python process takes a few seconds)")
		if l.moto, err = mototest.New(); err != nil {
			return l, err
		}
		done()
		l.MotoURL = l.moto.URL
		awsEnv = l.moto.Env()
		keyPEM := []byte(s.githubKeyPEM)
		if s.generateGitHubKey {
			if githubKey, keyPEM, err = demo.GitHubKey(); err != nil {
				return l, err
			}
		}
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(mototest.Region),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
			config.WithBaseEndpoint(l.moto.URL))
		if err != nil {
			return l, fmt.Errorf("AWS config for moto: %w", err)
		}
		done = p.step("seeding the demo account: state table, instances, ECS, Auto Scaling, EKS, metrics, costs, secrets")
		if l.World, err = demo.Seed(ctx, cfg, l.moto, keyPEM, s.botToken, s.webhookSecret, time.Now()); err != nil {
			return l, fmt.Errorf("seed the demo: %w", err)
		}
		done()
		s.contract["DEAD_LETTER_QUEUES"] = l.World.DeadLetterQueues
		l.TableFrom = "created in moto"
	} else {
		awsEnv = awsPassThrough(environ)
		if l.TableFrom, err = accountTable(ctx, o.Root, s.contract); err != nil {
			return l, err
		}
	}

	if o.Discord == Record {
		l.Discord = recorder.New(s.contract["DISCORD_APPLICATION_ID"], botTokenCheck(o, s), directory(s.contract, o.ANSI), out)
		u, err := l.serve(l.Discord.Handler(), 0)
		if err != nil {
			return l, err
		}
		s.contract["DISCORD_API_URL"] = u + discordtest.APIPath
		done := p.step("registering the slash commands in the local Discord, as make register does")
		if err := registerCommands(ctx, registerBin, s.contract, cmp.Or(botTokenCheck(o, s), "local")); err != nil {
			return l, err
		}
		done()
	}
	if o.GitHub == Record {
		appID, _ := strconv.ParseInt(s.contract["GITHUB_APP_ID"], 10, 64)
		var key *rsa.PublicKey
		if githubKey != nil {
			key = &githubKey.PublicKey
		}
		l.GitHub = fakegithub.New(fakegithub.Options{AppID: appID, Key: key, Out: out, Issues: fakegithub.DemoIssues,
			Repo: fakegithub.DemoRepository(s.contract["GITHUB_REPOSITORY"], s.contract["DEPLOY_WORKFLOW"], time.Now())})
		u, err := l.serve(l.GitHub.Handler(), 0)
		if err != nil {
			return l, err
		}
		s.contract["GITHUB_API_URL"] = u
	}

	cfg := suite.Config{
		Binaries: bins,
		Common:   awsEnv,
		Env:      s.functionEnv(),
		EventBus: s.contract["CHATOPS_EVENT_BUS"],
		Log:      log,
	}
	if l.Discord != nil {
		cfg.OnInteraction = l.Discord.ObserveInteraction
	}
	done := p.step("starting the four functions")
	if l.Suite, err = suite.Start(cfg); err != nil {
		return l, err
	}
	done()
	h := l.Suite.Handler()
	if l.Discord != nil {
		h = l.tryHandler(h)
	}
	if l.URL, err = l.serve(h, o.Port); err != nil {
		return l, err
	}
	return l, nil
}

// accountTable makes sure the functions get a state table that exists in the account of the
// default credentials: the one named by --table or CHATOPS_TABLE, else the deployed stack's. It
// sets contract["CHATOPS_TABLE"] and returns where the name came from.
func accountTable(ctx context.Context, root string, contract map[string]string) (string, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return "", fmt.Errorf("AWS config: %w", err)
	}
	name, from := contract["CHATOPS_TABLE"], "--table or CHATOPS_TABLE"
	if name == "" {
		if name, from, err = deployedTable(ctx, root, cloudformation.NewFromConfig(cfg)); err != nil {
			return "", err
		}
		contract["CHATOPS_TABLE"] = name
	}
	if err := checkTable(ctx, dynamodb.NewFromConfig(cfg), name, from, cfg.Region); err != nil {
		return "", err
	}
	return from, nil
}

// botTokenCheck is the token the local Discord insists on: the demo's, or any when the
// functions read the user's own from SSM.
func botTokenCheck(o Options, s settings) string {
	if o.Demo {
		return s.botToken
	}
	return ""
}

// binaries builds (--build) or finds the four functions and the register command, which
// registers the slash commands in the local Discord. Each build is a step of the progress:
// with a cold build cache, each takes a minute or more.
func binaries(ctx context.Context, o Options, p progress) (map[string]string, string, error) {
	dir := o.BinDir
	if dir == "" {
		dir = filepath.Join(o.Root, "build", "local")
	}
	registerBin, err := filepath.Abs(filepath.Join(dir, "register", "register"))
	if err != nil {
		return nil, "", err
	}
	if !o.Build {
		bins, err := suite.Binaries(dir)
		if err == nil && o.Discord == Record {
			_, err = os.Stat(registerBin)
		}
		if err != nil {
			return nil, "", fmt.Errorf("%w; run with --build", err)
		}
		return bins, registerBin, nil
	}
	bins := map[string]string{}
	names := suite.Names()
	for i, name := range names {
		done := p.step(fmt.Sprintf("building %s (%d of %d) for this machine into %s", name, i+1, len(names), filepath.Join(dir, name)))
		if bins[name], err = suite.BuildFunction(ctx, o.Root, dir, name); err != nil {
			return nil, "", err
		}
		done()
	}
	if o.Discord == Record {
		done := p.step("building the register command (make register), for the local Discord's slash commands")
		if err := buildRegister(ctx, o.Root, registerBin); err != nil {
			return nil, "", err
		}
		done()
	}
	return bins, registerBin, nil
}

// buildRegister builds make register's command into bin, with the flags the functions are
// built with, so that it reuses the interactions function's build cache.
func buildRegister(ctx context.Context, root, bin string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bin, "./cmd/register")
	cmd.Dir = filepath.Join(root, "functions", suite.Interactions)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=", "GOARCH=")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the register command: %w\n%s", err, b)
	}
	return nil
}

// registerCommands registers the interactions function's slash commands in the local
// Discord's demo guild, as `make register GUILD=<guild>` registers them in Discord: the same
// command, aimed at the local Discord, so that /local/command checks what is typed against
// the definitions a Discord client would offer.
func registerCommands(ctx context.Context, bin string, contract map[string]string, token string) error {
	cmd := exec.CommandContext(ctx, bin, "--guild", demo.GuildID)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DISCORD_API_URL=" + contract["DISCORD_API_URL"], "DISCORD_BOT_TOKEN=" + token,
		"DISCORD_APPLICATION_ID=" + contract["DISCORD_APPLICATION_ID"], "DEPLOY_ENVIRONMENTS=" + contract["DEPLOY_ENVIRONMENTS"]}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("register the slash commands in the local Discord: %w\n%s", err, b)
	}
	return nil
}

// progress prints each step of a start as it begins, and how long it took when it ends: the
// first start builds four functions and starts moto_server, which takes minutes.
type progress struct{ w io.Writer }

// step prints what begins and returns the func that prints that it is done.
func (p progress) step(what string) func() {
	if p.w == nil {
		return func() {}
	}
	start := time.Now()
	fmt.Fprintf(p.w, "→ %s ...\n", what)
	return func() { fmt.Fprintf(p.w, "  done in %s\n", time.Since(start).Round(time.Millisecond)) }
}

func (l *Local) serve(h http.Handler, port int) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return "", fmt.Errorf("listen on port %d: %w", port, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	l.servers = append(l.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "serve %s: %v\n", ln.Addr(), err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// Close stops everything Start started.
func (l *Local) Close() {
	l.once.Do(func() {
		for _, srv := range l.servers {
			_ = srv.Close()
		}
		if l.Suite != nil {
			l.Suite.Close()
		}
		if l.moto != nil {
			l.moto.Close()
		}
	})
}

// Idle waits until the suite has finished what the requests so far started.
func (l *Local) Idle(ctx context.Context) error { return l.Suite.Idle(ctx) }

// AWSConfig is an AWS config aimed at the demo's moto_server, for checks and seeding.
func (l *Local) AWSConfig(ctx context.Context) (aws.Config, error) {
	if l.moto == nil {
		return aws.Config{}, errors.New("no moto_server: not in demo mode")
	}
	return config.LoadDefaultConfig(ctx, config.WithRegion(mototest.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		config.WithBaseEndpoint(l.moto.URL))
}

// SeedCosts queues Cost Explorer answers for reports made at now (demo mode only).
func (l *Local) SeedCosts(now time.Time) error {
	if l.moto == nil {
		return errors.New("no moto_server: not in demo mode")
	}
	return demo.SeedCosts(l.moto, now)
}
