// Package suite is the measurement plan behind `make bench`: which programs are built and
// started, in what order, and where the results go. The measuring itself is in coldstart,
// gobench and binsize; the writing in report.
package suite

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/bench/internal/binsize"
	"github.com/discord-chatops/chatops/bench/internal/coldstart"
	"github.com/discord-chatops/chatops/bench/internal/gobench"
	"github.com/discord-chatops/chatops/bench/internal/inittrace"
	"github.com/discord-chatops/chatops/bench/internal/report"
	"github.com/discord-chatops/chatops/bench/internal/stats"
)

// Config says where the repository is and how much to measure.
type Config struct {
	Root string // the repository root
	Work string // scratch space for builds and process logs (git-ignored .bench/)
	// Rounds is the fresh processes per contender, Warm the PINGs after the first in each,
	// BenchRuns the runs of each Go benchmark binary and verify loop, InitStarts the starts per
	// function for its memory and package initialisation at start.
	Rounds, Warm, BenchRuns, InitStarts int
	Command                             string // how to run this again, for the report
	Revision                            string // the commit measured; found with git when empty
	Shared                              bool   // the machine is shared with other work
	Log                                 io.Writer
}

// The packages whose benchmarks are run, with the pattern of the ones to run.
var benchmarks = []struct{ pkg, dir, pattern string }{
	{report.AckPackage, "functions/interactions", "Ack|BareVerify"},
	{"shared/discord/signature", "shared/discord/signature", "."},
}

// seed is the signer of the PINGs (signaturetest.NewSigner).
const seed = 1

// Run measures everything; a failure of any part fails it, as a report with a gap would read
// as a result.
func Run(ctx context.Context, cfg Config) (report.Result, error) {
	res := report.Result{Date: time.Now(), Command: cfg.Command, Revision: cfg.Revision, Rounds: cfg.Rounds, Warm: cfg.Warm}
	if res.Revision == "" {
		res.Revision = revision(ctx, cfg.Root)
	}
	logf := func(format string, a ...any) { fmt.Fprintf(cfg.Log, "bench: "+format+"\n", a...) }
	var err error
	if res.Machine, err = machine(ctx, cfg.Shared); err != nil {
		return res, err
	}
	functions, err := functionNames(cfg.Root)
	if err != nil {
		return res, err
	}
	pinger, err := coldstart.NewPinger(seed)
	if err != nil {
		return res, err
	}
	env := functionEnv(pinger.PublicKeyHex())

	logf("sizes of build/*/bootstrap")
	for _, f := range functions {
		s, err := bootstrapSize(filepath.Join(cfg.Root, "build", f, "bootstrap"))
		if err != nil {
			return res, fmt.Errorf("%w (make bench runs make build first)", err)
		}
		s.Function = f
		res.Sizes = append(res.Sizes, s)
	}

	logf("building the functions for %s", runtime.GOARCH)
	host := map[string]string{}
	for _, f := range functions {
		out := filepath.Join(cfg.Work, "host", f, "bootstrap")
		if err := build(ctx, filepath.Join(cfg.Root, "functions", f), runtime.GOARCH, true, out); err != nil {
			return res, err
		}
		host[f] = out
	}

	logf("memory and package init at start: %d starts of each function, round-robin", cfg.InitStarts)
	traced := append(slices.Clone(env), "GODEBUG=inittrace=1")
	for start := 1; start <= cfg.InitStarts; start++ {
		for i, f := range functions {
			c := coldstart.Contender{Name: f, Argv: []string{host[f]}, Dir: cfg.Work, Env: traced}
			tctx, cancel := context.WithTimeout(ctx, time.Minute)
			st, err := coldstart.Start(tctx, c, cfg.Work)
			cancel()
			if err != nil {
				return res, err
			}
			inits, err := inittrace.Parse(st.Output)
			if err != nil {
				return res, fmt.Errorf("%s: %w", f, err)
			}
			res.Sizes[i].InitPeakRSS = append(res.Sizes[i].InitPeakRSS, st.PeakRSS)
			for _, in := range inits {
				res.Inits = append(res.Inits, report.InitRun{Function: f, Start: start, Init: in})
			}
		}
	}

	contenders := []coldstart.Contender{
		{Name: report.Go, Argv: []string{host["interactions"]}, Dir: cfg.Work, Env: env},
		{Name: report.Node, Argv: []string{"node", "index.js"}, Dir: filepath.Join(cfg.Root, "bench/alternatives/node"), Env: env},
		{Name: report.Python, Argv: []string{"python3", "handler.py"}, Dir: filepath.Join(cfg.Root, "bench/alternatives/python"), Env: env},
	}
	logf("cold start: %d rounds of %d contenders, %d warm PINGs each", cfg.Rounds, len(contenders), cfg.Warm)
	res.Samples, err = coldstart.Rounds(ctx, contenders, pinger, cfg.Rounds, cfg.Warm, cfg.Work, func(s coldstart.Sample) {
		logf("  round %2d %-7s cold %7.1f ms  warm median %6.0f us  peak RSS %5.1f MiB", s.Round, s.Contender,
			float64(s.Cold)/1e6, float64(stats.Summarize(s.Warm).Median)/1e3, float64(s.PeakRSS)/(1<<20))
	})
	if err != nil {
		return res, err
	}

	if res.Bench, res.Verify, err = benchRuns(ctx, cfg, pinger, logf); err != nil {
		return res, err
	}

	logf("code of the interactions bootstrap by module")
	sym := filepath.Join(cfg.Work, "arm64-symbols", "interactions")
	if err := build(ctx, filepath.Join(cfg.Root, "functions/interactions"), "arm64", false, sym); err != nil {
		return res, err
	}
	if res.Symbols, err = binsize.ByModule(ctx, sym); err != nil {
		return res, err
	}
	return res, nil
}

// benchRuns compiles the Go benchmarks once, then runs them and the alternatives' verify loops
// in turn, BenchRuns times.
func benchRuns(ctx context.Context, cfg Config, p *coldstart.Pinger, logf func(string, ...any)) ([]report.BenchRun, []report.VerifyRun, error) {
	bins := make([]string, len(benchmarks))
	for i, b := range benchmarks {
		bins[i] = filepath.Join(cfg.Work, "bench", strings.ReplaceAll(b.dir, "/", "-")+".test")
		if err := gobench.Compile(ctx, filepath.Join(cfg.Root, b.dir), bins[i]); err != nil {
			return nil, nil, err
		}
	}
	sig, stamp := p.Sign(time.Now())
	loopEnv := []string{"PUBLIC_KEY=" + p.PublicKeyHex(), "SIGNATURE=" + sig, "TIMESTAMP=" + stamp, "BODY=" + string(p.Body())}
	loops := []coldstart.Contender{
		{Name: report.Node, Argv: []string{"node", "verify-loop.js"}, Dir: filepath.Join(cfg.Root, "bench/alternatives/node"), Env: loopEnv},
		{Name: report.Python, Argv: []string{"python3", "verify_loop.py"}, Dir: filepath.Join(cfg.Root, "bench/alternatives/python"), Env: loopEnv},
	}
	var runs []report.BenchRun
	var verify []report.VerifyRun
	for run := 1; run <= cfg.BenchRuns; run++ {
		logf("benchmarks: run %d of %d", run, cfg.BenchRuns)
		for i, b := range benchmarks {
			results, err := gobench.Run(ctx, bins[i], filepath.Join(cfg.Root, b.dir), b.pattern)
			if err != nil {
				return nil, nil, err
			}
			if len(results) == 0 {
				return nil, nil, fmt.Errorf("%s: no benchmark matched %q", b.dir, b.pattern)
			}
			for _, r := range results {
				runs = append(runs, report.BenchRun{Run: run, Package: b.pkg, Result: r})
			}
		}
		for _, l := range loops {
			ns, err := verifyLoop(ctx, l)
			if err != nil {
				return nil, nil, err
			}
			verify = append(verify, report.VerifyRun{Run: run, Contender: l.Name, NsPerOp: ns})
		}
	}
	return runs, verify, nil
}

// verifyLoop runs an alternative's verify loop script, which prints {"ns_per_op": N}.
func verifyLoop(ctx context.Context, c coldstart.Contender) (float64, error) {
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, c.Env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w\n%s", c.Name, strings.Join(c.Argv, " "), err, stderr.Bytes())
	}
	var v struct {
		NsPerOp float64 `json:"ns_per_op"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.NsPerOp <= 0 {
		return 0, fmt.Errorf("%s verify loop printed %q, want {\"ns_per_op\": N}", c.Name, out)
	}
	return v.NsPerOp, nil
}

// functionEnv is the configuration every function needs to start, per docs/CONTRACT.md. Every
// endpoint points at a closed local port: nothing is to be called, and if something were it
// would fail at once instead of reaching the internet. CHATOPS_TABLE is only a name: no
// function calls DynamoDB to start; DEAD_LETTER_QUEUES (cost-cron's, as the stack sets it) names
// queues that are only asked about when the dead-letter alarm fires.
func functionEnv(publicKey string) []string {
	const nowhere = "http://127.0.0.1:9"
	return []string{
		"DISCORD_PUBLIC_KEY=" + publicKey,
		"DISCORD_APPLICATION_ID=1290000000000000001",
		"DISCORD_CHANNEL_ID=1290000000000000002",
		"DISCORD_API_URL=" + nowhere + "/api/v10",
		"GITHUB_API_URL=" + nowhere,
		"GITHUB_APP_ID=1",
		"GITHUB_REPOSITORY=octo-org/app",
		"CHATOPS_EVENT_BUS=chatops",
		"CHATOPS_TABLE=chatops-bench",
		"CHATOPS_LANGUAGE=ko",
		"DEAD_LETTER_QUEUES=cost-cron=" + nowhere + "/000000000000/chatops-bench-dlq",
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=bench",
		"AWS_SECRET_ACCESS_KEY=bench",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL=" + nowhere,
	}
}

// build compiles the function in dir as docs/CONTRACT.md says `make build` does, for goarch;
// stripped false keeps the symbol table (for binsize).
func build(ctx context.Context, dir, goarch string, stripped bool, out string) error {
	ldflags := "-s -w"
	if !stripped {
		ldflags = ""
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags="+ldflags, "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s for %s: %w\n%s", dir, goarch, err, b)
	}
	return nil
}

// bootstrapSize reads a built bootstrap's size, architecture and whether its symbol table was
// stripped.
func bootstrapSize(path string) (report.Size, error) {
	st, err := os.Stat(path)
	if err != nil {
		return report.Size{}, err
	}
	f, err := elf.Open(path)
	if err != nil {
		return report.Size{}, err
	}
	defer f.Close()
	arch := f.Machine.String()
	switch f.Machine {
	case elf.EM_AARCH64:
		arch = "arm64"
	case elf.EM_X86_64:
		arch = "amd64"
	}
	return report.Size{Bytes: st.Size(), Arch: arch, Stripped: f.Section(".symtab") == nil}, nil
}

// functionNames are the directories of functions/ with a main.go, as `make build` builds them.
func functionNames(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); e.IsDir() && err == nil {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, errors.New("no functions/*/main.go")
	}
	return names, nil
}

// revision names the commit of root, and says when the code measured differs from it.
func revision(ctx context.Context, root string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	rev := strings.TrimSpace(string(out))
	changed, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--", "functions", "shared", "bench").Output()
	if err != nil || len(bytes.TrimSpace(changed)) > 0 {
		rev += " with uncommitted changes in functions/, shared/ or bench/"
	}
	return rev
}

// machine describes this machine and the toolchains the contenders run on.
func machine(ctx context.Context, shared bool) (report.Machine, error) {
	m := report.Machine{CPUs: runtime.NumCPU(), Shared: shared}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b)) + " " + runtime.GOARCH
	}
	for _, v := range []struct {
		dst  *string
		argv []string
	}{
		{&m.Go, []string{"go", "env", "GOVERSION"}},
		{&m.Node, []string{"node", "--version"}},
		{&m.Python, []string{"python3", "-c", "import sys, cryptography; print(sys.version.split()[0], 'with cryptography', cryptography.__version__)"}},
	} {
		out, err := exec.CommandContext(ctx, v.argv[0], v.argv[1:]...).Output()
		if err != nil {
			return m, fmt.Errorf("%s: %w", strings.Join(v.argv, " "), err)
		}
		*v.dst = strings.TrimSpace(string(out))
	}
	return m, nil
}

// Write puts the report into docs: BENCHMARKS.md, and under bench/ the CSV files, the gnuplot
// script and the plot it draws.
func Write(ctx context.Context, res report.Result, docs string) error {
	dir := filepath.Join(docs, "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"coldstart.csv", func(w io.Writer) error { return report.WriteColdCSV(w, res) }},
		{"warm.csv", func(w io.Writer) error { return report.WriteWarmCSV(w, res) }},
		{"gobench.csv", func(w io.Writer) error { return report.WriteBenchCSV(w, res) }},
		{"sizes.csv", func(w io.Writer) error { return report.WriteSizesCSV(w, res) }},
		{"coldstart.gp", func(w io.Writer) error { return report.WritePlot(w, res, "coldstart.csv", "coldstart.png") }},
	}
	for _, f := range files {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, "gnuplot", "coldstart.gp")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("gnuplot coldstart.gp: %w\n%s", err, out)
	}
	var md bytes.Buffer
	report.WriteMarkdown(&md, res)
	return os.WriteFile(filepath.Join(docs, "BENCHMARKS.md"), md.Bytes(), 0o644)
}
