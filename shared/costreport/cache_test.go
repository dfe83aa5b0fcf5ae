package costreport

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/costreport/costreporttest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// accountCE is a Cost Explorer answering one page of accountSpend for October 18th and a
// forecast, counting its requests.
func accountCE(t *testing.T) *fakeCE {
	t.Helper()
	period, previous := Periods(day("2025-10-18"))
	return &fakeCE{pages: []*costexplorer.GetCostAndUsageOutput{usageOutput(t, usageResult(period, previous, accountSpend))},
		forecast: costreporttest.Forecast("71.3", "60.1", "82.5")}
}

func (f *fakeCE) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.usageCalls + f.forecastCalls
}

// environment is one execution environment: its own Reporter, Table client and Cache on the
// shared table name, as every cold Lambda environment builds them.
func environment(t *testing.T, client *dynamodb.Client, name string, clock *statetest.Clock, ce CostExplorerAPI) *Cache {
	t.Helper()
	return NewCache(New(ce, Options{Location: seoul}), state.New(statetest.Serialize(client), name, clock.Now), slog.New(slog.NewTextHandler(t.Output(), nil)))
}

// messageJSON is what Discord would receive for rep.
func messageJSON(t *testing.T, rep Report) string {
	t.Helper()
	b, err := json.Marshal(rep.AgedMessage(i18n.NewCatalog(Messages()).Printer(i18n.English)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCacheSharedAcrossEnvironments is /cost from many cold environments and the daily
// report over one day and into the next: Cost Explorer is asked once a report day.
func TestCacheSharedAcrossEnvironments(t *testing.T) {
	t.Parallel()
	client, name := statetest.Create(t, mototest.Start(t))
	clock := statetest.NewClock(instant("2025-10-17T23:00:00Z")) // Oct 18, 08:00 KST
	ce := accountCE(t)                                           // one account: every environment's requests count together
	ctx := context.Background()

	first, err := environment(t, client, name, clock, ce).Build(ctx, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := ce.requests(); got != 2 {
		t.Fatalf("the first /cost made %d Cost Explorer requests, want 2 (one GetCostAndUsage page, one GetCostForecast)", got)
	}
	want := messageJSON(t, first)

	steps := []struct {
		name    string
		advance time.Duration
		envs    int // cold environments asking at this time
		want    int // Cost Explorer requests so far
	}{
		{"ten more cold environments at 08:00", 0, 10, 2},
		{"the daily report at 09:00", time.Hour, 1, 2},
		{"/cost at 23:59", 14*time.Hour + 59*time.Minute, 5, 2},
		{"the next day at 00:00 builds once", time.Minute, 5, 4},
		{"and its daily report reads it", 9 * time.Hour, 1, 4},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		for range s.envs {
			rep, err := environment(t, client, name, clock, ce).Build(ctx, clock.Now())
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if rep.Key() != clock.Now().In(seoul).Format(time.DateOnly) {
				t.Errorf("%s: the report of %s, want today's", s.name, rep.Key())
			}
			if s.want == 2 && messageJSON(t, rep) != want {
				t.Errorf("%s: the message read from the table\n%s\ndiffers from the one built\n%s", s.name, messageJSON(t, rep), want)
			}
		}
		if got := ce.requests(); got != s.want {
			t.Errorf("%s: %d Cost Explorer requests so far, want %d", s.name, got, s.want)
		}
	}
}

// TestCacheWarmEnvironment reads the table once a day: the entry never changes once written.
func TestCacheWarmEnvironment(t *testing.T) {
	t.Parallel()
	var gets int
	var mu sync.Mutex
	client, name := statetest.Create(t, mototest.Start(t))
	clock := statetest.NewClock(instant("2025-10-18T05:00:00Z"))
	counting := fakeAPI{next: statetest.Serialize(client), get: func() { mu.Lock(); gets++; mu.Unlock() }}
	ce := accountCE(t)
	c := NewCache(New(ce, Options{Location: seoul}), state.New(counting, name, clock.Now), nil)
	for range 3 {
		if _, err := c.Build(context.Background(), clock.Now()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
	}
	if gets != 1 || ce.requests() != 2 {
		t.Errorf("three /cost in one environment: %d table reads and %d Cost Explorer requests, want 1 and 2", gets, ce.requests())
	}
}

// blockingCE holds its first GetCostAndUsage until release is closed, having closed started:
// a build caught in the middle, with no timing involved.
type blockingCE struct {
	*fakeCE
	once             sync.Once
	started, release chan struct{}
}

func (b *blockingCE) GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	b.once.Do(func() {
		close(b.started)
		<-b.release
	})
	return b.fakeCE.GetCostAndUsage(ctx, in, optFns...)
}

// TestCacheConcurrentMisses has a second cold environment miss while the first builds: it
// does not build when it has the previous day's report to answer with, and builds when not.
func TestCacheConcurrentMisses(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	tests := []struct {
		name          string
		yesterday     bool // a report of Oct 17 is in the table
		wantSecondCE  int
		wantSecondDay string
	}{
		{"the previous day's report answers", true, 0, "2025-10-17"},
		{"no previous report: build anyway", false, 2, "2025-10-18"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, name := statetest.Create(t, moto)
			clock := statetest.NewClock(instant("2025-10-17T00:00:00Z")) // Oct 17, 09:00 KST
			ctx := context.Background()
			if tt.yesterday {
				if _, err := environment(t, client, name, clock, accountCE(t)).Build(ctx, clock.Now()); err != nil {
					t.Fatal(err)
				}
			}
			clock.Advance(24 * time.Hour)

			first := &blockingCE{fakeCE: accountCE(t), started: make(chan struct{}), release: make(chan struct{})}
			done := make(chan error, 1)
			go func() {
				_, err := environment(t, client, name, clock, first).Build(ctx, clock.Now())
				done <- err
			}()
			<-first.started // the first holds the claim and is asking Cost Explorer

			second := accountCE(t)
			rep, err := environment(t, client, name, clock, second).Build(ctx, clock.Now())
			close(first.release)
			if err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if got := second.requests(); got != tt.wantSecondCE {
				t.Errorf("the second environment made %d Cost Explorer requests, want %d", got, tt.wantSecondCE)
			}
			if rep.Key() != tt.wantSecondDay {
				t.Errorf("the second environment answered with the report of %s, want %s", rep.Key(), tt.wantSecondDay)
			}
			if got := first.requests(); got != 2 {
				t.Errorf("the first environment made %d Cost Explorer requests, want 2", got)
			}

			third := accountCE(t)
			if rep, err := environment(t, client, name, clock, third).Build(ctx, clock.Now()); err != nil || rep.Key() != "2025-10-18" || third.requests() != 0 {
				t.Errorf("after the build, a third environment: report %s, %d Cost Explorer requests, %v; want today's from the table", rep.Key(), third.requests(), err)
			}
		})
	}
}

// TestCacheKeepsNoFailure: a failed build is not stored and frees its claim, so the next
// environment asks Cost Explorer again at once.
func TestCacheKeepsNoFailure(t *testing.T) {
	t.Parallel()
	client, name := statetest.Create(t, mototest.Start(t))
	clock := statetest.NewClock(instant("2025-10-18T05:00:00Z"))
	ce := &fakeCE{usageErr: errors.New("throttled"), forecast: costreporttest.Forecast("1", "1", "1")}
	for range 2 {
		if _, err := environment(t, client, name, clock, ce).Build(context.Background(), clock.Now()); err == nil {
			t.Fatal("Build succeeded against a failing Cost Explorer")
		}
	}
	if ce.usageCalls != 2 {
		t.Errorf("GetCostAndUsage requests = %d, want 2: a failure must be neither stored nor left claimed", ce.usageCalls)
	}
}

// fakeAPI is a state.API whose calls fail with err, or go to next when err is nil; get
// counts reads.
type fakeAPI struct {
	next     state.API
	getErr   error
	writeErr error
	get      func()
}

func (f fakeAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if f.get != nil {
		f.get()
	}
	if f.getErr != nil {
		return nil, f.getErr
	}
	if f.next == nil {
		return &dynamodb.GetItemOutput{}, nil
	}
	return f.next.GetItem(ctx, in, optFns...)
}

func (f fakeAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if f.writeErr != nil || f.next == nil {
		return nil, f.writeErr
	}
	return f.next.PutItem(ctx, in, optFns...)
}

func (f fakeAPI) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if f.writeErr != nil || f.next == nil {
		return nil, f.writeErr
	}
	return f.next.DeleteItem(ctx, in, optFns...)
}

func (f fakeAPI) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return f.next.Query(ctx, in, optFns...)
}

// TestCacheTableUnavailable: when DynamoDB throttles or fails, the report is still built and
// answered, a warning logged, and the environment remembers it for the day.
func TestCacheTableUnavailable(t *testing.T) {
	t.Parallel()
	throttled := &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "GetItem", Err: &smithy.GenericAPIError{Code: "ThrottlingException"}}
	internal := &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "PutItem", Err: &smithy.GenericAPIError{Code: "InternalServerError"}}
	tests := []struct {
		name string
		api  fakeAPI
	}{
		{"reads throttled", fakeAPI{getErr: throttled, writeErr: throttled}},
		{"writes fail", fakeAPI{writeErr: internal}}, // the read finds nothing; claim and store fail
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !state.Unavailable(tt.api.writeErr) {
				t.Fatalf("%v is not unavailability", tt.api.writeErr)
			}
			now := instant("2025-10-18T05:00:00Z")
			var logs strings.Builder
			ce := accountCE(t)
			c := NewCache(New(ce, Options{Location: seoul}), state.New(tt.api, "chatops", func() time.Time { return now }), slog.New(slog.NewJSONHandler(&logs, nil)))
			for range 2 {
				rep, err := c.Build(context.Background(), now)
				if err != nil || rep.Total == 0 {
					t.Fatalf("Build = %v total, %v; want the report", rep.Total, err)
				}
			}
			if got := ce.requests(); got != 2 {
				t.Errorf("%d Cost Explorer requests, want 2: one build, remembered", got)
			}
			if !strings.Contains(logs.String(), `"level":"WARN"`) {
				t.Errorf("no warning logged:\n%s", logs.String())
			}
		})
	}
}

// TestReportJSON round-trips a report whose forecast failed: everything the message and the
// log show survives, the forecast's error as its text.
func TestReportJSON(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	ce := &fakeCE{pages: []*costexplorer.GetCostAndUsageOutput{usageOutput(t, usageResult(period, previous, accountSpend))},
		forecast: costreporttest.ForecastError(errors.New("operation error Cost Explorer: GetCostForecast, StatusCode: 500"))}
	r := New(ce, Options{Location: seoul, MonthlyBudget: 50})
	rep, err := r.Build(context.Background(), instant("2025-10-18T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Forecast.Available || rep.Forecast.Err == nil {
		t.Fatalf("forecast %+v, want unavailable with an error", rep.Forecast)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var got Report
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	got.AsOf = got.AsOf.In(seoul) // as the cache does: JSON keeps the offset, not the zone
	errText := cmp.Comparer(func(a, b error) bool { return a == nil && b == nil || a != nil && b != nil && a.Error() == b.Error() })
	if diff := cmp.Diff(rep, got, errText); diff != "" {
		t.Errorf("round trip (-built +read):\n%s", diff)
	}
	if messageJSON(t, got) != messageJSON(t, rep) {
		t.Errorf("the message changed in the round trip:\n%s\n%s", messageJSON(t, rep), messageJSON(t, got))
	}
}
