// Package costreporttest helps tests of code that builds cost reports: it writes Cost Explorer
// GetCostAndUsage answers in the JSON shape moto_server replays, queues them in moto, and wraps
// a Cost Explorer client to record its requests and stand in for GetCostForecast, which moto
// does not implement.
//
// Response shape: https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html
// moto's queue: POST /moto-api/static/ce/cost-and-usage-results with {"results": [...]}; each
// distinct request takes the next result (moto/moto_api/_internal/responses.py, moto 5.2.1).
package costreporttest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/discord-chatops/chatops/shared/mototest"
)

// UsageResult is a GetCostAndUsage answer as Cost Explorer writes it for DAILY granularity
// grouped by SERVICE: one ResultsByTime entry a day in [start, end), one group a service with
// amount(service, day) as UnblendedCost, Total empty because of the grouping. The last day is
// Estimated, as recent days are.
func UsageResult(start, end time.Time, services []string, amount func(service string, day time.Time) float64) map[string]any {
	days := []map[string]any{}
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		groups := []map[string]any{}
		for _, s := range services {
			groups = append(groups, map[string]any{
				"Keys":    []string{s},
				"Metrics": map[string]any{"UnblendedCost": map[string]string{"Amount": fmt.Sprintf("%.10f", amount(s, d)), "Unit": "USD"}},
			})
		}
		next := d.AddDate(0, 0, 1)
		days = append(days, map[string]any{
			"TimePeriod": map[string]string{"Start": d.Format(time.DateOnly), "End": next.Format(time.DateOnly)},
			"Total":      map[string]any{},
			"Groups":     groups,
			"Estimated":  next.Equal(end),
		})
	}
	return map[string]any{
		"GroupDefinitions":         []map[string]string{{"Type": "DIMENSION", "Key": "SERVICE"}},
		"ResultsByTime":            days,
		"DimensionValueAttributes": []any{},
	}
}

// Seed queues results for moto's GetCostAndUsage.
func Seed(tb testing.TB, s *mototest.Server, results ...map[string]any) {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"results": results})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Post("/moto-api/static/ce/cost-and-usage-results", string(body)); err != nil {
		tb.Fatal(err)
	}
}

// NoBackoff is an aws.Config Retryer that keeps the SDK's bounded attempts (3) but does not
// wait between them, so tests of failures run at once.
func NoBackoff() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// API is the Cost Explorer client's pair of methods a report calls.
type API interface {
	GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
	GetCostForecast(ctx context.Context, in *costexplorer.GetCostForecastInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error)
}

// ForecastFunc answers a GetCostForecast request.
type ForecastFunc func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error)

// Forecast answers like GetCostForecast with MONTHLY granularity: one result over the request's
// period with the given mean and prediction interval.
func Forecast(mean, low, high string) ForecastFunc {
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

// ForecastError answers every GetCostForecast with err.
func ForecastError(err error) ForecastFunc {
	return func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error) { return nil, err }
}

// CE passes requests on to Next (a client aimed at moto) and records them. When Forecast is set
// it answers GetCostForecast instead of Next.
type CE struct {
	Next     API
	Forecast ForecastFunc

	mu        sync.Mutex
	usage     []costexplorer.GetCostAndUsageInput
	forecasts []costexplorer.GetCostForecastInput
}

// GetCostAndUsage records in and asks Next.
func (c *CE) GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	c.mu.Lock()
	c.usage = append(c.usage, *in)
	c.mu.Unlock()
	return c.Next.GetCostAndUsage(ctx, in, optFns...)
}

// GetCostForecast records in and answers with Forecast, or asks Next.
func (c *CE) GetCostForecast(ctx context.Context, in *costexplorer.GetCostForecastInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	c.mu.Lock()
	c.forecasts = append(c.forecasts, *in)
	c.mu.Unlock()
	if c.Forecast != nil {
		return c.Forecast(in)
	}
	return c.Next.GetCostForecast(ctx, in, optFns...)
}

// Usage returns the GetCostAndUsage requests so far.
func (c *CE) Usage() []costexplorer.GetCostAndUsageInput {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]costexplorer.GetCostAndUsageInput(nil), c.usage...)
}

// Forecasts returns the GetCostForecast requests so far.
func (c *CE) Forecasts() []costexplorer.GetCostForecastInput {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]costexplorer.GetCostForecastInput(nil), c.forecasts...)
}

// Requests is how many Cost Explorer requests were made: what the report cost, at $0.01 each.
func (c *CE) Requests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.usage) + len(c.forecasts)
}
