package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// This file is the one place that knows how a Go Lambda is built and run: the runtime, the
// architecture, the handler name and the build flags of the contract's "Build" section. The
// Makefile's `build` target runs the same `go build`; keep the two in step.

// goArch is the Lambda architecture and the GOARCH the binaries are built for.
const goArch = "arm64"

// goFunctionProps describes one function of the suite: where its source is and what it runs with.
type goFunctionProps struct {
	// sourceDir is the absolute path of the function's `package main` (functions/<name>).
	sourceDir   string
	description string
	memoryMB    float64
	timeout     time.Duration
	environment map[string]string
	role        awsiam.IRole
	logGroup    awslogs.ILogGroup
}

// newGoFunction returns a provided.al2023 arm64 function whose code is the Go package in
// props.sourceDir, compiled on the synthesizing machine by goBuild (no Docker).
func newGoFunction(scope constructs.Construct, id string, props goFunctionProps) awslambda.Function {
	env := make(map[string]*string, len(props.environment))
	for k, v := range props.environment {
		env[k] = jsii.String(v)
	}
	return awslambda.NewFunction(scope, jsii.String(id), &awslambda.FunctionProps{
		Description:  jsii.String(props.description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         goCode(props.sourceDir),
		MemorySize:   jsii.Number(props.memoryMB),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(props.timeout.Seconds())),
		Environment:  &env,
		Role:         props.role,
		LogGroup:     props.logGroup,
	})
}

// goCode is the asset of one function. The asset hash is taken from the built binary (OUTPUT):
// the build is reproducible (-trimpath, no VCS stamp), so the hash changes exactly when the binary
// does, whatever changed in the function, in shared/ or in go.sum. When bundling is skipped
// (context aws:cdk:bundling-stacks = []), CDK neither builds nor fingerprints anything.
func goCode(sourceDir string) awslambda.AssetCode {
	return awslambda.Code_FromAsset(jsii.String(sourceDir), &awss3assets.AssetOptions{
		AssetHashType: awscdk.AssetHashType_OUTPUT,
		Bundling: &awscdk.BundlingOptions{
			// CDK requires an image, but it is only used when Local returns false, and goBuild
			// never does: it either builds or fails the synth. There is deliberately no Docker
			// fallback; a Go toolchain is a prerequisite of this repository anyway.
			Image: awscdk.DockerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/golang:1.26")),
			Local: &goBuild{dir: sourceDir},
		},
	})
}

// goBuild is CDK local bundling for a Go `package main`: it compiles dir into
// <outputDir>/bootstrap with the contract's flags. It implements awscdk.ILocalBundling; jsii
// calls it back through a pointer, so the receiver must be a pointer.
type goBuild struct {
	dir string
}

// TryBundle builds the binary. A failed build panics: jsii turns the panic into an error that
// stops the synth with the compiler's output, where returning false would start Docker instead.
func (b *goBuild) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	if err := b.build(*outputDir); err != nil {
		panic(err)
	}
	return jsii.Bool(true)
}

// build runs `go build` in b.dir (inside the go.work workspace, so shared/ resolves locally).
func (b *goBuild) build(outputDir string) error {
	out := filepath.Join(outputDir, "bootstrap")
	// The flags of docs/CONTRACT.md's build rule, as in the Makefile's `build` target.
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = b.dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goArch, "GOFLAGS=-buildvcs=false")
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", b.dir, err, strings.TrimSpace(string(output)))
	}
	return nil
}
