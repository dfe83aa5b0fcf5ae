package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/bench/internal/binsize"
	"github.com/discord-chatops/chatops/bench/internal/coldstart"
	"github.com/discord-chatops/chatops/bench/internal/gobench"
	"github.com/discord-chatops/chatops/bench/internal/inittrace"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// result is a small run with round numbers: Go's cold start a tenth of Node's, the ack path
// 1.1x and 1.3x of the verify, one bootstrap over 10 MB.
func result() Result {
	ms := time.Millisecond
	sample := func(round int, name string, cold time.Duration, warm []time.Duration, rss int64) coldstart.Sample {
		return coldstart.Sample{Contender: name, Round: round, Cold: cold, Warm: warm, PeakRSS: rss << 20}
	}
	bench := func(run int, pkg, name string, ns float64, bytes, allocs int64, metrics map[string]float64) BenchRun {
		return BenchRun{Run: run, Package: pkg, Result: gobench.Result{Name: name, Iterations: 1000, NsPerOp: ns,
			BytesPerOp: bytes, AllocsPerOp: allocs, Metrics: metrics}}
	}
	r := Result{
		Date:     time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC),
		Command:  "make bench",
		Revision: "0123456789ab",
		Machine: Machine{CPUs: 2, CPUModel: "AMD EPYC", Kernel: "Linux 6.1 amd64", Go: "go1.26.8", Node: "v20.20.2",
			Python: "3.11.7 with cryptography 48.0.0", Shared: true},
		Rounds: 2, Warm: 2,
		Samples: []coldstart.Sample{
			sample(1, Go, 10*ms, []time.Duration{500 * time.Microsecond, 600 * time.Microsecond}, 18),
			sample(1, Node, 100*ms, []time.Duration{3 * ms, 4 * ms}, 60),
			sample(1, Python, 150*ms, []time.Duration{1 * ms, 2 * ms}, 28),
			sample(2, Node, 120*ms, []time.Duration{3 * ms, 5 * ms}, 61),
			sample(2, Python, 160*ms, []time.Duration{1 * ms, 1 * ms}, 28),
			sample(2, Go, 12*ms, []time.Duration{400 * time.Microsecond, 700 * time.Microsecond}, 19),
		},
		Sizes: []Size{
			{Function: "deploy-notify", Bytes: 9_500_000, Arch: "arm64", Stripped: true, InitPeakRSS: []int64{11 << 20}},
			{Function: "interactions", Bytes: 12_189_858, Arch: "arm64", Stripped: true, InitPeakRSS: []int64{17 << 20, 18 << 20}},
		},
		Inits: []InitRun{
			{"interactions", 1, inittrace.Init{Package: "github.com/aws/aws-sdk-go-v2/service/ecs/schemas", Clock: 1100 * time.Microsecond, Bytes: 931600, Allocs: 4879}},
			{"interactions", 1, inittrace.Init{Package: "crypto/x509", Clock: 300 * time.Microsecond, Bytes: 2048, Allocs: 12}},
			{"interactions", 2, inittrace.Init{Package: "github.com/aws/aws-sdk-go-v2/service/ecs/schemas", Clock: 900 * time.Microsecond, Bytes: 931600, Allocs: 4879}},
			{"interactions", 2, inittrace.Init{Package: "crypto/x509", Clock: 500 * time.Microsecond, Bytes: 2048, Allocs: 12}},
			{"deploy-notify", 1, inittrace.Init{Package: "crypto/x509", Clock: 400 * time.Microsecond, Bytes: 2048, Allocs: 12}},
		},
		Verify:  []VerifyRun{{1, Node, 300000}, {1, Python, 100000}},
		Symbols: []binsize.Module{{Path: "std: crypto", Bytes: 700_000}, {Path: "github.com/aws/aws-sdk-go-v2/service/ecs", Bytes: 300_000}},
	}
	for run := 1; run <= 2; run++ {
		d := float64(run) * 1000 // the second run is a little slower
		r.Bench = append(r.Bench,
			bench(run, AckPackage, "BenchmarkBareVerify/ping", 50000+d, 0, 0, nil),
			bench(run, AckPackage, "BenchmarkBareVerify/help", 50000+d, 0, 0, nil),
			bench(run, AckPackage, "BenchmarkAck/ping", 55000+d, 928, 15, nil),
			bench(run, AckPackage, "BenchmarkAck/help", 60000+d, 2832, 39, nil),
			bench(run, AckPackage, "BenchmarkAckOverVerify/ping", 105000+d, 928, 15, map[string]float64{"ack/verify": 1.1}),
			bench(run, AckPackage, "BenchmarkAckOverVerify/help", 115000+d, 2832, 39, map[string]float64{"ack/verify": 1.3}),
			bench(run, AckPackage, "BenchmarkAckFromJSON/ping", 70000+d, 2771, 26, nil),
			bench(run, AckPackage, "BenchmarkAckFromJSON/help", 90000+d, 7474, 41, nil),
			bench(run, AckPackage, "BenchmarkAckFromJSONOverVerify/ping", 120000+d, 2771, 26, map[string]float64{"ack/verify": 1.2}),
			bench(run, AckPackage, "BenchmarkAckFromJSONOverVerify/help", 140000+d, 7474, 41, map[string]float64{"ack/verify": 1.4}),
			bench(run, "shared/discord/signature", "BenchmarkVerify", 52000+d, 0, 0, nil),
			bench(run, "shared/discord/signature", "BenchmarkEd25519Verify", 50000+d, 0, 0, nil),
		)
	}
	return r
}

func TestGolden(t *testing.T) {
	t.Parallel()
	r := result()
	for _, tt := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"BENCHMARKS.md", func(b *bytes.Buffer) error { WriteMarkdown(b, r); return nil }},
		{"coldstart.csv", func(b *bytes.Buffer) error { return WriteColdCSV(b, r) }},
		{"warm.csv", func(b *bytes.Buffer) error { return WriteWarmCSV(b, r) }},
		{"gobench.csv", func(b *bytes.Buffer) error { return WriteBenchCSV(b, r) }},
		{"sizes.csv", func(b *bytes.Buffer) error { return WriteSizesCSV(b, r) }},
		{"coldstart.gp", func(b *bytes.Buffer) error { return WritePlot(b, r, "coldstart.csv", "coldstart.png") }},
	} {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			var got bytes.Buffer
			if err := tt.write(&got); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

// TestTargets checks the verdicts, which a golden file would let drift unnoticed when updated.
func TestTargets(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		change func(*Result)
		want   []string // the result column of the targets table, in order
	}{
		{"as measured", func(*Result) {}, []string{"met", "**NOT met**", "met", "**NOT met**", "**NOT met**", "**NOT met**", "met"}},
		{"Go's cold start over a fifth of Node's", func(r *Result) {
			for i := range r.Samples {
				if r.Samples[i].Contender == Go {
					r.Samples[i].Cold = 30 * time.Millisecond
				}
			}
		}, []string{"**NOT met**", "**NOT met**", "met", "**NOT met**", "**NOT met**", "**NOT met**", "met"}},
		{"every bootstrap under 10 MB and memory over 64 MiB", func(r *Result) {
			r.Sizes[1].Bytes = MaxBootstrapBytes
			r.Sizes[1].InitPeakRSS = []int64{MaxPeakRSS + 1}
		}, []string{"met", "**NOT met**", "met", "**NOT met**", "**NOT met**", "met", "**NOT met**"}},
		{"ack benchmarks missing", func(r *Result) { r.Bench = nil }, []string{"met", "**NOT met**", "**NOT met**", "**NOT met**", "**NOT met**", "**NOT met**", "met"}},
		{"no samples", func(r *Result) { r.Samples = nil }, []string{"**NOT met**", "**NOT met**", "met", "**NOT met**", "**NOT met**", "**NOT met**", "met"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := result()
			tt.change(&r)
			var got []string
			r.writeTargets(func(format string, a ...any) {
				if format == "| %s |\n" {
					row := a[0].(string)
					if i := bytes.LastIndexByte([]byte(row), '|'); i >= 0 && row[:3] != "---" && row[:6] != "target" {
						got = append(got, row[i+2:])
					}
				}
			})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("verdicts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
