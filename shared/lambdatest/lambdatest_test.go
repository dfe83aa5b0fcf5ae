package lambdatest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRunEcho runs a real aws-lambda-go function against the Runtime: an answer, a handler
// error, a panic (after which aws-lambda-go exits and Run starts it again), then an answer.
func TestRunEcho(t *testing.T) {
	t.Parallel()
	r := Start(t)
	r.FunctionName = "echo"
	r.Run(t, Build(t, "testdata/echo"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	out, err := r.Invoke(ctx, []byte(`{"hello":"world"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("answer %s: %v", out, err)
	}
	want := map[string]any{"echo": map[string]any{"hello": "world"}, "request_id": "00000000-0000-4000-8000-000000000001", "function": "echo"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answer mismatch (-want +got):\n%s", diff)
	}

	for _, tt := range []struct{ payload, wantType, wantMessage string }{
		{`{"fail":"bad input"}`, "errorString", "bad input"},
		{`{"panic":true}`, "string", "asked to"},
	} {
		_, err := r.Invoke(ctx, []byte(tt.payload))
		var fe *FunctionError
		if !errors.As(err, &fe) || fe.Type != tt.wantType || fe.Message != tt.wantMessage {
			t.Errorf("Invoke(%s) error = %v, want a *FunctionError %s: %s", tt.payload, err, tt.wantType, tt.wantMessage)
		}
	}
	if _, err := r.Invoke(ctx, []byte(`{}`)); err != nil {
		t.Errorf("no process after the panic: %v", err)
	}
}

// TestInvokeAPI checks the Invoke API an SDK reaches through AWS_ENDPOINT_URL_LAMBDA: Event
// invocations are recorded for NextAsync, RequestResponse ones run, unknown functions are 404.
func TestInvokeAPI(t *testing.T) {
	t.Parallel()
	r := Start(t)
	r.FunctionName = "echo"
	r.Run(t, Build(t, "testdata/echo"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	post := func(name, invocationType, body string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.URL+"/2015-03-31/functions/"+name+"/invocations", strings.NewReader(body))
		req.Header.Set("X-Amz-Invocation-Type", invocationType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, _ := post("echo", "Event", `{"n":1}`); status != http.StatusAccepted {
		t.Errorf("Event invoke: %d, want 202", status)
	}
	p, err := r.NextAsync(ctx)
	if err != nil || string(p) != `{"n":1}` {
		t.Errorf("NextAsync = %s, %v; want the payload", p, err)
	}
	if status, body := post("arn:aws:lambda:us-east-1:123456789012:function:echo", "RequestResponse", `{"n":2}`); status != http.StatusOK || !strings.Contains(body, `"echo":{"n":2}`) {
		t.Errorf("RequestResponse invoke: %d %s", status, body)
	}
	if status, _ := post("other", "Event", `{}`); status != http.StatusNotFound {
		t.Errorf("invoke of another function: %d, want 404", status)
	}
}

// TestInitError checks that a function that reports a failed start fails the invocations
// waiting for it.
func TestInitError(t *testing.T) {
	t.Parallel()
	r := Start(t)
	resp, err := http.Post(r.URL+"/2018-06-01/runtime/init/error", "application/json",
		strings.NewReader(`{"errorType":"Runtime.ExitError","errorMessage":"DISCORD_PUBLIC_KEY not set"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = r.Invoke(ctx, []byte(`{}`))
	var fe *FunctionError
	if !errors.As(err, &fe) || !fe.Init || fe.Message != "DISCORD_PUBLIC_KEY not set" {
		t.Errorf("Invoke error = %v, want the init error", err)
	}
}

func TestCloseEndsWaits(t *testing.T) {
	t.Parallel()
	r := Start(t)
	done := make(chan error, 1)
	go func() {
		_, err := r.NextAsync(context.Background())
		done <- err
	}()
	r.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("NextAsync after Close = %v, want ErrClosed", err)
	}
}
