package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runMake runs `make -s ARGS...` at the repository root with env added to a clean
// environment, and returns its combined output, its exit code, and the arguments the CDK CLI
// got: the CLI is replaced by a script that writes them, one a line.
func runMake(t *testing.T, args []string, env ...string) (out string, code int, cdkArgs []string) {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make is not on PATH: the tests of the Makefile need it, as make test itself does: %v", err)
	}
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	cdk := filepath.Join(dir, "cdk")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + argsFile + "\n"
	if err := os.WriteFile(cdk, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", append([]string{"-s", "-C", "..", "CDK=" + cdk}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	b, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if got, err := os.ReadFile(argsFile); err == nil {
		cdkArgs = strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	}
	return string(b), code, cdkArgs
}

// TestMakeSynthContext: a CDK_CONTEXT value with spaces, ( ) * ? and $, single-quoted inside
// CDK_CONTEXT as the Makefile says, reaches the CDK CLI as one argument, unchanged: make does
// not eat the $ and the shell neither splits nor globs it; from the environment or make's
// command line alike.
func TestMakeSynthContext(t *testing.T) {
	t.Parallel()
	value := `-c 'costSchedule=cron(0 9 ? * MON-FRI *)' -c 'ignoreLabels=$skip,*wip*' -c deployRoleIds=123`
	want := []string{"synth", "--quiet", "-c", "costSchedule=cron(0 9 ? * MON-FRI *)", "-c", "ignoreLabels=$skip,*wip*", "-c", "deployRoleIds=123"}
	for name, run := range map[string]func() (string, int, []string){
		"environment":  func() (string, int, []string) { return runMake(t, []string{"synth"}, "CDK_CONTEXT="+value) },
		"command line": func() (string, int, []string) { return runMake(t, []string{"synth", "CDK_CONTEXT=" + value}) },
	} {
		out, code, got := run()
		if code != 0 {
			t.Fatalf("%s: make synth exited %d:\n%s", name, code, out)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: the CDK CLI's arguments (-want +got):\n%s", name, diff)
		}
	}
}

// TestMakeRegisterWithoutCredentials: make register with nothing set says what to set instead
// of failing somewhere in the AWS SDK.
func TestMakeRegisterWithoutCredentials(t *testing.T) {
	t.Parallel()
	out, code, _ := runMake(t, []string{"register"})
	if code != 2 {
		t.Errorf("exit code %d, want 2; output:\n%s", code, out)
	}
	for _, want := range []string{"set DISCORD_APPLICATION_ID", "DISCORD_BOT_TOKEN", "AWS_PROFILE", "/chatops/discord/bot-token"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not name %s:\n%s", want, out)
		}
	}
}
