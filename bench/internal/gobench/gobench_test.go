package gobench

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	out := `goos: linux
goarch: amd64
pkg: github.com/discord-chatops/chatops/functions/interactions
cpu: AMD EPYC
BenchmarkBareVerify/ping-2         	   21427	     55901 ns/op
BenchmarkAck/ping-2                	   19630	     61234 ns/op	     1234 B/op	      17 allocs/op
BenchmarkAck/help-name-with-dash-2 	   19000	     60000.5 ns/op	        0 B/op	       0 allocs/op
BenchmarkNoProcs                   	     100	        12.5 ns/op	  80.00 MB/s
BenchmarkAckOverVerify/ping-2      	   10000	    120000 ns/op	         1.071 ack/verify	     62000 ack-ns/op	     58000 verify-ns/op
Benchmark log line that is not a result
BenchmarkX 10 ns/op
PASS
ok  	github.com/discord-chatops/chatops/functions/interactions	7.123s
`
	got, err := Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{Name: "BenchmarkBareVerify/ping", Iterations: 21427, NsPerOp: 55901, BytesPerOp: -1, AllocsPerOp: -1},
		{Name: "BenchmarkAck/ping", Iterations: 19630, NsPerOp: 61234, BytesPerOp: 1234, AllocsPerOp: 17},
		{Name: "BenchmarkAck/help-name-with-dash", Iterations: 19000, NsPerOp: 60000.5, BytesPerOp: 0, AllocsPerOp: 0},
		{Name: "BenchmarkNoProcs", Iterations: 100, NsPerOp: 12.5, BytesPerOp: -1, AllocsPerOp: -1, Metrics: map[string]float64{"MB/s": 80}},
		{Name: "BenchmarkAckOverVerify/ping", Iterations: 10000, NsPerOp: 120000, BytesPerOp: -1, AllocsPerOp: -1,
			Metrics: map[string]float64{"ack/verify": 1.071, "ack-ns/op": 62000, "verify-ns/op": 58000}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRejectsBadNumbers(t *testing.T) {
	t.Parallel()
	for _, line := range []string{
		"BenchmarkA-2 10 fast ns/op",
		"BenchmarkA-2 10 5 ns/op 1.5 allocs/op",
		"BenchmarkA-2 10 5 ns/op x ack/verify",
	} {
		if _, err := Parse(strings.NewReader(line)); err == nil {
			t.Errorf("Parse(%q): no error", line)
		}
	}
}
