package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/costreport/costreporttest"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	testChannelID = "1300000000000000001"
	testBotToken  = "test-bot-token"
	testPrefix    = "/chatops-test"
)

// newFakeDiscord starts discordtest's Discord, which takes only the bot token from SSM and
// de-duplicates enforce_nonce posts as Discord does. When status is set it answers every
// request with that error instead.
func newFakeDiscord(t *testing.T, status int) *discordtest.Server {
	t.Helper()
	d := discordtest.NewServer(t, discordtest.Options{BotToken: testBotToken})
	if status != 0 {
		d.Intercept(func(discordtest.Request) (discordtest.Reply, bool) {
			return discordtest.Error(status, 0, http.StatusText(status)), true
		})
	}
	return d
}

// account is what the fake account spends a day on each service this month and last month.
var account = map[string][2]float64{
	"Amazon Elastic Compute Cloud - Compute": {2.1, 1.9},
	"Amazon Relational Database Service":     {1.05, 1.05},
	"Amazon Simple Storage Service":          {0.33, 0.35},
	"Amazon CloudWatch":                      {0.15, 0.10},
	"Amazon Virtual Private Cloud":           {0.07, 0.05},
	"AWS Lambda":                             {0.02, 0},
}

// seedAccount queues the account's GetCostAndUsage answer for a report made at now in Seoul.
func seedAccount(t *testing.T, s *mototest.Server, now time.Time) {
	t.Helper()
	local := now.In(mustLoad(t, "Asia/Seoul"))
	period, previous := costreport.Periods(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC))
	names := []string{}
	for name := range account {
		names = append(names, name)
	}
	costreporttest.Seed(t, s, costreporttest.UsageResult(previous.Start, period.End, names, func(service string, d time.Time) float64 {
		switch {
		case !d.Before(period.Start):
			return account[service][0]
		case d.Before(previous.End):
			return account[service][1]
		}
		return 1000 // between the periods: must not be counted
	}))
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// putToken stores the bot token in moto's SSM as the stack's operator would.
func putToken(t *testing.T, cfg aws.Config) {
	t.Helper()
	_, err := ssm.NewFromConfig(cfg).PutParameter(context.Background(), &ssm.PutParameterInput{
		Name:      aws.String(testPrefix + "/discord/bot-token"),
		Value:     aws.String(testBotToken),
		Type:      ssmtypes.ParameterTypeSecureString,
		Overwrite: aws.Bool(true), // tests that share a moto put it more than once
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testHandler builds the handler as main does, from env, aimed at moto and the fake Discord. It
// posts in English unless env sets CHATOPS_LANGUAGE.
func testHandler(t *testing.T, s *mototest.Server, d *discordtest.Server, env map[string]string) (*handler, aws.Config, config) {
	t.Helper()
	_, table := statetest.Create(t, s)
	vars := map[string]string{
		"DISCORD_API_URL":          d.URL,
		"CHATOPS_PARAMETER_PREFIX": testPrefix,
		"DISCORD_CHANNEL_ID":       testChannelID,
		"CHATOPS_TABLE":            table,
		"CHATOPS_LANGUAGE":         "en",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := loadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	awsCfg := s.Config(t)
	awsCfg.Retryer = costreporttest.NoBackoff
	h := newHandler(cfg, awsCfg, slog.New(slog.NewTextHandler(t.Output(), nil)))
	useDiscord(h, d)
	return h, awsCfg, cfg
}

// useDiscord aims h at d, as a fresh execution environment would be: for the posts after a
// first one, a fresh fake Discord that has seen no nonce, so that only the state table can
// keep them from posting.
func useDiscord(h *handler, d *discordtest.Server) {
	o := h.discord.Options
	o.BaseURL = d.URL
	o.Sleep = func(context.Context, time.Duration) error { return nil }
	h.discord = rest.NewBotClients(o)
}

// TestEndToEnd runs the handler main builds against moto (Cost Explorer and the SSM token) and
// the fake Discord, with the Scheduler's {} input: moto has no GetCostForecast, so the report
// goes out saying the forecast is unavailable. It posts in English, and in Korean when
// CHATOPS_LANGUAGE is unset.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	for _, lang := range []struct{ name, env string }{{"en", "en"}, {"ko", ""}} {
		if err := s.Reset(); err != nil {
			t.Fatal(err)
		}
		d := newFakeDiscord(t, 0)
		h, awsCfg, _ := testHandler(t, s, d, map[string]string{"CHATOPS_LANGUAGE": lang.env})
		putToken(t, awsCfg)
		now := time.Date(2025, 10, 18, 0, 0, 0, 0, time.UTC) // 09:00 KST
		seedAccount(t, s, now)
		h.now = func() time.Time { return now }

		res, err := h.Handle(context.Background(), json.RawMessage(`{}`))
		if err != nil {
			t.Fatalf("%s: Handle: %v", lang.name, err)
		}
		if want := (result{MessageID: "1400000000000000001", Nonce: nonce("2025-10-18", testChannelID), Period: "Oct 1 - Oct 17"}); res != want {
			t.Errorf("%s: result = %+v, want %+v", lang.name, res, want)
		}
		checkPosts(t, d.Requests(), 1)
		golden(t, lang.name, d.Requests()[0].Body)
	}
}

// TestReports posts the report for the days that matter, with a hand-written GetCostForecast
// over moto's seeded GetCostAndUsage. The subtests share one moto and run in turn.
func TestReports(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	tests := []struct {
		name      string
		event     string
		budget    string
		forecast  costreporttest.ForecastFunc
		wantNonce string
	}{
		{"mid-month at 09:00 KST", `{"now": "2025-10-18T00:00:00Z"}`, "", costreporttest.Forecast("71.3", "60.1", "82.5"), "cost-20251018-"},
		{"the 1st reports the previous full month", `{"now": "2025-11-01T09:00:00+09:00"}`, "", costreporttest.Forecast("118.25", "97", "140.5"), "cost-20251101-"},
		{"00:00 UTC minus a second is 08:59 KST on the 1st", `{"now": "2025-10-31T23:59:59Z"}`, "", costreporttest.Forecast("118.25", "97", "140.5"), "cost-20251101-"},
		{"the last day of the month", `{"now": "2025-10-31T00:00:00Z"}`, "", costreporttest.Forecast("3.9", "3.5", "4.4"), "cost-20251031-"},
		{"forecast over the budget", `{"now": "2025-10-18T00:00:00Z"}`, "100", costreporttest.Forecast("71.3", "60.1", "82.5"), "cost-20251018-"},
		{"no forecast for a new account", `{"now": "2025-10-18T00:00:00Z"}`, "150",
			costreporttest.ForecastError(&types.DataUnavailableException{Message: aws.String("Insufficient amount of historical data to generate forecast.")}), "cost-20251018-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range i18n.Languages() {
				if err := s.Reset(); err != nil {
					t.Fatal(err)
				}
				d := newFakeDiscord(t, 0)
				h, awsCfg, cfg := testHandler(t, s, d, map[string]string{"MONTHLY_BUDGET_USD": tt.budget, "CHATOPS_LANGUAGE": string(lang)})
				putToken(t, awsCfg)
				now, err := h.parse(json.RawMessage(tt.event))
				if err != nil {
					t.Fatal(err)
				}
				seedAccount(t, s, now)
				ce := &costreporttest.CE{Next: costreport.NewCostExplorerClient(awsCfg), Forecast: tt.forecast}
				h.reporter = costreport.New(ce, cfg.report)

				res, err := h.Handle(context.Background(), json.RawMessage(tt.event))
				if err != nil {
					t.Fatalf("%s: Handle: %v", lang, err)
				}
				if !strings.HasPrefix(res.Nonce, tt.wantNonce) {
					t.Errorf("%s: nonce = %q, want it to start %q", lang, res.Nonce, tt.wantNonce)
				}
				if n := ce.Requests(); n != 2 {
					t.Errorf("%s: Cost Explorer requests = %d, want 2 (one GetCostAndUsage, one GetCostForecast)", lang, n)
				}
				checkPosts(t, d.Requests(), 1)
				golden(t, string(lang), d.Requests()[0].Body)
			}
		})
	}
}

// checkPosts checks every request is a message-create Discord accepts: the path, the bot
// token, the User-Agent, and a body within the OpenAPI extract, deduplicated by nonce and
// pinging nobody.
func checkPosts(t *testing.T, posts []discordtest.Request, want int) {
	t.Helper()
	if len(posts) != want {
		t.Fatalf("Discord received %d requests, want %d", len(posts), want)
	}
	schema := loadMessageSchema(t)
	for _, p := range posts {
		if p.Method != http.MethodPost || p.Path != "/api/v10/channels/"+testChannelID+"/messages" {
			t.Errorf("request %s %s, want POST /api/v10/channels/%s/messages", p.Method, p.Path, testChannelID)
		}
		if auth := p.Header.Get("Authorization"); auth != "Bot "+testBotToken {
			t.Errorf("Authorization = %q, want the bot token from SSM", auth)
		}
		if ua := p.Header.Get("User-Agent"); !strings.HasPrefix(ua, "DiscordBot (") {
			t.Errorf("User-Agent = %q, want DiscordBot (url, version)", ua)
		}
		if err := schema.check(p.Body); err != nil {
			t.Errorf("body against MessageCreateRequest: %v\n%s", err, p.Body)
		}
		var m struct {
			Nonce           string `json:"nonce"`
			EnforceNonce    bool   `json:"enforce_nonce"`
			AllowedMentions *struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		}
		if err := json.Unmarshal(p.Body, &m); err != nil {
			t.Fatal(err)
		}
		if m.Nonce == "" || len(m.Nonce) > 25 || !m.EnforceNonce {
			t.Errorf("nonce %q, enforce_nonce %v: want a nonce of at most 25 characters, enforced", m.Nonce, m.EnforceNonce)
		}
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
			t.Errorf("allowed_mentions = %+v, want parse []", m.AllowedMentions)
		}
	}
}

func TestNonce(t *testing.T) {
	t.Parallel()
	a := nonce("2025-10-18", testChannelID)
	if len(a) > 25 || !strings.HasPrefix(a, "cost-20251018-") {
		t.Errorf("nonce = %q, want cost-20251018-... within 25 characters", a)
	}
	if a != nonce("2025-10-18", testChannelID) {
		t.Error("nonce is not deterministic")
	}
	if a == nonce("2025-10-19", testChannelID) || a == nonce("2025-10-18", "1300000000000000002") {
		t.Error("nonce does not change with the date and the channel")
	}
}

// TestFailures: a failing Cost Explorer or Discord makes the invocation fail, after bounded
// retries, so that the Scheduler retries and then parks the event in its dead-letter queue.
func TestFailures(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	putToken(t, s.Config(t))
	tests := []struct {
		name        string
		status      int   // Discord's answer
		ceErr       error // Cost Explorer's answer to GetCostAndUsage
		wantErr     string
		wantDiscord int // requests Discord receives
	}{
		{"Discord 503: retried, then an error", http.StatusServiceUnavailable, nil, "post cost report 2025-10-18 to channel " + testChannelID, 1 + discordMaxRetries},
		{"Discord 500: retried, then an error", http.StatusInternalServerError, nil, "post cost report", 1 + discordMaxRetries},
		{"Discord 403: not retried", http.StatusForbidden, nil, "post cost report", 1},
		{"Cost Explorer fails: nothing posted", 0, errors.New("AccessDeniedException: not allowed"), "build cost report: get cost and usage 2025-09-01..2025-10-18", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDiscord(t, tt.status)
			h, _, cfg := testHandler(t, s, d, nil)
			h.reporter = costreport.New(failingCE{usageErr: tt.ceErr}, cfg.report)

			_, err := h.Handle(context.Background(), json.RawMessage(`{"now": "2025-10-18T00:00:00Z"}`))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Handle error = %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testBotToken) {
				t.Errorf("error carries the bot token: %v", err)
			}
			if n := len(d.Requests()); n != tt.wantDiscord {
				t.Errorf("Discord received %d requests, want %d", n, tt.wantDiscord)
			}
		})
	}
}

// failingCE answers GetCostAndUsage with usageErr, or with an empty month, and cannot forecast.
type failingCE struct{ usageErr error }

func (f failingCE) GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	if f.usageErr != nil {
		return nil, f.usageErr
	}
	return &costexplorer.GetCostAndUsageOutput{}, nil
}

func (f failingCE) GetCostForecast(context.Context, *costexplorer.GetCostForecastInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	return nil, &types.DataUnavailableException{Message: aws.String("no data")}
}

// TestEvents: the Scheduler's input is {} or {"now": RFC 3339}; anything else is an error that
// names the problem, before any request is made.
func TestEvents(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2025, 10, 18, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, event string
		want        time.Time
		wantErr     string
	}{
		{"empty object means now", `{}`, fixed, ""},
		{"no payload means now", ``, fixed, ""},
		{"null means now", `null`, fixed, ""},
		{"now in UTC", `{"now": "2025-11-01T00:00:00Z"}`, time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), ""},
		{"now with an offset", `{"now": "2025-11-01T09:00:00+09:00"}`, time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), ""},
		{"not RFC 3339", `{"now": "2025-11-01 09:00"}`, time.Time{}, `"now" "2025-11-01 09:00" is not an RFC 3339 time`},
		{"a number", `{"now": 1761955200}`, time.Time{}, `want {} or {"now": "<RFC 3339 time>"}`},
		{"a misspelt field", `{"time": "2025-11-01T00:00:00Z"}`, time.Time{}, `unknown field "time"`},
		{"not an object", `[]`, time.Time{}, `want {} or {"now": "<RFC 3339 time>"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &handler{now: func() time.Time { return fixed }}
			got, err := h.parse(json.RawMessage(tt.event))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parse error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("parse = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBadEventMakesNoRequest: a bad input fails before Cost Explorer and Discord are asked.
func TestBadEventMakesNoRequest(t *testing.T) {
	t.Parallel()
	ce := &costreporttest.CE{Next: failingCE{}}
	d := newFakeDiscord(t, 0)
	h := &handler{reporter: costreport.New(ce, costreport.Options{}), now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		discord: rest.NewBotClients(rest.Options{BaseURL: d.URL})}
	if _, err := h.Handle(context.Background(), json.RawMessage(`{"now": "yesterday"}`)); err == nil {
		t.Fatal("Handle accepted a bad event")
	}
	if ce.Requests() != 0 || len(d.Requests()) != 0 {
		t.Errorf("requests made: %d to Cost Explorer, %d to Discord", ce.Requests(), len(d.Requests()))
	}
}

// golden compares body, re-indented, with testdata/golden/<test>.<lang>.discord.json, and fails
// when it shows a message id in brackets (a message missing from the catalog).
func golden(t *testing.T, lang string, body []byte) {
	t.Helper()
	if s := string(body); strings.Contains(s, "[costreport.") || strings.Contains(s, "[costcron.") || strings.Contains(s, "[i18n.") {
		t.Errorf("the post shows a message id:\n%s", s)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	name := filepath.Join("testdata", "golden", strings.NewReplacer("/", "__", " ", "_", ":", "", "'", "").Replace(t.Name())+"."+lang+".discord.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
