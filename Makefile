# The ChatOps suite's one entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

FUNCTIONS := interactions github-webhook cost-cron deploy-notify
GOARCH ?= arm64
export GOFLAGS := -buildvcs=false
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
MODULE_DIRS = $(shell go list -m -f '{{.Dir}}')
GO_FILES = $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './cdk.out/*' -not -path './build/*')

.PHONY: help build test fmt-check vet staticcheck unit clean synth lint deploy setup doctor

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

build: ## build/<function>/bootstrap for every function (linux, GOARCH=$(GOARCH), stripped)
	@for f in $(FUNCTIONS); do \
		echo "build/$$f/bootstrap"; \
		(cd functions/$$f && CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) \
			go build -tags lambda.norpc -trimpath -ldflags="-s -w" -o ../../build/$$f/bootstrap .) || exit 1; \
	done

test: fmt-check vet staticcheck unit lint ## gofmt, go vet, staticcheck, every module's tests, the stack's synth + cfn-lint

fmt-check:
	@out=$$(gofmt -l $(GO_FILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	go vet $(addsuffix /...,$(MODULE_DIRS))

staticcheck:
	go run $(STATICCHECK) $(addsuffix /...,$(MODULE_DIRS))

# -timeout: go test's 10-minute default also bounds a TestMain that builds the four functions
# (local/internal/app); with a cold build cache on a loaded machine that build alone took longer.
unit:
	go test -count=1 -timeout 30m $(addsuffix /...,$(MODULE_DIRS))

clean: ## remove build outputs
	rm -rf build cdk.out

# --- The stack (infra/): the CDK CLI pinned in package.json, the app in cdk.json. ---
# Context overrides for synth and deploy, e.g. CDK_CONTEXT='-c discordApplicationId=123 -c githubAppId=456'.
# CDK_CONTEXT is read as shell words and make leaves its $ alone ($(value ...)): put a value
# with spaces, ( ) * ? or $ in single quotes inside it, as on a command line:
#   make synth CDK_CONTEXT="-c 'costSchedule=cron(0 9 ? * MON-FRI *)' -c deployRoleIds=123"
CDK_CONTEXT ?=
CDK := node_modules/.bin/cdk
synth lint deploy: export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION = 20

$(CDK): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

synth: $(CDK) ## cdk synth into cdk.out/ (builds the functions; cdk-nag AwsSolutions fails it on any finding)
	$(CDK) synth --quiet $(value CDK_CONTEXT)

lint: synth ## cfn-lint on the synthesized template (config: .cfnlintrc.yaml)
	cfn-lint

# --- From zero (docs/DEPLOY.md): make setup once, make deploy, make doctor. setup/ is its own module:
# its dependencies (huh, the CloudFormation client...) never reach the functions' binaries.
# setup writes cdk.context.json; the CDK CLI reads cdk.json's context before it, so
# `go run ./setup context-args` passes its values as -c arguments (CDK_CONTEXT, after them, wins).
setup: $(CDK) ## once: Discord bot, GitHub App, secrets in SSM, cdk.context.json, CDK bootstrap (SETUP_ARGS='--yes ...')
	go run ./setup $(SETUP_ARGS)

deploy: build $(CDK) ## build, cdk deploy (cdk.context.json, then CDK_CONTEXT='-c key=value ...'), register the commands, wire Discord and the App
	args=$$(test ! -f cdk.context.json || go run ./setup context-args) && \
		$(CDK) deploy --strict $$args $(value CDK_CONTEXT) --outputs-file cdk.out/outputs.json
	$(MAKE) register REGISTER_ARGS="--function $$(node -p 'require("./cdk.out/outputs.json").DiscordChatOps.InteractionsFunctionName')"
	go run ./setup wire

doctor: ## check the deployed suite (stack, Discord, GitHub App, workflow, secrets, Cost Explorer, channel); changes nothing
	go run ./setup doctor

# --- Slash commands: replace the app's commands with the interactions function's table. ---
# Needs DISCORD_APPLICATION_ID; the bot token comes from DISCORD_BOT_TOKEN or, when that is unset,
# from SSM (<CHATOPS_PARAMETER_PREFIX>/discord/bot-token). DEPLOY_ENVIRONMENTS sets /deploy's choices.
# REGISTER_ARGS='--function NAME' reads what the shell does not set from the deployed function
# (make deploy does this with the stack's InteractionsFunctionName output).
.PHONY: register
register: ## replace the Discord slash commands (GUILD=<id>: one guild, instant; else global)
	@if [ -z "$$DISCORD_APPLICATION_ID" ] && [ -z "$(REGISTER_ARGS)" ]; then \
		echo "make register: set DISCORD_APPLICATION_ID (Developer Portal → your application → General Information → Application ID)"; \
		echo "  and the bot token: DISCORD_BOT_TOKEN (Bot → Reset Token), or AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,"; \
		echo "  and AWS_REGION) that may read the SecureString $${CHATOPS_PARAMETER_PREFIX:-/chatops}/discord/bot-token from SSM."; \
		echo "  e.g. DISCORD_APPLICATION_ID=1290000000000000001 DISCORD_BOT_TOKEN=... make register GUILD=<server id>"; \
		exit 2; \
	fi
	@go run ./functions/interactions/cmd/register $(if $(GUILD),--guild $(GUILD)) $(if $(DISCORD_BOT_TOKEN),,--from-ssm) $(REGISTER_ARGS) || { \
		$(if $(DISCORD_BOT_TOKEN),,echo "make register: the bot token came from SSM ($${CHATOPS_PARAMETER_PREFIX:-/chatops}/discord/bot-token) with your AWS credentials (AWS_PROFILE, AWS_REGION, ...); set them, or set DISCORD_BOT_TOKEN to skip SSM.";) \
		exit 1; }

# --- Failed events: a dead-letter queue's events sent back to their function (docs/DEPLOY.md, "Failed
# events"). The dead-letter alarm's post in Discord gives the command with each queue's URL.
.PHONY: redrive
redrive: ## send a dead-letter queue's failed events back to their function (QUEUE=<url>; DRY_RUN=1 only shows them)
	@if [ -z "$(QUEUE)" ]; then echo "usage: make redrive QUEUE=<queue URL> [DRY_RUN=1] [FUNCTION=<name for messages that name none>]"; exit 2; fi
	go run ./functions/cost-cron/cmd/redrive -queue '$(QUEUE)' $(if $(DRY_RUN),-dry-run) $(if $(FUNCTION),-function '$(FUNCTION)')

# --- The suite on this machine (local/, docs/LOCAL.md): the four functions built for this machine,
# run as Lambda runs them behind a local HTTP API on 127.0.0.1:8080. ARGS='--demo' for a seeded
# moto_server with local Discord and GitHub recorders; without it, your AWS account, Discord, GitHub.
.PHONY: local demo
local: ## run the suite locally (ARGS='--demo', '--port 9000', '--discord=record', ...; see docs/LOCAL.md)
	go run ./local --build $(ARGS)

demo: ## the scripted tour on the demo setup: /status, /cost, /deploy + Approve, a PR, a failed deploy
	@echo "make demo: compiles the local runner, then builds the four functions and starts moto_server."
	@echo "  The first run takes 2 to 5 minutes (a cold Go build cache on two cores); later runs take seconds."
	go run ./local --build --demo --tour $(ARGS)

# --- Benchmarks (bench/, docs/BENCHMARKS.md): the interactions function against the usual Node.js and
# Python PING handlers, the ack path's go benchmarks, every bootstrap's size (arm64) and peak memory.
# A tool, not a test: it asserts no time. BENCH_ARGS='-rounds 5 -warm 50' for a quicker look.
.PHONY: bench
bench: ## measure cold start, warm PINGs, ack path, sizes, memory vs Node/Python; writes docs/BENCHMARKS.md
	@command -v gnuplot >/dev/null || { echo "make bench: gnuplot draws docs/bench/coldstart.png; install it: apt-get install gnuplot-nox"; exit 1; }
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "make bench: Node.js 20 and npm run the Node.js contender"; exit 1; }
	@python3 -c 'import cryptography' 2>/dev/null || { echo "make bench: the Python contender needs cryptography: pip install cryptography"; exit 1; }
	cd bench/alternatives/node && npm ci --no-audit --no-fund
	$(MAKE) build GOARCH=arm64
	go run ./bench $(BENCH_ARGS)
