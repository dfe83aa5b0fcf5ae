// Package suite runs the ChatOps suite's four built function binaries as Lambda runs them: each
// process polls its own Lambda Runtime API (shared/lambdatest), a local Lambda Invoke API routes
// asynchronous invocations (the interactions function's self-invocation) back to the right
// function, a local EventBridge (package eventbus) routes PutEvents to deploy-notify, and
// Handler serves the HTTP API routes in front of them: POST /interactions, POST /github, and
// POST /schedule/cost-report, which fires the daily schedule on demand.
//
// The suite knows nothing of Discord, GitHub or AWS beyond that: callers give each function its
// environment (package app of the local runner builds it from the runtime contract).
//
// Upstream references:
//   - Runtime API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
//   - Invoke: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/discord-chatops/chatops/local/eventbus"
	"github.com/discord-chatops/chatops/shared/lambdatest"
)

// The suite's functions, by the name each runs under (AWS_LAMBDA_FUNCTION_NAME) and the folder
// of its main package under functions/.
const (
	Interactions  = "interactions"
	GitHubWebhook = "github-webhook"
	CostCron      = "cost-cron"
	DeployNotify  = "deploy-notify"
)

// Names returns the four function names, in the order they are started.
func Names() []string { return []string{Interactions, GitHubWebhook, CostCron, DeployNotify} }

// EventSource is the source github-webhook puts GitHub events on the bus with; the bus's rule
// sends its workflow_run and deployment_status events to deploy-notify, as the stack's rule does.
const EventSource = "chatops.github"

// DefaultTimeout is a function's timeout when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// DefaultConcurrency is a function's most execution environments when Config.Concurrency is zero.
const DefaultConcurrency = 4

// Config says what to run.
type Config struct {
	// Binaries maps each function name to its built bootstrap binary (Build makes them).
	Binaries map[string]string
	// Env is every function's environment beyond what Lambda sets: AWS credentials and
	// endpoints, the runtime contract's variables. Common comes first, then the function's own.
	Common []string
	Env    map[string][]string
	// EventBus is CHATOPS_EVENT_BUS, the bus whose GitHub events go to deploy-notify.
	EventBus string
	// Timeout is each function's timeout (Lambda's), the longest an invocation may run.
	Timeout time.Duration
	// Concurrency is how many execution environments (processes) a function may have at
	// once; more are started as invocations overlap. Zero means DefaultConcurrency.
	Concurrency int
	// Log receives the functions' output, each line prefixed with the function's name, and the
	// suite's own notes (restarts, failed asynchronous invocations). Nil discards it.
	Log io.Writer
	// OnInteraction, when set, is told each request POST /interactions answered and the
	// answer, as a local stand-in for Discord needs to know what the endpoint replied.
	OnInteraction func(body []byte, status int, answer []byte)
}

// Suite is the running suite. Close stops it.
type Suite struct {
	// InvokeURL is the local Lambda Invoke API (AWS_ENDPOINT_URL_LAMBDA of every function).
	InvokeURL string
	// BusURL is the local EventBridge (AWS_ENDPOINT_URL_EVENTBRIDGE of every function).
	BusURL string

	cfg     Config
	log     *lineWriter
	fns     map[string]*function
	servers []*http.Server
	pending tracker
	closed  chan struct{}
	once    sync.Once
}

// Start starts the local Invoke API and bus, then the four processes. It returns once they
// are started, not once they have initialised: the first invocation of each waits for that.
func Start(cfg Config) (*Suite, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	out := cfg.Log
	if out == nil {
		out = io.Discard
	}
	s := &Suite{cfg: cfg, log: &lineWriter{w: out}, fns: map[string]*function{}, closed: make(chan struct{})}
	invokeURL, err := s.serve(http.HandlerFunc(s.serveInvoke))
	if err != nil {
		return nil, err
	}
	bus := &eventbus.Bus{
		Rules: []eventbus.Rule{{Bus: cfg.EventBus, Source: EventSource,
			DetailTypes: []string{"workflow_run", "deployment_status"}, Target: DeployNotify}},
		Deliver: s.deliver,
		Account: "123456789012",
		Region:  "us-east-1",
	}
	busURL, err := s.serve(bus)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.InvokeURL, s.BusURL = invokeURL, busURL
	for _, name := range Names() {
		bin, ok := cfg.Binaries[name]
		if !ok {
			s.Close()
			return nil, fmt.Errorf("start %s: no binary", name)
		}
		f, err := s.newFunction(name, bin, cfg.Concurrency)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.fns[name] = f
	}
	return s, nil
}

func (s *Suite) serve(h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), nil
}

// Close stops the processes and the servers. Invocations under way fail.
func (s *Suite) Close() {
	s.once.Do(func() {
		close(s.closed)
		for _, f := range s.fns {
			f.stop()
		}
		for _, srv := range s.servers {
			_ = srv.Close()
		}
	})
}

// Invoke runs payload as the next event of the named function, synchronously (as
// RequestResponse), and returns what its handler answered. A handler error, a panic or a
// crashed process is a *lambdatest.FunctionError. Like Lambda, an execution environment runs
// one invocation at a time, and another is started when all are busy, up to Concurrency.
func (s *Suite) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	f, ok := s.fns[name]
	if !ok {
		return nil, fmt.Errorf("invoke %s: %w", name, ErrNoFunction)
	}
	return f.invoke(ctx, payload)
}

// ErrNoFunction is wrapped by Invoke's error for a name that is not one of the suite's.
var ErrNoFunction = errors.New("no such function")

// InvokeAsync runs payload as an asynchronous invocation (InvocationType Event): it returns at
// once, the invocation is counted by Idle, and a failure is logged, not retried.
func (s *Suite) InvokeAsync(name string, payload []byte) error {
	if _, ok := s.fns[name]; !ok {
		return fmt.Errorf("invoke %s: %w", name, ErrNoFunction)
	}
	s.pending.add()
	go func() {
		defer s.pending.done()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout+10*time.Second)
		defer cancel()
		if _, err := s.Invoke(ctx, name, payload); err != nil {
			s.log.note(name, fmt.Sprintf("asynchronous invocation failed (Lambda would retry it twice, then send it to the on-failure destination): %v", err))
		}
	}()
	return nil
}

// Idle waits until no asynchronous invocation or bus delivery is under way, including those
// they start: after a request's answer, what the suite does because of it is then done.
func (s *Suite) Idle(ctx context.Context) error { return s.pending.wait(ctx) }

// deliver hands a bus event to its target asynchronously, as EventBridge does.
func (s *Suite) deliver(target string, envelope []byte) {
	if err := s.InvokeAsync(target, envelope); err != nil {
		s.log.note("eventbus", err.Error())
	}
}

// serveInvoke is Lambda's Invoke API for every function of the suite.
func (s *Suite) serveInvoke(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2015-03-31/functions/"
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if r.Method != http.MethodPost || !ok || !ok2 {
		writeLambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "no such route: "+r.Method+" "+r.URL.Path)
		return
	}
	name = functionName(name)
	if _, ok := s.fns[name]; !ok {
		writeLambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
	if err != nil {
		writeLambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	switch r.Header.Get("X-Amz-Invocation-Type") {
	case "Event":
		if err := s.InvokeAsync(name, payload); err != nil {
			writeLambdaError(w, http.StatusNotFound, "ResourceNotFoundException", err.Error())
			return
		}
		w.WriteHeader(http.StatusAccepted)
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	default:
		body, err := s.Invoke(r.Context(), name, payload)
		var fe *lambdatest.FunctionError
		switch {
		case errors.As(err, &fe):
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			body, _ = json.Marshal(fe)
		case err != nil:
			writeLambdaError(w, http.StatusInternalServerError, "ServiceException", err.Error())
			return
		}
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}

// functionName reads the FunctionName of an Invoke: a name, an ARN or a partial ARN, with or
// without a qualifier.
func functionName(s string) string {
	parts := strings.Split(s, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	if len(parts) >= 2 { // "name:qualifier" or "account:function:name" handled above
		return parts[0]
	}
	return s
}

func writeLambdaError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": msg})
}

// tracker counts work under way and lets callers wait until there is none.
type tracker struct {
	mu   sync.Mutex
	n    int
	zero chan struct{}
}

func (t *tracker) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.zero = make(chan struct{})
	}
	t.n++
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 {
		close(t.zero)
	}
}

func (t *tracker) wait(ctx context.Context) error {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return nil
	}
	zero := t.zero
	t.mu.Unlock()
	select {
	case <-zero:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the suite to be idle: %w", ctx.Err())
	}
}

// baseEnv is what a function process gets from this machine: the PATH and HOME Lambda's
// runtime has its own of, and the temporary directory.
func baseEnv() []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	return env
}
