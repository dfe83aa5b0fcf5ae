// Package lambdatest runs a built Lambda function binary the way Lambda does, for end-to-end
// tests and local runs: a fake Runtime API that hands the process its events and collects its
// answers, and a fake Lambda Invoke API (point AWS_ENDPOINT_URL_LAMBDA at it) that records the
// asynchronous invocations the function makes, so that a test can feed them back.
//
// Upstream references:
//   - Runtime API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
//   - Invoke API: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
package lambdatest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/outbuf"
)

// Defaults of a Runtime.
const (
	DefaultFunctionName = "function"
	DefaultTimeout      = 30 * time.Second
	accountID           = "123456789012"
	region              = "us-east-1"
)

// ErrClosed is returned by Invoke and NextAsync once the Runtime is closed.
var ErrClosed = errors.New("lambdatest: runtime closed")

// FunctionError is what a function reported through the Runtime API's error endpoints: an
// error its handler returned or a panic, or a failed initialisation.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
	Init    bool   `json:"-"` // reported by /runtime/init/error
}

func (e *FunctionError) Error() string {
	if e.Init {
		return fmt.Sprintf("function init error %s: %s", e.Type, e.Message)
	}
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

// Runtime is a fake Lambda service for one function: the Runtime API its process polls and
// the Invoke API its AWS SDK calls. It is safe for concurrent use; like Lambda, it gives the
// process one invocation at a time.
type Runtime struct {
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL string
	// FunctionName and Timeout describe the function to the process; set them before the
	// process starts.
	FunctionName string
	Timeout      time.Duration

	srv      *http.Server
	queue    chan *call
	async    chan []byte
	closed   chan struct{}
	initFail chan struct{}

	mu       sync.Mutex
	inflight map[string]*call
	seq      int
	initErr  *FunctionError
	once     sync.Once
}

type call struct {
	id      string
	payload []byte
	done    chan result // buffered, 1
}

type result struct {
	body []byte
	err  error
}

// Start runs a Runtime on a free loopback port and closes it when the test ends.
func Start(tb testing.TB) *Runtime {
	tb.Helper()
	r, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(r.Close)
	return r
}

// New runs a Runtime like Start, for callers without a testing.TB (a local runner). The
// caller must Close it.
func New() (*Runtime, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdatest: listen: %w", err)
	}
	r := &Runtime{
		URL:          "http://" + l.Addr().String(),
		FunctionName: DefaultFunctionName,
		Timeout:      DefaultTimeout,
		queue:        make(chan *call, 64),
		async:        make(chan []byte, 64),
		closed:       make(chan struct{}),
		initFail:     make(chan struct{}),
		inflight:     map[string]*call{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", r.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", r.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", r.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", r.postInitError)
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", r.invokeAPI)
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(l) }()
	return r, nil
}

// Close stops the server; pending Invoke and NextAsync calls return ErrClosed.
func (r *Runtime) Close() {
	r.once.Do(func() {
		close(r.closed)
		_ = r.srv.Close()
	})
}

// Addr is the host:port for AWS_LAMBDA_RUNTIME_API.
func (r *Runtime) Addr() string { return strings.TrimPrefix(r.URL, "http://") }

// Env is the environment Lambda gives a function, aimed at this Runtime: the Runtime API, the
// function's name, and AWS_ENDPOINT_URL_LAMBDA for the Invoke API.
func (r *Runtime) Env() []string {
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + r.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=" + r.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_ENDPOINT_URL_LAMBDA=" + r.URL,
	}
}

// Invoke hands payload to the function as its next event and returns what the handler
// answered. A handler error, a panic or a failed start is a *FunctionError. It waits until ctx
// ends: give it a deadline, as a process that died never answers.
func (r *Runtime) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r.mu.Lock()
	r.seq++
	c := &call{id: fmt.Sprintf("00000000-0000-4000-8000-%012d", r.seq), payload: payload, done: make(chan result, 1)}
	r.mu.Unlock()
	select {
	case r.queue <- c:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-r.closed:
		return nil, ErrClosed
	}
	select {
	case res := <-c.done:
		return res.body, res.err
	case <-r.initFail:
		return nil, r.initFailure()
	case <-ctx.Done():
		return nil, fmt.Errorf("lambdatest: invocation %s: %w", c.id, ctx.Err())
	case <-r.closed:
		return nil, ErrClosed
	}
}

// NextAsync returns the payload of the next asynchronous invocation (InvocationType Event)
// made through the Invoke API, waiting for one until ctx ends. Feed it to Invoke to run it.
func (r *Runtime) NextAsync(ctx context.Context) ([]byte, error) {
	select {
	case p := <-r.async:
		return p, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-r.closed:
		return nil, ErrClosed
	}
}

func (r *Runtime) initFailure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.initErr
}

func (r *Runtime) arn() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, accountID, r.FunctionName)
}

// next long-polls for the next invocation, as the Runtime API does.
func (r *Runtime) next(w http.ResponseWriter, req *http.Request) {
	var c *call
	select {
	case c = <-r.queue:
	case <-req.Context().Done():
		return
	case <-r.closed:
		return
	}
	r.mu.Lock()
	r.inflight[c.id] = c
	r.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", c.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(r.Timeout).UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", r.arn())
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(c.payload)
}

func (r *Runtime) take(id string) *call {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.inflight[id]
	delete(r.inflight, id)
	return c
}

func (r *Runtime) response(w http.ResponseWriter, req *http.Request) {
	c := r.take(req.PathValue("id"))
	if c == nil {
		http.Error(w, `{"errorType":"InvalidRequestID","errorMessage":"unknown request id"}`, http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(req.Body)
	c.done <- result{body: body, err: err}
	w.WriteHeader(http.StatusAccepted)
}

func (r *Runtime) invocationError(w http.ResponseWriter, req *http.Request) {
	c := r.take(req.PathValue("id"))
	if c == nil {
		http.Error(w, `{"errorType":"InvalidRequestID","errorMessage":"unknown request id"}`, http.StatusBadRequest)
		return
	}
	c.done <- result{err: readFunctionError(req)}
	w.WriteHeader(http.StatusAccepted)
}

func (r *Runtime) postInitError(w http.ResponseWriter, req *http.Request) {
	fe := readFunctionError(req)
	fe.Init = true
	r.mu.Lock()
	if r.initErr == nil {
		r.initErr = fe
		close(r.initFail)
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func readFunctionError(req *http.Request) *FunctionError {
	fe := &FunctionError{}
	body, _ := io.ReadAll(req.Body)
	if json.Unmarshal(body, fe) != nil || fe.Type == "" {
		fe.Type = req.Header.Get("Lambda-Runtime-Function-Error-Type")
		if fe.Message == "" {
			fe.Message = string(body)
		}
	}
	return fe
}

// invokeAPI serves Lambda's Invoke for this function: Event invocations are recorded for
// NextAsync and answered 202; RequestResponse ones are run through the Runtime API.
func (r *Runtime) invokeAPI(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("name")
	if name != r.FunctionName && name != r.arn() {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": "Function not found: " + name})
		return
	}
	payload, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch req.Header.Get("X-Amz-Invocation-Type") {
	case "Event":
		select {
		case r.async <- payload:
			w.WriteHeader(http.StatusAccepted)
		default:
			w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	default: // RequestResponse
		body, err := r.Invoke(req.Context(), payload)
		var fe *FunctionError
		switch {
		case errors.As(err, &fe):
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			body, _ = json.Marshal(fe)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}

// Build compiles the function whose main package is dir for this machine, as `make build`
// does for Lambda (-tags lambda.norpc), into a temporary directory, and returns the binary's
// path.
func Build(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// Run starts the binary as Lambda would, with an environment of PATH and HOME, then env, then
// r.Env() (so a test's AWS_ENDPOINT_URL still leaves Invoke to r): nothing else leaks in from
// the test's environment. Like Lambda, it starts the process again when it exits (aws-lambda-go
// exits after a panic), failing the invocation it was running with Runtime.ExitError. It stops
// the process when the test ends and logs its output when the test fails.
func (r *Runtime) Run(tb testing.TB, binary string, env ...string) {
	tb.Helper()
	var out outbuf.Buffer
	start := func() (*exec.Cmd, error) {
		cmd := exec.Command(binary)
		cmd.Env = append(append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...), r.Env()...)
		cmd.Stdout, cmd.Stderr = &out, &out
		return cmd, cmd.Start()
	}
	cmd, err := start()
	if err != nil {
		tb.Fatalf("start %s: %v", binary, err)
	}
	var (
		mu      sync.Mutex
		current = cmd
		stop    = make(chan struct{})
		done    = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			err := cmd.Wait()
			r.failInflight(&FunctionError{Type: "Runtime.ExitError", Message: fmt.Sprintf("process exited: %v", err)})
			select {
			case <-stop:
				return
			case <-r.closed:
				return
			case <-time.After(50 * time.Millisecond):
			}
			mu.Lock()
			cmd, err = start()
			current = cmd
			mu.Unlock()
			if err != nil {
				fmt.Fprintf(&out, "lambdatest: restart %s: %v\n", binary, err)
				return
			}
		}
	}()
	tb.Cleanup(func() {
		close(stop)
		mu.Lock()
		_ = current.Process.Kill()
		mu.Unlock()
		<-done
		if tb.Failed() {
			tb.Logf("%s output:\n%s", filepath.Base(binary), out.String())
		}
	})
}

// failInflight ends the invocations the process was running with err.
func (r *Runtime) failInflight(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, c := range r.inflight {
		c.done <- result{err: err}
		delete(r.inflight, id)
	}
}
