// Package mototest starts a real moto_server (https://docs.getmoto.org/en/latest/docs/server_mode.html)
// on a free loopback port for tests that talk to AWS, the way net/http/httptest starts an HTTP server.
//
// moto is a test dependency, not a mock: the AWS SDK speaks its real wire protocols to it. When
// moto_server is not installed the test fails with the install hint; it never skips.
package mototest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/discord-chatops/chatops/shared/outbuf"
)

// InstallHint is what a test prints when moto_server is missing.
const InstallHint = "moto_server not found on PATH: install it with  pip install 'moto[server]'  (Python 3)"

// Region is the Region the helper's AWS config uses.
const Region = "us-east-1"

// Server is a running moto_server.
type Server struct {
	// URL is the server's base URL, for example http://127.0.0.1:41234.
	URL  string
	cmd  *exec.Cmd
	done chan error
	log  outbuf.Buffer
}

// Start runs moto_server on a free loopback port, waits until it answers and stops it when the
// test ends. It fails the test with InstallHint when moto_server is not installed.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Close()
		if tb.Failed() {
			tb.Logf("moto_server output:\n%s", tail(s.log.String(), 4000))
		}
	})
	return s
}

// New runs moto_server like Start, for callers without a testing.TB (TestMain, the local runner).
// The caller must Close it.
func New() (*Server, error) { return start() }

func start() (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("%s", InstallHint)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan error, 1)}
		s.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		s.cmd.Stdout = &s.log
		s.cmd.Stderr = &s.log
		s.cmd.Env = append(os.Environ(), "MOTO_ALLOW_NONEXISTENT_REGION=true")
		if err := s.cmd.Start(); err != nil {
			return nil, fmt.Errorf("start moto_server: %w", err)
		}
		go func() { s.done <- s.cmd.Wait() }()
		if err := s.wait(startLimit); err != nil {
			lastErr = err
			s.Close()
			continue
		}
		// Lambda invocations must not need Docker.
		if err := s.post("/moto-api/config", `{"lambda":{"use_docker":false}}`); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	return nil, lastErr
}

// startLimit only guards against a server that never answers; it does not say how long a start
// should take. Starting is Python importing moto, which on a loaded machine takes most of a
// minute when several servers start at once (nine took 48 s each at a load of 40), so the wait
// is for the server's first answer or its exit, whichever comes first.
const startLimit = 5 * time.Minute

// wait polls until the server answers or its process exits, for at most limit.
func (s *Server) wait(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("moto_server exited early: %v: %s", err, tail(s.log.String(), 2000))
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("moto_server did not answer on %s within %s", s.URL, limit)
}

// Close stops the server.
func (s *Server) Close() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Reset drops every resource the server holds (POST /moto-api/reset).
func (s *Server) Reset() error { return s.post("/moto-api/reset", "") }

// Post sends a JSON body to one of moto's own endpoints, such as
// /moto-api/static/ce/cost-and-usage-results.
func (s *Server) Post(path, body string) error { return s.post(path, body) }

func (s *Server) post(path, body string) error {
	resp, err := http.Post(s.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("moto %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("moto %s: status %d", path, resp.StatusCode)
	}
	return nil
}

// Config returns an AWS config aimed at the server with fixed test credentials, built by
// config.LoadDefaultConfig as the functions build theirs.
func (s *Server) Config(tb testing.TB) aws.Config {
	tb.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		config.WithBaseEndpoint(s.URL),
	)
	if err != nil {
		tb.Fatalf("aws config: %v", err)
	}
	return cfg
}

// Env returns the environment variables that aim a child process's AWS SDK at the server.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
