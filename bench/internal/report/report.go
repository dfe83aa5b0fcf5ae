// Package report turns the benchmark's measurements into docs/BENCHMARKS.md, the raw CSV files
// beside it, and the gnuplot script of the cold-start plot. It measures nothing itself, so
// that its output for given measurements is fixed and can be checked against golden files.
package report

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/bench/internal/binsize"
	"github.com/discord-chatops/chatops/bench/internal/coldstart"
	"github.com/discord-chatops/chatops/bench/internal/gobench"
	"github.com/discord-chatops/chatops/bench/internal/inittrace"
	"github.com/discord-chatops/chatops/bench/internal/stats"
)

// Targets from issue #9.
const (
	// MaxBootstrapBytes is "every bootstrap at most 10 MB", read strictly as 10,000,000 bytes.
	MaxBootstrapBytes = 10_000_000
	// MemoryBytes is Lambda's smallest memory setting, 128 MB (MiB in Lambda's console).
	MemoryBytes = 128 << 20
	// MaxPeakRSS is how "well inside 128 MB" is read here: at most half of it.
	MaxPeakRSS = MemoryBytes / 2
	// MaxColdRatio is "cold start at most a fifth of Node's", on the medians.
	MaxColdRatio = 0.2
	// MaxAckRatio is "within 1.25x of a bare ed25519.Verify".
	MaxAckRatio = 1.25
)

// Names of the contenders and benchmarks the targets are checked on.
const (
	Go     = "go"
	Node   = "node"
	Python = "python"

	AckPackage    = "functions/interactions"
	Ack           = "BenchmarkAck"
	AckFromJSON   = "BenchmarkAckFromJSON"
	AckOverVerify = "BenchmarkAckOverVerify"
	// AckFromJSONOverVerify is AckOverVerify through Invoke, the event's JSON in and out.
	AckFromJSONOverVerify = "BenchmarkAckFromJSONOverVerify"
	BareVerify            = "BenchmarkBareVerify"
	ratioMetric           = "ack/verify"
	verifyLoopName        = "verify"
)

// Result is everything one `make bench` measured.
type Result struct {
	Date    time.Time
	Command string
	// Revision is the commit whose code was measured.
	Revision string
	Machine  Machine
	// Rounds and Warm are the fresh processes per contender and the warm PINGs per process.
	Rounds, Warm int
	Samples      []coldstart.Sample
	Sizes        []Size
	Bench        []BenchRun
	// Verify are the in-process verify loops of the alternatives, for context.
	Verify []VerifyRun
	// Inits are the package initialisations of each function's starts (GODEBUG=inittrace=1).
	Inits []InitRun
	// Symbols are the interactions bootstrap's code by module, largest first.
	Symbols []binsize.Module
}

// Machine describes where the figures were taken.
type Machine struct {
	CPUs     int
	CPUModel string
	Kernel   string
	Go       string
	Node     string
	Python   string
	Shared   bool // other work ran on the machine at the same time
}

// Size is one function's bootstrap as `make build` wrote it, and its memory at start.
type Size struct {
	Function string
	Bytes    int64
	Arch     string
	Stripped bool
	// InitPeakRSS are the peak resident sets, in bytes, of fresh host builds of the function
	// from spawn to their first poll for an event, one per start.
	InitPeakRSS []int64
}

// BenchRun is one benchmark result of one run of a package's test binary.
type BenchRun struct {
	Run     int
	Package string
	gobench.Result
}

// InitRun is one package's initialisation in one start of a function.
type InitRun struct {
	Function string
	Start    int
	inittrace.Init
}

// VerifyRun is one run of an alternative's in-process verify loop.
type VerifyRun struct {
	Run       int
	Contender string
	NsPerOp   float64
}

func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "**NOT met**"
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }
func us(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e3, 'f', 0, 64) }
func mb(b int64) string         { return strconv.FormatFloat(float64(b)/1e6, 'f', 2, 64) }
func mib(b int64) string        { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) }
func ratio(x float64) string    { return strconv.FormatFloat(x, 'f', 2, 64) + "x" }

// contenders are the names in the samples, Go first, then as they first appear.
func (r Result) contenders() []string {
	var names []string
	for _, s := range r.Samples {
		if !slices.Contains(names, s.Contender) {
			names = append(names, s.Contender)
		}
	}
	slices.SortStableFunc(names, func(a, b string) int {
		return cmp.Compare(boolInt(a != Go), boolInt(b != Go))
	})
	return names
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// summarize is the summary of the values that values gives for the items it keeps.
func summarize[T any, V cmp.Ordered](items []T, values func(T) (vs []V, keep bool)) stats.Summary[V] {
	var xs []V
	for _, it := range items {
		if vs, keep := values(it); keep {
			xs = append(xs, vs...)
		}
	}
	return stats.Summarize(xs)
}

func (r Result) cold(name string) stats.Summary[time.Duration] {
	return summarize(r.Samples, func(s coldstart.Sample) ([]time.Duration, bool) { return []time.Duration{s.Cold}, s.Contender == name })
}

func (r Result) warm(name string) stats.Summary[time.Duration] {
	return summarize(r.Samples, func(s coldstart.Sample) ([]time.Duration, bool) { return s.Warm, s.Contender == name })
}

// initTotal is the summary over a function's starts of the time all its package inits took.
func (r Result) initTotal(function string) stats.Summary[time.Duration] {
	totals := map[int]time.Duration{}
	for _, in := range r.Inits {
		if in.Function == function {
			totals[in.Start] += in.Clock
		}
	}
	var xs []time.Duration
	for _, t := range totals {
		xs = append(xs, t)
	}
	return stats.Summarize(xs)
}

// initByPackage is, for each package of function, the median over the starts of its init
// time, longest first.
func (r Result) initByPackage(function string) []InitRun {
	var pkgs []string
	for _, in := range r.Inits {
		if in.Function == function && !slices.Contains(pkgs, in.Package) {
			pkgs = append(pkgs, in.Package)
		}
	}
	var out []InitRun
	for _, p := range pkgs {
		keep := func(in InitRun) bool { return in.Function == function && in.Package == p }
		out = append(out, InitRun{Function: function, Init: inittrace.Init{Package: p,
			Clock:  summarize(r.Inits, func(in InitRun) ([]time.Duration, bool) { return []time.Duration{in.Clock}, keep(in) }).Median,
			Bytes:  summarize(r.Inits, func(in InitRun) ([]int64, bool) { return []int64{in.Bytes}, keep(in) }).Median,
			Allocs: summarize(r.Inits, func(in InitRun) ([]int64, bool) { return []int64{in.Allocs}, keep(in) }).Median}})
	}
	slices.SortStableFunc(out, func(a, b InitRun) int { return cmp.Compare(b.Clock, a.Clock) })
	return out
}

func (r Result) rss(name string) stats.Summary[int64] {
	return summarize(r.Samples, func(s coldstart.Sample) ([]int64, bool) { return []int64{s.PeakRSS}, s.Contender == name })
}

// benchNames are the benchmarks of pkg in the order they first ran.
func (r Result) benchNames(pkg string) []string {
	var names []string
	for _, b := range r.Bench {
		if b.Package == pkg && !slices.Contains(names, b.Name) {
			names = append(names, b.Name)
		}
	}
	return names
}

func (r Result) benchPackages() []string {
	var pkgs []string
	for _, b := range r.Bench {
		if !slices.Contains(pkgs, b.Package) {
			pkgs = append(pkgs, b.Package)
		}
	}
	return pkgs
}

// benchSummary is a benchmark's figures over the runs: ns/op and, where reported, the
// ack/verify metric; B/op and allocs/op as the median (they do not vary between runs).
type benchSummary struct {
	ns            stats.Summary[float64]
	ratio         stats.Summary[float64]
	bytes, allocs int64
}

func (r Result) bench(pkg, name string) (benchSummary, bool) {
	var ns, rat []float64
	var bytes, allocs []int64
	for _, b := range r.Bench {
		if b.Package != pkg || b.Name != name {
			continue
		}
		ns = append(ns, b.NsPerOp)
		bytes = append(bytes, b.BytesPerOp)
		allocs = append(allocs, b.AllocsPerOp)
		if v, ok := b.Metrics[ratioMetric]; ok {
			rat = append(rat, v)
		}
	}
	if len(ns) == 0 {
		return benchSummary{}, false
	}
	return benchSummary{ns: stats.Summarize(ns), ratio: stats.Summarize(rat),
		bytes: stats.Summarize(bytes).Median, allocs: stats.Summarize(allocs).Median}, true
}

func (r Result) verify(name string) stats.Summary[float64] {
	return summarize(r.Verify, func(v VerifyRun) ([]float64, bool) { return []float64{v.NsPerOp}, v.Contender == name })
}

// table writes a Markdown table.
func table(p printer, head []string, rows [][]string) {
	p("| %s |\n", strings.Join(head, " | "))
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---"
	}
	p("| %s |\n", strings.Join(seps, " | "))
	for _, row := range rows {
		p("| %s |\n", strings.Join(row, " | "))
	}
}

// WriteColdCSV writes one row per fresh process: round, contender, cold start, peak RSS.
func WriteColdCSV(w io.Writer, r Result) error {
	c := csv.NewWriter(w)
	_ = c.Write([]string{"round", "contender", "cold_start_ms", "peak_rss_kib"})
	for _, s := range r.Samples {
		_ = c.Write([]string{strconv.Itoa(s.Round), s.Contender,
			strconv.FormatFloat(float64(s.Cold)/1e6, 'f', 3, 64), strconv.FormatInt(s.PeakRSS/1024, 10)})
	}
	c.Flush()
	return c.Error()
}

// WriteWarmCSV writes one row per warm PING: round, contender, its number in the process, round
// trip.
func WriteWarmCSV(w io.Writer, r Result) error {
	c := csv.NewWriter(w)
	_ = c.Write([]string{"round", "contender", "ping", "round_trip_us"})
	for _, s := range r.Samples {
		for i, d := range s.Warm {
			_ = c.Write([]string{strconv.Itoa(s.Round), s.Contender, strconv.Itoa(i + 1),
				strconv.FormatFloat(float64(d)/1e3, 'f', 1, 64)})
		}
	}
	c.Flush()
	return c.Error()
}

// WriteBenchCSV writes one row per benchmark result, and the verify loops as package
// "alternatives".
func WriteBenchCSV(w io.Writer, r Result) error {
	c := csv.NewWriter(w)
	_ = c.Write([]string{"run", "package", "benchmark", "ns_per_op", "bytes_per_op", "allocs_per_op", "ack_over_verify"})
	for _, b := range r.Bench {
		rat := ""
		if v, ok := b.Metrics[ratioMetric]; ok {
			rat = strconv.FormatFloat(v, 'f', 4, 64)
		}
		_ = c.Write([]string{strconv.Itoa(b.Run), b.Package, b.Name, strconv.FormatFloat(b.NsPerOp, 'f', -1, 64),
			strconv.FormatInt(b.BytesPerOp, 10), strconv.FormatInt(b.AllocsPerOp, 10), rat})
	}
	for _, v := range r.Verify {
		_ = c.Write([]string{strconv.Itoa(v.Run), "alternatives", v.Contender + " " + verifyLoopName,
			strconv.FormatFloat(v.NsPerOp, 'f', 0, 64), "", "", ""})
	}
	c.Flush()
	return c.Error()
}

// WriteSizesCSV writes one row per bootstrap: size, architecture, stripped, peak RSS at start.
func WriteSizesCSV(w io.Writer, r Result) error {
	c := csv.NewWriter(w)
	_ = c.Write([]string{"function", "bytes", "arch", "stripped", "init_peak_rss_kib_median"})
	for _, s := range r.Sizes {
		_ = c.Write([]string{s.Function, strconv.FormatInt(s.Bytes, 10), s.Arch, strconv.FormatBool(s.Stripped),
			strconv.FormatInt(stats.Summarize(s.InitPeakRSS).Median/1024, 10)})
	}
	c.Flush()
	return c.Error()
}

// WritePlot writes the gnuplot script that draws the cold-start distributions of csvPath (as
// WriteColdCSV writes it) into pngPath: a box per contender with every process as a point.
func WritePlot(w io.Writer, r Result, csvPath, pngPath string) error {
	names := r.contenders()
	var xtics, boxes, points []string
	for i, n := range names {
		x := i + 1
		xtics = append(xtics, fmt.Sprintf("%q %d", n, x))
		sel := fmt.Sprintf(`(strcol(2) eq %q ? $3 : NaN)`, n)
		boxes = append(boxes, fmt.Sprintf("%q using (%d):%s with boxplot lc %d notitle", csvPath, x, sel, x))
		// Points spread sideways by round so that equal times stay visible.
		points = append(points, fmt.Sprintf("%q using (%d + ($1 - %g) * 0.012):%s with points pt 7 ps 0.6 lc %d notitle",
			csvPath, x, float64(r.Rounds+1)/2, sel, x))
	}
	_, err := fmt.Fprintf(w, `# Generated by make bench (bench/internal/report): cold-start distributions.
set terminal pngcairo size 900,560 font "sans,11"
set output %q
set datafile separator ","
set title "Cold start: spawn to first PING answered (%d fresh processes each, %s)"
set ylabel "milliseconds (log scale)"
set logscale y
set grid ytics mytics
set xrange [0.4:%g]
set xtics (%s)
set xlabel "box: quartiles and median; whiskers: min to max; dots: one process each"
set style boxplot nooutliers fraction 1.0
set style fill transparent solid 0.25 border
set boxwidth 0.45
set key off
plot %s, \
     %s
`, pngPath, r.Rounds, r.Date.Format("2006-01-02"), float64(len(names))+0.6, strings.Join(xtics, ", "),
		strings.Join(boxes, ", \\\n     "), strings.Join(points, ", \\\n     "))
	return err
}
