package costreport

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/discord-chatops/chatops/shared/costreport/costreporttest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var seoul = mustLoad("Asia/Seoul")

var approx = cmpopts.EquateApprox(0, 1e-9)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPeriods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		today            string
		period, previous Period
	}{
		{"mid-month", "2025-10-18", Period{day("2025-10-01"), day("2025-10-18")}, Period{day("2025-09-01"), day("2025-09-18")}},
		{"the 2nd: one day", "2025-10-02", Period{day("2025-10-01"), day("2025-10-02")}, Period{day("2025-09-01"), day("2025-09-02")}},
		{"the 1st: previous full month", "2025-11-01", Period{day("2025-10-01"), day("2025-11-01")}, Period{day("2025-09-01"), day("2025-10-01")}},
		{"the 1st of January: December", "2026-01-01", Period{day("2025-12-01"), day("2026-01-01")}, Period{day("2025-11-01"), day("2025-12-01")}},
		{"last day of a 31-day month after a 30-day one", "2025-10-31", Period{day("2025-10-01"), day("2025-10-31")}, Period{day("2025-09-01"), day("2025-10-01")}},
		{"March 31: February is cut at its end", "2025-03-31", Period{day("2025-03-01"), day("2025-03-31")}, Period{day("2025-02-01"), day("2025-03-01")}},
		{"the 1st of March: full February against January's first 28 days", "2025-03-01", Period{day("2025-02-01"), day("2025-03-01")}, Period{day("2025-01-01"), day("2025-01-29")}},
		{"leap day", "2024-02-29", Period{day("2024-02-01"), day("2024-02-29")}, Period{day("2024-01-01"), day("2024-01-29")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			period, previous := Periods(day(tt.today))
			if diff := cmp.Diff(tt.period, period); diff != "" {
				t.Errorf("period (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.previous, previous); diff != "" {
				t.Errorf("previous (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPeriodString(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    Period
		want string
	}{
		{Period{day("2025-10-01"), day("2025-10-18")}, "Oct 1 - Oct 17"},
		{Period{day("2025-10-01"), day("2025-10-02")}, "Oct 1"},
		{Period{day("2025-12-01"), day("2026-01-01")}, "Dec 1 - Dec 31"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// spend is what a fake account spends a day on one service in each part of the request range.
type spend struct {
	service  string
	current  float64 // a day in the report's period
	previous float64 // a day in the comparison period
}

// between is a day in the request range that belongs to neither period; the report must not
// count it, so it is large enough to show.
const between = 1000

// accountSpend is the account most cases report on.
var accountSpend = []spend{
	{"Amazon Elastic Compute Cloud - Compute", 2.1, 1.9},
	{"Amazon Relational Database Service", 1.05, 1.05},
	{"Amazon Simple Storage Service", 0.33, 0.35},
	{"Amazon CloudWatch", 0.15, 0.10},
	{"Amazon Virtual Private Cloud", 0.07, 0.05},
	{"AWS Lambda", 0.02, 0},
	{"AWS Key Management Service", 0.01, 0.01},
	{"Amazon Route 53", 0, 0.02},
}

// usageResult is the account's GetCostAndUsage answer for a report over period and previous:
// every day from previous.Start to period.End, as the report requests them.
func usageResult(period, previous Period, services []spend) map[string]any {
	names := make([]string, len(services))
	byName := map[string]spend{}
	for i, s := range services {
		names[i] = s.service
		byName[s.service] = s
	}
	return costreporttest.UsageResult(previous.Start, period.End, names, func(service string, d time.Time) float64 {
		switch {
		case !d.Before(period.Start):
			return byName[service].current
		case d.Before(previous.End):
			return byName[service].previous
		}
		return between
	})
}

func interval(start, end string) *types.DateInterval {
	return &types.DateInterval{Start: aws.String(start), End: aws.String(end)}
}

// TestBuildAgainstMoto builds reports from a real moto_server's GetCostAndUsage (seeded) and a
// hand-written GetCostForecast, checking the requests, the sums and the message (golden).
// The subtests share one server and run in turn: moto's queue of results is global.
func TestBuildAgainstMoto(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	cfg := s.Config(t)
	cfg.Retryer = costreporttest.NoBackoff
	client := NewCostExplorerClient(cfg)
	texts := i18n.NewCatalog(Messages())

	tests := []struct {
		name     string
		now      string
		loc      *time.Location
		budget   float64
		forecast costreporttest.ForecastFunc // nil: moto's

		wantUsage        *types.DateInterval // the one GetCostAndUsage's period
		wantForecast     *types.DateInterval // nil: no forecast request
		wantPeriod       Period
		wantFull         bool
		wantTotal        float64
		wantPrevious     float64
		wantForecastMean float64
		wantReason       string
	}{
		{
			name: "mid-month at 09:00 KST", now: "2025-10-18T00:00:00Z", loc: seoul, budget: 150,
			forecast:  costreporttest.Forecast("71.3", "60.1", "82.5"),
			wantUsage: interval("2025-09-01", "2025-10-18"), wantForecast: interval("2025-10-18", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-18")},
			wantTotal:  17 * 3.73, wantPrevious: 17 * 3.48, wantForecastMean: 17*3.73 + 71.3,
		},
		{
			name: "the 1st reports the previous full month", now: "2025-11-01T00:00:00Z", loc: seoul,
			forecast:  costreporttest.Forecast("118.25", "97", "140.5"),
			wantUsage: interval("2025-09-01", "2025-11-01"), wantForecast: interval("2025-11-01", "2025-12-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-11-01")}, wantFull: true,
			wantTotal: 31 * 3.73, wantPrevious: 30 * 3.48, wantForecastMean: 118.25,
		},
		{
			name: "a second before 00:00 UTC on the 1st is already the 1st in Seoul", now: "2025-10-31T23:59:59Z", loc: seoul,
			forecast:  costreporttest.Forecast("118.25", "97", "140.5"),
			wantUsage: interval("2025-09-01", "2025-11-01"), wantForecast: interval("2025-11-01", "2025-12-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-11-01")}, wantFull: true,
			wantTotal: 31 * 3.73, wantPrevious: 30 * 3.48, wantForecastMean: 118.25,
		},
		{
			name: "the same instant in UTC is still the last day", now: "2025-10-31T23:59:59Z", loc: time.UTC,
			forecast:  costreporttest.Forecast("3.9", "3.5", "4.4"),
			wantUsage: interval("2025-09-01", "2025-10-31"), wantForecast: interval("2025-10-31", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-31")},
			wantTotal:  30 * 3.73, wantPrevious: 30 * 3.48, wantForecastMean: 30*3.73 + 3.9,
		},
		{
			name: "the last day forecasts one day", now: "2025-10-31T00:00:00Z", loc: seoul, budget: 100,
			forecast:  costreporttest.Forecast("3.9", "3.5", "4.4"),
			wantUsage: interval("2025-09-01", "2025-10-31"), wantForecast: interval("2025-10-31", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-31")},
			wantTotal:  30 * 3.73, wantPrevious: 30 * 3.48, wantForecastMean: 30*3.73 + 3.9,
		},
		{
			name: "forecast over budget", now: "2025-10-18T00:00:00Z", loc: seoul, budget: 100,
			forecast:  costreporttest.Forecast("71.3", "60.1", "82.5"),
			wantUsage: interval("2025-09-01", "2025-10-18"), wantForecast: interval("2025-10-18", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-18")},
			wantTotal:  17 * 3.73, wantPrevious: 17 * 3.48, wantForecastMean: 17*3.73 + 71.3,
		},
		{
			name: "new account: no history to forecast", now: "2025-10-18T00:00:00Z", loc: seoul, budget: 150,
			forecast:  costreporttest.ForecastError(&types.DataUnavailableException{Message: aws.String("Insufficient amount of historical data to generate forecast.")}),
			wantUsage: interval("2025-09-01", "2025-10-18"), wantForecast: interval("2025-10-18", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-18")},
			wantTotal:  17 * 3.73, wantPrevious: 17 * 3.48, wantReason: reasonNoHistory,
		},
		{
			name: "moto cannot forecast", now: "2025-10-18T00:00:00Z", loc: seoul,
			wantUsage: interval("2025-09-01", "2025-10-18"), wantForecast: interval("2025-10-18", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-18")},
			wantTotal:  17 * 3.73, wantPrevious: 17 * 3.48, wantReason: reasonFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Reset(); err != nil {
				t.Fatal(err)
			}
			now := instant(tt.now)
			period, previous := Periods(date(now.In(tt.loc)))
			costreporttest.Seed(t, s, usageResult(period, previous, accountSpend))
			ce := &costreporttest.CE{Next: client, Forecast: tt.forecast}

			rep, err := New(ce, Options{Location: tt.loc, MonthlyBudget: tt.budget}).Build(context.Background(), now)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}

			wantUsage := costexplorer.GetCostAndUsageInput{
				TimePeriod:  tt.wantUsage,
				Granularity: types.GranularityDaily,
				Metrics:     []string{"UnblendedCost"},
				GroupBy:     []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}},
			}
			if diff := cmp.Diff([]costexplorer.GetCostAndUsageInput{wantUsage}, ce.Usage(), cmpopts.IgnoreUnexported(costexplorer.GetCostAndUsageInput{}, types.DateInterval{}, types.GroupDefinition{})); diff != "" {
				t.Errorf("GetCostAndUsage requests (-want +got):\n%s", diff)
			}
			var wantForecasts []costexplorer.GetCostForecastInput
			if tt.wantForecast != nil {
				wantForecasts = append(wantForecasts, costexplorer.GetCostForecastInput{
					TimePeriod:              tt.wantForecast,
					Granularity:             types.GranularityMonthly,
					Metric:                  types.MetricUnblendedCost,
					PredictionIntervalLevel: aws.Int32(80),
				})
			}
			if diff := cmp.Diff(wantForecasts, ce.Forecasts(), cmpopts.IgnoreUnexported(costexplorer.GetCostForecastInput{}, types.DateInterval{})); diff != "" {
				t.Errorf("GetCostForecast requests (-want +got):\n%s", diff)
			}

			if diff := cmp.Diff(tt.wantPeriod, rep.Period); diff != "" {
				t.Errorf("period (-want +got):\n%s", diff)
			}
			if rep.FullMonth != tt.wantFull {
				t.Errorf("FullMonth = %v, want %v", rep.FullMonth, tt.wantFull)
			}
			if !cmp.Equal(rep.Total, tt.wantTotal, approx) || !cmp.Equal(rep.PreviousTotal, tt.wantPrevious, approx) {
				t.Errorf("totals = %v against %v, want %v against %v", rep.Total, rep.PreviousTotal, tt.wantTotal, tt.wantPrevious)
			}
			if rep.Forecast.Reason != tt.wantReason || rep.Forecast.Available != (tt.wantReason == "") {
				t.Errorf("forecast available %v, reason %q; want reason %q", rep.Forecast.Available, rep.Forecast.Reason, tt.wantReason)
			}
			if tt.wantReason == "" && !cmp.Equal(rep.Forecast.Mean, tt.wantForecastMean, approx) {
				t.Errorf("forecast mean = %v, want %v", rep.Forecast.Mean, tt.wantForecastMean)
			}
			if tt.wantReason != "" && rep.Forecast.Err == nil {
				t.Error("unavailable forecast carries no error for the log")
			}
			if !rep.Estimated {
				t.Error("Estimated = false, want true: the period's last day is estimated")
			}
			for _, l := range i18n.Languages() {
				m := rep.Message(texts.Printer(l))
				noPlaceholders(t, m)
				golden(t, string(l), m)
			}
		})
	}
}

func TestBuildServices(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	out := usageOutput(t, usageResult(period, previous, accountSpend))
	ce := &fakeCE{pages: []*costexplorer.GetCostAndUsageOutput{out}, forecast: costreporttest.ForecastError(errors.New("unused"))}
	rep, err := New(ce, Options{Location: seoul}).Build(context.Background(), instant("2025-10-18T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	want := []ServiceCost{
		{"Amazon Elastic Compute Cloud - Compute", 17 * 2.1, 17 * 1.9},
		{"Amazon Relational Database Service", 17 * 1.05, 17 * 1.05},
		{"Amazon Simple Storage Service", 17 * 0.33, 17 * 0.35},
		{"Amazon CloudWatch", 17 * 0.15, 17 * 0.10},
		{"Amazon Virtual Private Cloud", 17 * 0.07, 17 * 0.05},
		{"AWS Lambda", 17 * 0.02, 0},
		{"AWS Key Management Service", 17 * 0.01, 17 * 0.01},
		{"Amazon Route 53", 0, 17 * 0.02},
	}
	if diff := cmp.Diff(want, rep.Services, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
}

// usageOutput decodes a Cost Explorer answer the way the SDK does, through moto's JSON shape.
func usageOutput(t *testing.T, result map[string]any) *costexplorer.GetCostAndUsageOutput {
	t.Helper()
	raw, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	var out costexplorer.GetCostAndUsageOutput
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// fakeCE answers GetCostAndUsage from pages in order and counts the requests.
type fakeCE struct {
	pages    []*costexplorer.GetCostAndUsageOutput
	usageErr error
	forecast func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error)

	mu            sync.Mutex
	tokens        []string
	usageCalls    int
	forecastCalls int
}

func (f *fakeCE) GetCostAndUsage(_ context.Context, in *costexplorer.GetCostAndUsageInput, _ ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.usageCalls++
	f.tokens = append(f.tokens, aws.ToString(in.NextPageToken))
	if f.usageErr != nil {
		return nil, f.usageErr
	}
	return f.pages[min(f.usageCalls, len(f.pages))-1], nil
}

func (f *fakeCE) GetCostForecast(_ context.Context, in *costexplorer.GetCostForecastInput, _ ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	f.mu.Lock()
	f.forecastCalls++
	f.mu.Unlock()
	return f.forecast(in)
}

// golden compares v, as indented JSON, with testdata/golden/<test>.<lang>.json.
func golden(t *testing.T, lang string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	name := filepath.Join("testdata", "golden", sanitize(t.Name())+"."+lang+".json")
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

func sanitize(name string) string {
	out := []rune{}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			out = append(out, r)
		default:
			out = append(out, '_')
		}
	}
	return string(out)
}
