# The ChatOps suite's one entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

FUNCTIONS := interactions github-webhook cost-cron deploy-notify
GOARCH ?= arm64
export GOFLAGS := -buildvcs=false
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
MODULE_DIRS = $(shell go list -m -f '{{.Dir}}')
GO_FILES = $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './cdk.out/*' -not -path './build/*')

.PHONY: help build test fmt-check vet staticcheck unit clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

build: ## build/<function>/bootstrap for every function (linux, GOARCH=$(GOARCH), stripped)
	@for f in $(FUNCTIONS); do \
		echo "build/$$f/bootstrap"; \
		(cd functions/$$f && CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) \
			go build -tags lambda.norpc -trimpath -ldflags="-s -w" -o ../../build/$$f/bootstrap .) || exit 1; \
	done

test: fmt-check vet staticcheck unit ## gofmt, go vet, staticcheck and every module's tests

fmt-check:
	@out=$$(gofmt -l $(GO_FILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	go vet $(addsuffix /...,$(MODULE_DIRS))

staticcheck:
	go run $(STATICCHECK) $(addsuffix /...,$(MODULE_DIRS))

unit:
	go test -count=1 $(addsuffix /...,$(MODULE_DIRS))

clean: ## remove build outputs
	rm -rf build cdk.out
