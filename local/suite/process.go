package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"

	"github.com/discord-chatops/chatops/shared/lambdatest"
)

// errExited is the cause given to an invocation whose process exited under it.
var errExited = errors.New("process exited")

// function is one function: its Runtime API and the process that polls it, started again
// whenever it exits, as Lambda starts a new execution environment.
type function struct {
	name   string
	rt     *lambdatest.Runtime
	log    *lineWriter
	cmd    func() *exec.Cmd
	closed chan struct{}
	done   chan struct{}

	turn sync.Mutex // one invocation at a time

	mu      sync.Mutex
	proc    *exec.Cmd
	current context.CancelCauseFunc // the invocation under way
}

func (s *Suite) startFunction(name, binary string) (*function, error) {
	rt, err := lambdatest.New()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	rt.FunctionName = name
	rt.Timeout = s.cfg.Timeout
	env := append(append(append(baseEnv(), s.cfg.Common...), s.cfg.Env[name]...), rt.Env()...)
	// After rt.Env(): Invoke goes to the suite, which routes by function name; PutEvents to
	// the local bus.
	env = append(env, "AWS_ENDPOINT_URL_LAMBDA="+s.InvokeURL, "AWS_ENDPOINT_URL_EVENTBRIDGE="+s.BusURL,
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+fmt.Sprint(int(s.cfg.Timeout.Seconds())))
	out := s.log.prefixed(name)
	f := &function{
		name: name,
		rt:   rt,
		log:  s.log,
		cmd: func() *exec.Cmd {
			cmd := exec.Command(binary)
			cmd.Env = env
			cmd.Stdout, cmd.Stderr = out, out
			return cmd
		},
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	cmd := f.cmd()
	if err := cmd.Start(); err != nil {
		rt.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	f.proc = cmd
	go f.supervise(cmd)
	return f, nil
}

// supervise waits for the process and starts it again when it exits, backing off while it
// keeps failing at once (a configuration error exits before the first event).
func (f *function) supervise(cmd *exec.Cmd) {
	defer close(f.done)
	backoff := 100 * time.Millisecond
	for {
		started := time.Now()
		err := cmd.Wait()
		f.mu.Lock()
		if f.current != nil {
			f.current(fmt.Errorf("%w: %v", errExited, err))
		}
		f.mu.Unlock()
		select {
		case <-f.closed:
			return
		default:
		}
		if time.Since(started) > 10*time.Second {
			backoff = 100 * time.Millisecond
		}
		f.log.note(f.name, fmt.Sprintf("process exited (%v); starting it again in %s", err, backoff))
		select {
		case <-f.closed:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
		cmd = f.cmd()
		if err := cmd.Start(); err != nil {
			f.log.note(f.name, fmt.Sprintf("restart: %v", err))
			return
		}
		f.mu.Lock()
		f.proc = cmd
		f.mu.Unlock()
	}
}

func (f *function) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	f.turn.Lock()
	defer f.turn.Unlock()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	f.mu.Lock()
	f.current = cancel
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.current = nil
		f.mu.Unlock()
	}()
	body, err := f.rt.Invoke(ctx, payload)
	if cause := context.Cause(ctx); err != nil && errors.Is(cause, errExited) {
		return nil, &lambdatest.FunctionError{Type: "Runtime.ExitError", Message: cause.Error()}
	}
	return body, err
}

func (f *function) stop() {
	close(f.closed)
	f.mu.Lock()
	if f.proc != nil && f.proc.Process != nil {
		_ = f.proc.Process.Kill()
	}
	f.mu.Unlock()
	<-f.done
	f.rt.Close()
}

// lineWriter writes whole lines to w, each prefixed, from any number of writers at once.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) note(who, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "[%s] %s\n", who, msg)
}

func (l *lineWriter) prefixed(who string) io.Writer {
	return &prefixWriter{l: l, prefix: "[" + who + "] "}
}

type prefixWriter struct {
	l      *lineWriter
	prefix string
	buf    []byte
}

// Write is called by one copying goroutine per process (exec shares one for Stdout and Stderr
// when they are the same writer), so buf needs no lock of its own.
func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		p.l.mu.Lock()
		_, err := fmt.Fprintf(p.l.w, "%s%s\n", p.prefix, p.buf[:i])
		p.l.mu.Unlock()
		p.buf = p.buf[i+1:]
		if err != nil {
			return len(b), err
		}
	}
}
