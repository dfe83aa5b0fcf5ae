// Package binsize attributes the code of a Go binary to the modules it was built from: the
// sizes of its text symbols (`go tool nm -size`), grouped by module as the binary's build
// information lists them (https://pkg.go.dev/debug/buildinfo), and by top-level tree for the
// standard library.
package binsize

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"debug/buildinfo"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// Module is the code one module (or standard-library tree, "std: crypto") puts in a binary.
type Module struct {
	Path  string
	Bytes int64
}

// ByModule returns the text-symbol bytes of the binary at path by module, largest first. The
// binary must keep its symbol table (built without -ldflags=-s).
func ByModule(ctx context.Context, path string) ([]Module, error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("build info of %s: %w", path, err)
	}
	modules := []string{info.Main.Path}
	for _, d := range info.Deps {
		modules = append(modules, d.Path)
	}
	out, err := exec.CommandContext(ctx, "go", "tool", "nm", "-size", path).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool nm %s: %w", path, err)
	}
	return group(out, modules)
}

// group sums the text symbols of nm's output ("addr size type name" lines) by module.
func group(nm []byte, modules []string) ([]Module, error) {
	sums := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(nm))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || (f[2] != "T" && f[2] != "t") {
			continue
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("nm line %q: %w", sc.Text(), err)
		}
		sums[ModuleOf(PackageOf(strings.Join(f[3:], " ")), modules)] += size
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []Module
	for p, b := range sums {
		out = append(out, Module{Path: p, Bytes: b})
	}
	slices.SortFunc(out, func(a, b Module) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Path, b.Path))
	})
	return out, nil
}

// PackageOf returns the import path of the package a symbol belongs to:
// "github.com/aws/smithy-go/middleware.(*Stack).HandleMiddleware" gives
// "github.com/aws/smithy-go/middleware"; "type:.eq.net/http.Request" gives "net/http".
func PackageOf(symbol string) string {
	s := symbol
	for _, prefix := range []string{"type:.eq.", "type:.hash.", "type:", "go:"} {
		s = strings.TrimPrefix(s, prefix)
	}
	s = strings.TrimLeft(s, "*(")
	slash := strings.LastIndexByte(s, '/') + 1
	if dot := strings.IndexByte(s[slash:], '.'); dot >= 0 {
		return s[:slash+dot]
	}
	return s
}

// ModuleOf returns the longest of modules that pkg lies in, or "std: <first element>" for a
// package of the standard library.
func ModuleOf(pkg string, modules []string) string {
	best := ""
	for _, m := range modules {
		if (pkg == m || strings.HasPrefix(pkg, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	if best != "" {
		return best
	}
	first, _, _ := strings.Cut(pkg, "/")
	return "std: " + first
}
