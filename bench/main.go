// Command bench measures the interactions function against the usual Node.js and Python PING
// handlers (cold start, warm round trip, peak memory), the acknowledgement path's benchmarks and
// every bootstrap's size, and writes docs/BENCHMARKS.md. Run it as `make bench` from the
// repository root, which builds the bootstraps and installs the Node.js package first.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/discord-chatops/chatops/bench/internal/suite"
)

func main() {
	cfg := suite.Config{Log: os.Stderr}
	flag.StringVar(&cfg.Root, "root", ".", "repository root")
	flag.IntVar(&cfg.Rounds, "rounds", 20, "fresh processes per contender")
	flag.IntVar(&cfg.Warm, "warm", 200, "warm PINGs per process after the first")
	flag.IntVar(&cfg.BenchRuns, "bench-runs", 5, "runs of each Go benchmark binary and verify loop")
	flag.IntVar(&cfg.InitStarts, "init-starts", 5, "starts of each function for its memory at start")
	flag.BoolVar(&cfg.Shared, "shared", true, "say in the report that the machine was shared with other work")
	flag.StringVar(&cfg.Command, "command", "make bench", "the command to write in the report")
	flag.StringVar(&cfg.Revision, "revision", "", "the commit measured, for the report [from git]")
	docs := flag.String("docs", "", "where BENCHMARKS.md and bench/ are written [root/docs]")
	flag.Parse()
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	cfg.Root = root
	cfg.Work = filepath.Join(cfg.Root, ".bench")
	if *docs == "" {
		*docs = filepath.Join(cfg.Root, "docs")
	}
	if err := run(cfg, *docs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(cfg suite.Config, docs string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := suite.Run(ctx, cfg)
	if err != nil {
		return err
	}
	return suite.Write(ctx, res, docs)
}
