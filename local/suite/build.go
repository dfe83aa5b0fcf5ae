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
		out, err := filepath.Abs(filepath.Join(outDir, name, "bootstrap"))
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, ".")
		cmd.Dir = filepath.Join(repoRoot, "functions", name)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=", "GOARCH=")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build %s: %w\n%s", name, err, b)
		}
		bins[name] = out
	}
	return bins, nil
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
