package costreport

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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

// usageResult is a GetCostAndUsage answer as Cost Explorer writes it (and moto replays it):
// one ResultsByTime entry a day, one group a service, the total empty because of GroupBy.
// The last day of the period is Estimated, as recent days are.
func usageResult(period, previous Period, services []spend) map[string]any {
	var days []map[string]any
	for d := previous.Start; d.Before(period.End); d = d.AddDate(0, 0, 1) {
		groups := []map[string]any{}
		for _, s := range services {
			amount := float64(between)
			switch {
			case !d.Before(period.Start):
				amount = s.current
			case d.Before(previous.End):
				amount = s.previous
			}
			groups = append(groups, map[string]any{
				"Keys":    []string{s.service},
				"Metrics": map[string]any{"UnblendedCost": map[string]string{"Amount": fmt.Sprintf("%.10f", amount), "Unit": "USD"}},
			})
		}
		days = append(days, map[string]any{
			"TimePeriod": map[string]string{"Start": d.Format(time.DateOnly), "End": d.AddDate(0, 0, 1).Format(time.DateOnly)},
			"Total":      map[string]any{},
			"Groups":     groups,
			"Estimated":  d.Equal(period.End.AddDate(0, 0, -1)),
		})
	}
	return map[string]any{
		"GroupDefinitions":         []map[string]string{{"Type": "DIMENSION", "Key": "SERVICE"}},
		"ResultsByTime":            days,
		"DimensionValueAttributes": []any{},
	}
}

// seed queues results for moto's GetCostAndUsage: each distinct request takes the next one.
func seed(t *testing.T, s *mototest.Server, results ...map[string]any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"results": results})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Post("/moto-api/static/ce/cost-and-usage-results", string(body)); err != nil {
		t.Fatal(err)
	}
}

// noBackoff keeps the SDK's bounded retries but without waiting between them.
func noBackoff() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// recorder passes calls on to the real client (moto) and records them; forecast, when set,
// stands in for GetCostForecast, which moto does not implement.
type recorder struct {
	ce       CostExplorerAPI
	forecast func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error)

	mu        sync.Mutex
	usageIn   []costexplorer.GetCostAndUsageInput
	forecasts []costexplorer.GetCostForecastInput
}

func (r *recorder) GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	r.mu.Lock()
	r.usageIn = append(r.usageIn, *in)
	r.mu.Unlock()
	return r.ce.GetCostAndUsage(ctx, in, optFns...)
}

func (r *recorder) GetCostForecast(ctx context.Context, in *costexplorer.GetCostForecastInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	r.mu.Lock()
	r.forecasts = append(r.forecasts, *in)
	r.mu.Unlock()
	if r.forecast != nil {
		return r.forecast(in)
	}
	return r.ce.GetCostForecast(ctx, in, optFns...)
}

// forecastOf answers like GetCostForecast with MONTHLY granularity over in's period.
func forecastOf(mean, low, high string) func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error) {
	return func(in *costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error) {
		return &costexplorer.GetCostForecastOutput{
			Total: &types.MetricValue{Amount: aws.String(mean), Unit: aws.String("USD")},
			ForecastResultsByTime: []types.ForecastResult{{
				TimePeriod:                   in.TimePeriod,
				MeanValue:                    aws.String(mean),
				PredictionIntervalLowerBound: aws.String(low),
				PredictionIntervalUpperBound: aws.String(high),
			}},
		}, nil
	}
}

func forecastError(err error) func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error) {
	return func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error) { return nil, err }
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
	cfg.Retryer = noBackoff
	client := NewCostExplorerClient(cfg)

	tests := []struct {
		name     string
		now      string
		loc      *time.Location
		budget   float64
		forecast func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error) // nil: moto's

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
			forecast:  forecastOf("71.3", "60.1", "82.5"),
			wantUsage: interval("2025-09-01", "2025-10-18"), wantForecast: interval("2025-10-18", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-18")},
			wantTotal:  17 * 3.73, wantPrevious: 17 * 3.48, wantForecastMean: 17*3.73 + 71.3,
		},
		{
			name: "the 1st reports the previous full month", now: "2025-11-01T00:00:00Z", loc: seoul,
			forecast:  forecastOf("118.25", "97", "140.5"),
			wantUsage: interval("2025-09-01", "2025-11-01"), wantForecast: interval("2025-11-01", "2025-12-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-11-01")}, wantFull: true,
			wantTotal: 31 * 3.73, wantPrevious: 30 * 3.48, wantForecastMean: 118.25,
		},
		{
			name: "a second before 00:00 UTC on the 1st is already the 1st in Seoul", now: "2025-10-31T23:59:59Z", loc: seoul,
			forecast:  forecastOf("118.25", "97", "140.5"),
			wantUsage: interval("2025-09-01", "2025-11-01"), wantForecast: interval("2025-11-01", "2025-12-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-11-01")}, wantFull: true,
			wantTotal: 31 * 3.73, wantPrevious: 30 * 3.48, wantForecastMean: 118.25,
		},
		{
			name: "the same instant in UTC is still the last day", now: "2025-10-31T23:59:59Z", loc: time.UTC,
			forecast:  forecastOf("3.9", "3.5", "4.4"),
			wantUsage: interval("2025-09-01", "2025-10-31"), wantForecast: interval("2025-10-31", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-31")},
			wantTotal:  30 * 3.73, wantPrevious: 30 * 3.48, wantForecastMean: 30*3.73 + 3.9,
		},
		{
			name: "the last day forecasts one day", now: "2025-10-31T00:00:00Z", loc: seoul, budget: 100,
			forecast:  forecastOf("3.9", "3.5", "4.4"),
			wantUsage: interval("2025-09-01", "2025-10-31"), wantForecast: interval("2025-10-31", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-31")},
			wantTotal:  30 * 3.73, wantPrevious: 30 * 3.48, wantForecastMean: 30*3.73 + 3.9,
		},
		{
			name: "forecast over budget", now: "2025-10-18T00:00:00Z", loc: seoul, budget: 100,
			forecast:  forecastOf("71.3", "60.1", "82.5"),
			wantUsage: interval("2025-09-01", "2025-10-18"), wantForecast: interval("2025-10-18", "2025-11-01"),
			wantPeriod: Period{day("2025-10-01"), day("2025-10-18")},
			wantTotal:  17 * 3.73, wantPrevious: 17 * 3.48, wantForecastMean: 17*3.73 + 71.3,
		},
		{
			name: "new account: no history to forecast", now: "2025-10-18T00:00:00Z", loc: seoul, budget: 150,
			forecast:  forecastError(&types.DataUnavailableException{Message: aws.String("Insufficient amount of historical data to generate forecast.")}),
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
			seed(t, s, usageResult(period, previous, accountSpend))
			ce := &recorder{ce: client, forecast: tt.forecast}

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
			if diff := cmp.Diff([]costexplorer.GetCostAndUsageInput{wantUsage}, ce.usageIn, cmpopts.IgnoreUnexported(costexplorer.GetCostAndUsageInput{}, types.DateInterval{}, types.GroupDefinition{})); diff != "" {
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
			if diff := cmp.Diff(wantForecasts, ce.forecasts, cmpopts.IgnoreUnexported(costexplorer.GetCostForecastInput{}, types.DateInterval{})); diff != "" {
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
			golden(t, rep.Message())
		})
	}
}

func TestBuildServices(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	out := usageOutput(t, usageResult(period, previous, accountSpend))
	ce := &fakeCE{pages: []*costexplorer.GetCostAndUsageOutput{out}, forecast: forecastError(errors.New("unused"))}
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

func golden(t *testing.T, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	name := filepath.Join("testdata", "golden", sanitize(t.Name())+".json")
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
