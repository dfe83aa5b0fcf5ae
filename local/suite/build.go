package suite

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Build compiles the four functions for this machine as `make build` compiles them for Lambda
// (CGO_ENABLED=0, -tags lambda.norpc, -trimpath), from repoRoot/functions/<name> into
// outDir/<name>/bootstrap, and returns the binaries by function name. The go command's build
// cache makes a repeated Build cheap.
func Build(ctx context.Context, repoRoot, outDir string) (map[string]string, error) {
	bins := map[string]string{}
	for _, name := range Names() {
		out, err := BuildFunction(ctx, repoRoot, outDir, name)
		if err != nil {
			return nil, err
		}
		bins[name] = out
	}
	return bins, nil
}

// BuildFunction compiles one function as Build does and returns its binary, so that a caller
// can say which one is building: with a cold build cache, each takes a minute or more.
func BuildFunction(ctx context.Context, repoRoot, outDir, name string) (string, error) {
	out, err := filepath.Abs(filepath.Join(outDir, name, "bootstrap"))
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, ".")
	cmd.Dir = filepath.Join(repoRoot, "functions", name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=", "GOARCH=")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", name, err, b)
	}
	return out, nil
}

// Binaries returns the binaries a Build into outDir made, checking that each exists.
func Binaries(outDir string) (map[string]string, error) {
	bins := map[string]string{}
	for _, name := range Names() {
		path, err := filepath.Abs(filepath.Join(outDir, name, "bootstrap"))
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s: %w (build it first)", name, err)
		}
		bins[name] = path
	}
	return bins, nil
}
