package costreport

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/discord-chatops/chatops/shared/costreport/costreporttest"
)

func TestCache(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	out := usageOutput(t, usageResult(period, previous, accountSpend))
	ce := &fakeCE{pages: []*costexplorer.GetCostAndUsageOutput{out}, forecast: costreporttest.Forecast("71.3", "60.1", "82.5")}
	c := NewCache(New(ce, Options{Location: seoul}), 0)
	ctx := context.Background()
	start := instant("2025-10-18T05:00:00Z") // 14:00 KST

	steps := []struct {
		name      string
		now       time.Time
		wantCalls int // GetCostAndUsage requests so far
	}{
		{"first /cost builds", start, 1},
		{"a minute later is cached", start.Add(time.Minute), 1},
		{"just under the TTL is cached", start.Add(DefaultCacheTTL - time.Nanosecond), 1},
		{"at the TTL builds again", start.Add(DefaultCacheTTL), 2},
		{"23:55 KST builds", instant("2025-10-18T14:55:00Z"), 3},
		{"00:00 KST, within the TTL but the next day, builds again", instant("2025-10-18T15:00:00Z"), 4},
		{"a clock that went back builds again", instant("2025-10-18T14:00:00Z"), 5},
	}
	for _, s := range steps {
		rep, err := c.Build(ctx, s.now)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if ce.usageCalls != s.wantCalls {
			t.Errorf("%s: %d GetCostAndUsage requests, want %d", s.name, ce.usageCalls, s.wantCalls)
		}
		if rep.Total == 0 {
			t.Errorf("%s: empty report", s.name)
		}
	}
}

func TestCacheKeepsNoFailure(t *testing.T) {
	t.Parallel()
	ce := &fakeCE{usageErr: errors.New("throttled"), forecast: costreporttest.Forecast("1", "1", "1")}
	c := NewCache(New(ce, Options{Location: seoul}), time.Hour)
	now := instant("2025-10-18T05:00:00Z")
	for range 2 {
		if _, err := c.Build(context.Background(), now); err == nil {
			t.Fatal("Build succeeded against a failing Cost Explorer")
		}
	}
	if ce.usageCalls != 2 {
		t.Errorf("GetCostAndUsage requests = %d, want 2: a failure must not be cached", ce.usageCalls)
	}
}
