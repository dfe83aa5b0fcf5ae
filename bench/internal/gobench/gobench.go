// Package gobench runs Go benchmarks from a compiled test binary and reads their results, in
// the text format `go test -bench` prints (https://go.dev/design/14313-benchmark-format).
package gobench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// Result is one benchmark line: `BenchmarkAck/ping-2  21000  55123 ns/op  96 B/op  2 allocs/op`.
type Result struct {
	// Name is the benchmark's name without the -GOMAXPROCS suffix.
	Name        string
	Iterations  int64
	NsPerOp     float64
	BytesPerOp  int64 // -1 when not reported (no -benchmem, no b.ReportAllocs)
	AllocsPerOp int64 // -1 when not reported
	// Metrics are the other units, from b.ReportMetric (ack/verify, MB/s...), by unit.
	Metrics map[string]float64
}

// Parse reads the benchmark lines of r and skips everything else (goos:, pkg:, PASS, logs).
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		res, ok, err := parseLine(sc.Text())
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, res)
		}
	}
	return out, sc.Err()
}

func parseLine(line string) (Result, bool, error) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || (len(f)-2)%2 != 0 {
		return Result{}, false, nil
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return Result{}, false, nil // a log line that starts with "Benchmark"
	}
	res := Result{Name: trimProcs(f[0]), Iterations: n, BytesPerOp: -1, AllocsPerOp: -1}
	seenNs := false
	for i := 2; i < len(f); i += 2 {
		v, unit := f[i], f[i+1]
		switch unit {
		case "ns/op":
			if res.NsPerOp, err = strconv.ParseFloat(v, 64); err != nil {
				return Result{}, false, fmt.Errorf("benchmark line %q: ns/op: %w", line, err)
			}
			seenNs = true
		case "B/op":
			if res.BytesPerOp, err = strconv.ParseInt(v, 10, 64); err != nil {
				return Result{}, false, fmt.Errorf("benchmark line %q: B/op: %w", line, err)
			}
		case "allocs/op":
			if res.AllocsPerOp, err = strconv.ParseInt(v, 10, 64); err != nil {
				return Result{}, false, fmt.Errorf("benchmark line %q: allocs/op: %w", line, err)
			}
		default:
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return Result{}, false, fmt.Errorf("benchmark line %q: %s: %w", line, unit, err)
			}
			if res.Metrics == nil {
				res.Metrics = map[string]float64{}
			}
			res.Metrics[unit] = x
		}
	}
	return res, seenNs, nil
}

// trimProcs drops the -N that `go test` appends to a benchmark's name when GOMAXPROCS > 1.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// Compile builds the test binary of the package in dir into out, as `go test -c` does.
func Compile(ctx context.Context, dir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", out, ".")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c in %s: %w\n%s", dir, err, b)
	}
	return nil
}

// Run runs the benchmarks of a test binary that match pattern once each, with allocations
// reported, from dir (where its testdata is), and returns their results.
func Run(ctx context.Context, binary, dir, pattern string) ([]Result, error) {
	cmd := exec.CommandContext(ctx, binary, "-test.run", "^$", "-test.bench", pattern, "-test.benchmem", "-test.count", "1")
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s -test.bench %s: %w\n%s", binary, pattern, err, b)
	}
	return Parse(strings.NewReader(string(b)))
}
