// Package coldstart starts Lambda function processes fresh, as Lambda does on a cold start, and
// times them through a fake Runtime API (shared/lambdatest): spawn to the first signed PING
// answered, then warm PINGs one at a time, then the process's peak resident memory.
//
// Upstream references:
//   - Runtime API: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
//   - Discord PING: https://discord.com/developers/docs/interactions/receiving-and-responding#receiving-an-interaction
package coldstart

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/discord-chatops/chatops/shared/discord/signature/signaturetest"
	"github.com/discord-chatops/chatops/shared/lambdatest"
)

//go:embed testdata/ping-event.json
var pingEvent []byte

// pong is the answer every contender must give to a valid PING.
const pong = `{"type":1}`

// Contender is a program that serves the Lambda Runtime API: a Go bootstrap, or an interpreter
// and its script.
type Contender struct {
	Name string
	Argv []string // program and arguments; the program is looked up in PATH
	Dir  string   // working directory
	// Env is added to PATH, HOME and the Runtime's own variables (AWS_LAMBDA_RUNTIME_API...).
	Env []string
}

// Sample is what one fresh process of a contender measured.
type Sample struct {
	Contender string
	Round     int
	// Cold runs from just before the process is spawned to the first PING's answer, back
	// through the Runtime API. The PING is queued at spawn: the process takes it on its first
	// poll.
	Cold time.Duration
	// Warm are the round trips of the PINGs after the first, each from queueing to answer.
	Warm []time.Duration
	// PeakRSS is the process's peak resident set in bytes (wait4's ru_maxrss), read after the
	// last PING.
	PeakRSS int64
}

// Pinger makes signed PING events as API Gateway delivers them.
type Pinger struct {
	signer *signaturetest.Signer
	event  events.APIGatewayV2HTTPRequest
}

// NewPinger returns a Pinger whose requests verify against signaturetest.NewSigner(seed).
func NewPinger(seed byte) (*Pinger, error) {
	p := &Pinger{signer: signaturetest.NewSigner(seed)}
	if err := json.Unmarshal(pingEvent, &p.event); err != nil {
		return nil, fmt.Errorf("ping event: %w", err)
	}
	return p, nil
}

// PublicKeyHex is the key the contenders verify with, for DISCORD_PUBLIC_KEY.
func (p *Pinger) PublicKeyHex() string { return p.signer.PublicKeyHex() }

// Body is the PING's body, exactly as signed.
func (p *Pinger) Body() []byte { return []byte(p.event.Body) }

// Sign returns the signature and timestamp headers for the body signed at now.
func (p *Pinger) Sign(now time.Time) (sig, timestamp string) {
	timestamp = strconv.FormatInt(now.Unix(), 10)
	return p.signer.Sign(timestamp, p.Body()), timestamp
}

// Event returns the PING's event signed at now.
func (p *Pinger) Event(now time.Time) ([]byte, error) {
	ev := p.event
	ev.Headers = make(map[string]string, len(p.event.Headers)+2)
	for k, v := range p.event.Headers {
		ev.Headers[k] = v
	}
	ev.Headers["x-signature-ed25519"], ev.Headers["x-signature-timestamp"] = p.Sign(now)
	return json.Marshal(ev)
}

// checkPong returns an error unless answer is the HTTP API response to a PING.
func checkPong(answer []byte) error {
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		return fmt.Errorf("answer %.200q: %w", answer, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Body != pong {
		return fmt.Errorf("answer %d %.200q, want 200 %s", resp.StatusCode, resp.Body, pong)
	}
	return nil
}

// Measure starts c once against a fresh Runtime, times its first PING and then warm more, and
// reads its peak memory. Output of the process goes to a file in tmp, quoted in the error when
// something fails.
func Measure(ctx context.Context, c Contender, p *Pinger, warm int, tmp string) (Sample, error) {
	s := Sample{Contender: c.Name}
	rt, err := lambdatest.New()
	if err != nil {
		return s, err
	}
	defer rt.Close()
	out, err := os.CreateTemp(tmp, c.Name+"-*.log")
	if err != nil {
		return s, err
	}
	defer out.Close()
	cmd := command(c, out, rt.Env())

	first, err := p.Event(time.Now())
	if err != nil {
		return s, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return s, fmt.Errorf("start %s: %w", c.Name, err)
	}
	exited := waitInBackground(cmd)
	fail := func(err error) (Sample, error) {
		_ = cmd.Process.Kill()
		<-exited
		log, _ := os.ReadFile(out.Name())
		return s, fmt.Errorf("%s: %w\n%s", c.Name, err, tail(log, 2000))
	}
	answer, err := rt.Invoke(ctx, first)
	s.Cold = time.Since(start)
	if err != nil {
		return fail(err)
	}
	if err := checkPong(answer); err != nil {
		return fail(err)
	}
	s.Warm = make([]time.Duration, 0, warm)
	for range warm {
		ev, err := p.Event(time.Now())
		if err != nil {
			return fail(err)
		}
		t0 := time.Now()
		answer, err := rt.Invoke(ctx, ev)
		d := time.Since(t0)
		if err != nil {
			return fail(err)
		}
		if err := checkPong(answer); err != nil {
			return fail(err)
		}
		s.Warm = append(s.Warm, d)
	}
	_ = cmd.Process.Kill()
	<-exited
	s.PeakRSS = peakRSS(cmd)
	return s, nil
}

// Started is what a process did from spawn to its first poll for an event.
type Started struct {
	PeakRSS int64  // bytes
	Output  []byte // what it wrote to stdout and stderr (GODEBUG=inittrace=1 writes there)
}

// Start starts c, waits until it has initialised (its first poll of the Runtime API for an
// event), then stops it. It is for functions whose events need more than this benchmark stands
// in for (AWS, Discord, GitHub).
func Start(ctx context.Context, c Contender, tmp string) (Started, error) {
	var st Started
	rt, err := lambdatest.New()
	if err != nil {
		return st, err
	}
	defer rt.Close()
	// A Runtime API that only notices the first poll and holds it; it stands in front of rt,
	// whose other variables (function name, Invoke API) the process still gets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return st, err
	}
	polled := make(chan struct{}, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/runtime/invocation/next") {
			select {
			case polled <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		http.NotFound(w, r)
	})}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	out, err := os.CreateTemp(tmp, c.Name+"-init-*.log")
	if err != nil {
		return st, err
	}
	defer out.Close()
	cmd := command(c, out, append(rt.Env(), "AWS_LAMBDA_RUNTIME_API="+l.Addr().String()))
	if err := cmd.Start(); err != nil {
		return st, fmt.Errorf("start %s: %w", c.Name, err)
	}
	exited := waitInBackground(cmd)
	select {
	case <-polled:
	case err := <-exited:
		log, _ := os.ReadFile(out.Name())
		return st, fmt.Errorf("%s exited before polling for an event: %v\n%s", c.Name, err, tail(log, 2000))
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-exited
		return st, fmt.Errorf("%s: no poll for an event: %w", c.Name, ctx.Err())
	}
	_ = cmd.Process.Kill()
	<-exited
	st.PeakRSS = peakRSS(cmd)
	st.Output, err = os.ReadFile(out.Name())
	return st, err
}

// Rounds measures every contender rounds times, round-robin (one process of each per round,
// the first contender rotating from round to round) so that noise from a shared machine falls
// on all of them alike. progress, when not nil, is told of each sample.
func Rounds(ctx context.Context, cs []Contender, p *Pinger, rounds, warm int, tmp string, progress func(Sample)) ([]Sample, error) {
	var all []Sample
	for r := range rounds {
		for i := range cs {
			c := cs[(r+i)%len(cs)]
			mctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // a process that died never answers
			s, err := Measure(mctx, c, p, warm, tmp)
			cancel()
			if err != nil {
				return nil, fmt.Errorf("round %d: %w", r+1, err)
			}
			s.Round = r + 1
			all = append(all, s)
			if progress != nil {
				progress(s)
			}
		}
	}
	return all, nil
}

// command is c as Lambda would start it: nothing from this process's environment but PATH and
// HOME, then c.Env, then runtime (the later of two equal names wins).
func command(c Contender, out *os.File, runtime []string) *exec.Cmd {
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append(append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, c.Env...), runtime...)
	cmd.Stdout, cmd.Stderr = out, out
	return cmd
}

// waitInBackground waits for cmd and then reports its exit on the returned channel.
func waitInBackground(cmd *exec.Cmd) <-chan error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return done
}

// peakRSS is ru_maxrss of the exited process, which Linux gives in KiB.
func peakRSS(cmd *exec.Cmd) int64 {
	if cmd.ProcessState == nil {
		return 0
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return ru.Maxrss * 1024
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
