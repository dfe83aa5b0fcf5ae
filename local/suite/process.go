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

// function is one function: up to max execution environments, each a process polling its own
// Runtime API. Like Lambda, an environment runs one invocation at a time, and a new one is
// started (a cold start) when every existing one is busy, so that slow asynchronous work does
// not hold up an acknowledgement that must reach Discord within 3 seconds.
type function struct {
	name    string
	s       *Suite
	binary  string
	max     int
	idle    chan *environment
	slots   chan struct{} // one token per environment that may still be started
	mu      sync.Mutex
	all     []*environment
	stopped bool
}

func (s *Suite) newFunction(name, binary string, max int) (*function, error) {
	f := &function{name: name, s: s, binary: binary, max: max,
		idle: make(chan *environment, max), slots: make(chan struct{}, max)}
	for range max {
		f.slots <- struct{}{}
	}
	// Start the first environment now, so that its start-up errors show at once.
	<-f.slots
	env, err := f.start()
	if err != nil {
		return nil, err
	}
	f.idle <- env
	return f, nil
}

// invoke runs payload on an idle environment, starting one when none is idle and the limit
// allows, or waiting for one.
func (f *function) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var env *environment
	select {
	case env = <-f.idle:
	default:
		select {
		case env = <-f.idle:
		case <-f.slots:
			var err error
			if env, err = f.start(); err != nil {
				f.slots <- struct{}{}
				return nil, err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	defer func() { f.idle <- env }()
	return env.invoke(ctx, payload)
}

func (f *function) stop() {
	f.mu.Lock()
	f.stopped = true
	all := f.all
	f.mu.Unlock()
	for _, env := range all {
		env.stop()
	}
}

// environment is one process and the Runtime API it polls. The process is started again when
// it exits, as Lambda replaces an environment whose runtime died.
type environment struct {
	name   string
	rt     *lambdatest.Runtime
	log    *lineWriter
	cmd    func() *exec.Cmd
	closed chan struct{}
	done   chan struct{}

	mu      sync.Mutex
	proc    *exec.Cmd
	current context.CancelCauseFunc // the invocation under way
}

func (f *function) start() (*environment, error) {
	s := f.s
	rt, err := lambdatest.New()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", f.name, err)
	}
	rt.FunctionName = f.name
	rt.Timeout = s.cfg.Timeout
	env := append(append(append(baseEnv(), s.cfg.Common...), s.cfg.Env[f.name]...), rt.Env()...)
	// After rt.Env(): Invoke goes to the suite, which routes by function name; PutEvents to
	// the local bus.
	env = append(env, "AWS_ENDPOINT_URL_LAMBDA="+s.InvokeURL, "AWS_ENDPOINT_URL_EVENTBRIDGE="+s.BusURL,
		"AWS_LAMBDA_FUNCTION_TIMEOUT="+fmt.Sprint(int(s.cfg.Timeout.Seconds())))
	out := s.log.prefixed(f.name)
	e := &environment{
		name: f.name,
		rt:   rt,
		log:  s.log,
		cmd: func() *exec.Cmd {
			cmd := exec.Command(f.binary)
			cmd.Env = env
			cmd.Stdout, cmd.Stderr = out, out
			return cmd
		},
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		rt.Close()
		return nil, fmt.Errorf("start %s: %w", f.name, ErrStopped)
	}
	cmd := e.cmd()
	if err := cmd.Start(); err != nil {
		rt.Close()
		return nil, fmt.Errorf("start %s: %w", f.name, err)
	}
	e.proc = cmd
	f.all = append(f.all, e)
	go e.supervise(cmd)
	return e, nil
}

// ErrStopped is wrapped by the error of an invocation that arrives after Close.
var ErrStopped = errors.New("suite stopped")

// supervise waits for the process and starts it again when it exits, backing off while it
// keeps failing at once (a configuration error exits before the first event).
func (e *environment) supervise(cmd *exec.Cmd) {
	defer close(e.done)
	backoff := 100 * time.Millisecond
	for {
		started := time.Now()
		err := cmd.Wait()
		e.mu.Lock()
		if e.current != nil {
			e.current(fmt.Errorf("%w: %v", errExited, err))
		}
		e.mu.Unlock()
		select {
		case <-e.closed:
			return
		default:
		}
		if time.Since(started) > 10*time.Second {
			backoff = 100 * time.Millisecond
		}
		e.log.note(e.name, fmt.Sprintf("process exited (%v); starting it again in %s", err, backoff))
		select {
		case <-e.closed:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
		cmd = e.cmd()
		if err := cmd.Start(); err != nil {
			e.log.note(e.name, fmt.Sprintf("restart: %v", err))
			return
		}
		e.mu.Lock()
		e.proc = cmd
		e.mu.Unlock()
	}
}

func (e *environment) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	e.mu.Lock()
	e.current = cancel
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.current = nil
		e.mu.Unlock()
	}()
	body, err := e.rt.Invoke(ctx, payload)
	if cause := context.Cause(ctx); err != nil && errors.Is(cause, errExited) {
		return nil, &lambdatest.FunctionError{Type: "Runtime.ExitError", Message: cause.Error()}
	}
	return body, err
}

func (e *environment) stop() {
	close(e.closed)
	e.mu.Lock()
	if e.proc != nil && e.proc.Process != nil {
		_ = e.proc.Process.Kill()
	}
	e.mu.Unlock()
	<-e.done
	e.rt.Close()
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
	mu     sync.Mutex
	l      *lineWriter
	prefix string
	buf    []byte
}

// Write may be called by the output copiers of several processes of one function.
func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
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
