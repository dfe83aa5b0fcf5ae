package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// call is one GetParameters call as a recorder saw it.
type call struct {
	Names          []string
	WithDecryption bool
}

// recorder wraps a GetParametersAPI (the real client aimed at moto, or a func) and records calls.
type recorder struct {
	next secrets.GetParametersAPI

	mu    sync.Mutex
	calls []call
}

func (r *recorder) GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	r.mu.Lock()
	r.calls = append(r.calls, call{Names: append([]string(nil), in.Names...), WithDecryption: aws.ToBool(in.WithDecryption)})
	r.mu.Unlock()
	return r.next.GetParameters(ctx, in, optFns...)
}

func (r *recorder) Calls() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// getParametersFunc adapts a function to GetParametersAPI.
type getParametersFunc func(ctx context.Context, in *ssm.GetParametersInput) (*ssm.GetParametersOutput, error)

func (f getParametersFunc) GetParameters(ctx context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	return f(ctx, in)
}

// clock is a settable time source for TTL tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func put(t *testing.T, client *ssm.Client, name, value string) {
	t.Helper()
	_, err := client.PutParameter(context.Background(), &ssm.PutParameterInput{
		Name:      aws.String(name),
		Value:     aws.String(value),
		Type:      ssmtypes.ParameterTypeSecureString,
		Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("put parameter %s: %v", name, err)
	}
}

func names(calls []call) [][]string {
	out := make([][]string, len(calls))
	for i, c := range calls {
		out[i] = c.Names
	}
	return out
}

// TestStoreAgainstMoto runs the Store against a real moto_server. The subtests share one server
// and keep apart by using distinct prefixes.
func TestStoreAgainstMoto(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	client := ssm.NewFromConfig(moto.Config(t))
	ctx := context.Background()

	t.Run("decrypts SecureString parameters", func(t *testing.T) {
		t.Parallel()
		values := map[string]string{
			secrets.DiscordBotToken:     "bot-token-value-1",
			secrets.GitHubPrivateKey:    "-----BEGIN RSA PRIVATE KEY-----\nnot-a-key\n-----END RSA PRIVATE KEY-----\n",
			secrets.GitHubWebhookSecret: "webhook-secret-value-1",
		}
		for name, v := range values {
			put(t, client, "/chatops/"+name, v)
		}
		// Control: without decryption moto answers with a marked ciphertext, so the values
		// compared below can only match if the Store asked for decryption.
		raw, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/chatops/" + secrets.DiscordBotToken)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(raw.Parameter.Value); got == values[secrets.DiscordBotToken] {
			t.Fatalf("moto returned the plain value without decryption (%q): this test proves nothing", got)
		}

		rec := &recorder{next: client}
		store := secrets.New(rec, "", time.Hour)
		got, err := store.Get(ctx, secrets.DiscordBotToken, secrets.GitHubPrivateKey, secrets.GitHubWebhookSecret)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if diff := cmp.Diff(values, got); diff != "" {
			t.Errorf("Get mismatch (-want +got):\n%s", diff)
		}
		wantCalls := []call{{
			Names:          []string{"/chatops/discord/bot-token", "/chatops/github/private-key", "/chatops/github/webhook-secret"},
			WithDecryption: true,
		}}
		if diff := cmp.Diff(wantCalls, rec.Calls()); diff != "" {
			t.Errorf("calls mismatch (-want +got):\n%s", diff)
		}
		token, err := store.String(ctx, secrets.DiscordBotToken)
		if err != nil {
			t.Fatalf("String: %v", err)
		}
		if token != values[secrets.DiscordBotToken] {
			t.Errorf("String = %q, want %q", token, values[secrets.DiscordBotToken])
		}
		if n := len(rec.Calls()); n != 1 {
			t.Errorf("String of a cached name made %d calls in all, want 1", n)
		}
	})

	t.Run("prefixes", func(t *testing.T) {
		t.Parallel()
		put(t, client, "/prefix-test/discord/bot-token", "under /prefix-test")
		put(t, client, "/prefix-test/team-a/discord/bot-token", "under /prefix-test/team-a")
		tests := []struct {
			prefix string
			want   string
		}{
			{prefix: "/prefix-test", want: "under /prefix-test"},
			{prefix: "/prefix-test/", want: "under /prefix-test"},
			{prefix: "prefix-test", want: "under /prefix-test"},
			{prefix: "/prefix-test/team-a//", want: "under /prefix-test/team-a"},
		}
		for _, tt := range tests {
			t.Run(tt.prefix, func(t *testing.T) {
				t.Parallel()
				got, err := secrets.New(client, tt.prefix, time.Minute).String(ctx, secrets.DiscordBotToken)
				if err != nil {
					t.Fatalf("String: %v", err)
				}
				if got != tt.want {
					t.Errorf("String = %q, want %q", got, tt.want)
				}
			})
		}
	})

	t.Run("batches of ten, only uncached names", func(t *testing.T) {
		t.Parallel()
		want := map[string]string{}
		var short []string
		for i := range 23 {
			name := fmt.Sprintf("batch/p%02d", i)
			short = append(short, name)
			want[name] = fmt.Sprintf("value-%02d", i)
			put(t, client, "/batching/"+name, want[name])
		}
		put(t, client, "/batching/batch/late-1", "late-value-1")
		put(t, client, "/batching/batch/late-2", "late-value-2")

		rec := &recorder{next: client}
		store := secrets.New(rec, "/batching", time.Hour)
		got, err := store.Get(ctx, short...)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Get mismatch (-want +got):\n%s", diff)
		}
		var sizes []int
		for _, c := range rec.Calls() {
			sizes = append(sizes, len(c.Names))
			if !c.WithDecryption {
				t.Errorf("call without decryption: %v", c.Names)
			}
		}
		if diff := cmp.Diff([]int{10, 10, 3}, sizes); diff != "" {
			t.Errorf("batch sizes mismatch (-want +got):\n%s", diff)
		}

		// Everything cached: no call. Then two new names among cached ones: one call for them.
		if _, err := store.Get(ctx, short...); err != nil {
			t.Fatalf("second Get: %v", err)
		}
		mixed := append([]string{"batch/late-1"}, short[:5]...)
		mixed = append(mixed, "batch/late-2", "batch/late-1")
		got, err = store.Get(ctx, mixed...)
		if err != nil {
			t.Fatalf("third Get: %v", err)
		}
		if got["batch/late-2"] != "late-value-2" || got["batch/p04"] != "value-04" || len(got) != 7 {
			t.Errorf("third Get = %v", got)
		}
		wantTail := [][]string{{"/batching/batch/late-1", "/batching/batch/late-2"}}
		if diff := cmp.Diff(wantTail, names(rec.Calls())[3:]); diff != "" {
			t.Errorf("calls after the first Get mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("TTL expiry", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name      string
			ttl       time.Duration
			advance   []time.Duration // applied in turn, a Get after each
			wantCalls int
			wantLast  string
		}{
			{name: "just before expiry", ttl: 10 * time.Minute, advance: []time.Duration{10*time.Minute - time.Nanosecond}, wantCalls: 1, wantLast: "v1"},
			{name: "at expiry", ttl: 10 * time.Minute, advance: []time.Duration{10 * time.Minute}, wantCalls: 2, wantLast: "v2"},
			{name: "expires again", ttl: time.Minute, advance: []time.Duration{time.Minute, 30 * time.Second, 30 * time.Second}, wantCalls: 3, wantLast: "v2"},
			{name: "zero TTL never expires", ttl: 0, advance: []time.Duration{365 * 24 * time.Hour}, wantCalls: 1, wantLast: "v1"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				prefix := fmt.Sprintf("/ttl-%d", i)
				put(t, client, prefix+"/discord/bot-token", "v1")
				rec := &recorder{next: client}
				clk := &clock{now: time.Date(2025, 11, 24, 9, 0, 0, 0, time.UTC)}
				store := secrets.New(rec, prefix, tt.ttl)
				store.Now = clk.Now
				if v, err := store.String(ctx, secrets.DiscordBotToken); err != nil || v != "v1" {
					t.Fatalf("first String = %q, %v", v, err)
				}
				put(t, client, prefix+"/discord/bot-token", "v2")
				var last string
				for _, d := range tt.advance {
					clk.Advance(d)
					v, err := store.String(ctx, secrets.DiscordBotToken)
					if err != nil {
						t.Fatalf("String: %v", err)
					}
					last = v
				}
				if last != tt.wantLast {
					t.Errorf("last String = %q, want %q", last, tt.wantLast)
				}
				if n := len(rec.Calls()); n != tt.wantCalls {
					t.Errorf("GetParameters calls = %d, want %d", n, tt.wantCalls)
				}
			})
		}
	})

	t.Run("missing names", func(t *testing.T) {
		t.Parallel()
		put(t, client, "/missing/present", "present-value-9f8e")
		rec := &recorder{next: client}
		store := secrets.New(rec, "/missing/", time.Hour)
		var short []string
		for i := range 12 {
			short = append(short, fmt.Sprintf("absent-%02d", i))
		}
		got, err := store.Get(ctx, append([]string{"present"}, short...)...)
		if !errors.Is(err, secrets.ErrNotFound) {
			t.Fatalf("Get error = %v, want ErrNotFound", err)
		}
		if got != nil {
			t.Errorf("Get returned %v with an error", got)
		}
		var nf *secrets.NotFoundError
		if !errors.As(err, &nf) || len(nf.Names) != len(short) || nf.Names[0] != "/missing/absent-00" {
			t.Errorf("NotFoundError %+v, want the %d full names of the missing parameters", nf, len(short))
		}
		msg := err.Error()
		for _, name := range short {
			if !strings.Contains(msg, "/missing/"+name) {
				t.Errorf("error %q does not name /missing/%s", msg, name)
			}
		}
		if strings.Contains(msg, "/missing/present") {
			t.Errorf("error %q names a parameter that exists", msg)
		}
		if strings.Contains(msg, "present-value-9f8e") {
			t.Errorf("error %q contains a secret value", msg)
		}
		// What was found is cached all the same.
		if v, err := store.String(ctx, "present"); err != nil || v != "present-value-9f8e" {
			t.Errorf("String(present) = %q, %v", v, err)
		}
		if n := len(rec.Calls()); n != 2 {
			t.Errorf("GetParameters calls = %d, want 2 (13 names in two batches, then cached)", n)
		}
	})

	t.Run("concurrent Gets share one fetch", func(t *testing.T) {
		t.Parallel()
		put(t, client, "/concurrent/a", "value-a")
		put(t, client, "/concurrent/b", "value-b")
		rec := &recorder{next: client}
		store := secrets.New(rec, "/concurrent", time.Hour)
		want := map[string]string{"a": "value-a", "b": "value-b"}
		var wg sync.WaitGroup
		results := make([]map[string]string, 16)
		errs := make([]error, 16)
		for i := range results {
			wg.Go(func() { results[i], errs[i] = store.Get(ctx, "a", "b") })
		}
		wg.Wait()
		for i := range results {
			if errs[i] != nil {
				t.Errorf("Get %d: %v", i, errs[i])
			}
			if diff := cmp.Diff(want, results[i]); diff != "" {
				t.Errorf("Get %d mismatch (-want +got):\n%s", i, diff)
			}
		}
		if n := len(rec.Calls()); n != 1 {
			t.Errorf("GetParameters calls = %d, want 1", n)
		}
	})
}

func TestStoreErrors(t *testing.T) {
	t.Parallel()
	const secretValue = "s3cr3t-value-that-must-not-leak"
	sdkErr := errors.New("operation error SSM: GetParameters, https response error StatusCode: 400, api error ValidationException")
	tests := []struct {
		name     string
		client   getParametersFunc
		ctx      func() context.Context
		wantIs   error
		wantText []string
	}{
		{
			name: "SDK error names the batch",
			client: func(context.Context, *ssm.GetParametersInput) (*ssm.GetParametersOutput, error) {
				return nil, sdkErr
			},
			wantIs:   sdkErr,
			wantText: []string{"get SSM parameters /chatops/discord/bot-token, /chatops/github/webhook-secret: ", "ValidationException"},
		},
		{
			name: "invalid parameters beside a value",
			client: func(_ context.Context, in *ssm.GetParametersInput) (*ssm.GetParametersOutput, error) {
				return &ssm.GetParametersOutput{
					Parameters:        []ssmtypes.Parameter{{Name: aws.String(in.Names[0]), Value: aws.String(secretValue)}},
					InvalidParameters: in.Names[1:],
				}, nil
			},
			wantIs:   secrets.ErrNotFound,
			wantText: []string{"/chatops/github/webhook-secret"},
		},
		{
			name: "a name SSM leaves out counts as missing",
			client: func(_ context.Context, in *ssm.GetParametersInput) (*ssm.GetParametersOutput, error) {
				return &ssm.GetParametersOutput{
					Parameters: []ssmtypes.Parameter{{Name: aws.String(in.Names[0]), Value: aws.String(secretValue)}},
				}, nil
			},
			wantIs:   secrets.ErrNotFound,
			wantText: []string{"/chatops/github/webhook-secret"},
		},
		{
			name: "canceled context",
			client: func(ctx context.Context, _ *ssm.GetParametersInput) (*ssm.GetParametersOutput, error) {
				return nil, ctx.Err()
			},
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			wantIs: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			store := secrets.New(tt.client, "", time.Hour)
			got, err := store.Get(ctx, secrets.DiscordBotToken, secrets.GitHubWebhookSecret)
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("Get error = %v, want %v", err, tt.wantIs)
			}
			if got != nil {
				t.Errorf("Get returned %v with an error", got)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if strings.Contains(err.Error(), secretValue) {
				t.Errorf("error %q contains the secret value", err)
			}
		})
	}
}

func TestFullName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix, name, want string
	}{
		{prefix: "", name: secrets.DiscordBotToken, want: "/chatops/discord/bot-token"},
		{prefix: "/chatops/", name: secrets.GitHubPrivateKey, want: "/chatops/github/private-key"},
		{prefix: "chatops", name: secrets.GitHubWebhookSecret, want: "/chatops/github/webhook-secret"},
		{prefix: "/prod/chatops", name: "/discord/bot-token", want: "/prod/chatops/discord/bot-token"},
		{prefix: "/", name: "discord/bot-token", want: "/discord/bot-token"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix+"|"+tt.name, func(t *testing.T) {
			t.Parallel()
			if got := secrets.New(nil, tt.prefix, 0).FullName(tt.name); got != tt.want {
				t.Errorf("FullName = %q, want %q", got, tt.want)
			}
		})
	}
}
