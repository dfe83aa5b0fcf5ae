// Package inittrace reads what GODEBUG=inittrace=1 makes a Go program print at start: one line
// per package initialised, with the wall-clock time its init took
// (https://pkg.go.dev/runtime#hdr-Environment_Variables).
package inittrace

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Init is one package's initialisation.
type Init struct {
	Package string
	Clock   time.Duration
	Bytes   int64 // heap allocated
	Allocs  int64
}

// Parse reads the init lines of out, such as
// "init github.com/aws/smithy-go @2.9 ms, 1.1 ms clock, 931600 bytes, 4879 allocs", and skips
// every other line.
func Parse(out []byte) ([]Init, error) {
	var inits []Init
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[6] != "clock," || f[8] != "bytes," || f[10] != "allocs" {
			continue
		}
		ms, err1 := strconv.ParseFloat(f[4], 64)
		b, err2 := strconv.ParseInt(f[7], 10, 64)
		n, err3 := strconv.ParseInt(f[9], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("inittrace line %q: not numbers", sc.Text())
		}
		inits = append(inits, Init{Package: f[1], Clock: time.Duration(ms * float64(time.Millisecond)), Bytes: b, Allocs: n})
	}
	return inits, sc.Err()
}

// Total is the time all inits took.
func Total(inits []Init) time.Duration {
	var t time.Duration
	for _, i := range inits {
		t += i.Clock
	}
	return t
}
