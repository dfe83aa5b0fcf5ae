package costreport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/costreport/costreporttest"
	"github.com/discord-chatops/chatops/shared/mototest"
)

// TestRequestsPerReport counts what a report costs: one GetCostAndUsage page and one
// GetCostForecast; a second page (moto replays a NextPageToken) adds one request.
func TestRequestsPerReport(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	cfg := s.Config(t)
	cfg.Retryer = costreporttest.NoBackoff
	now := instant("2025-10-18T00:00:00Z")
	period, previous := Periods(day("2025-10-18"))

	// The account's services split over two pages, as Cost Explorer splits long answers.
	first := usageResult(period, previous, accountSpend[:4])
	first["NextPageToken"] = "page-2"
	second := usageResult(period, previous, accountSpend[4:])
	costreporttest.Seed(t, s, first, second)

	ce := &costreporttest.CE{Next: NewCostExplorerClient(cfg), Forecast: costreporttest.Forecast("71.3", "60.1", "82.5")}
	rep, err := New(ce, Options{Location: seoul}).Build(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	usage := ce.Usage()
	if got := ce.Requests(); got != 3 {
		t.Errorf("requests = %d (%d GetCostAndUsage, %d GetCostForecast), want 3", got, len(usage), len(ce.Forecasts()))
	}
	if len(usage) == 2 && aws.ToString(usage[1].NextPageToken) != "page-2" {
		t.Errorf("second page token = %q, want page-2", aws.ToString(usage[1].NextPageToken))
	}
	if len(rep.Services) != len(accountSpend) {
		t.Errorf("services = %d, want %d from both pages", len(rep.Services), len(accountSpend))
	}
	if want := 17 * 3.73; !cmp.Equal(rep.Total, want, approx) {
		t.Errorf("total = %v, want %v", rep.Total, want)
	}
}

func TestTooManyPages(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	page := usageResult(period, previous, accountSpend)
	page["NextPageToken"] = "more"
	ce := &fakeCE{pages: []*costexplorer.GetCostAndUsageOutput{usageOutput(t, page)}, forecast: costreporttest.Forecast("1", "1", "1")}

	_, err := New(ce, Options{Location: seoul, MaxPages: 3}).Build(context.Background(), instant("2025-10-18T00:00:00Z"))
	if !errors.Is(err, ErrTooManyPages) {
		t.Fatalf("Build error = %v, want ErrTooManyPages", err)
	}
	if ce.usageCalls != 3 || ce.forecastCalls != 0 {
		t.Errorf("requests: %d GetCostAndUsage, %d GetCostForecast; want 3 and 0", ce.usageCalls, ce.forecastCalls)
	}
}

func TestUsageFailureIsAnError(t *testing.T) {
	t.Parallel()
	ce := &fakeCE{usageErr: errors.New("AccessDeniedException: not authorized to perform ce:GetCostAndUsage"), forecast: costreporttest.Forecast("1", "1", "1")}
	_, err := New(ce, Options{Location: seoul}).Build(context.Background(), instant("2025-10-18T00:00:00Z"))
	if err == nil || !strings.Contains(err.Error(), "get cost and usage 2025-09-01..2025-10-18") {
		t.Fatalf("Build error = %v, want the failed request named", err)
	}
	if ce.forecastCalls != 0 {
		t.Errorf("forecast requested after usage failed")
	}
}

func TestCancelledForecastIsAnError(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	ctx, cancel := context.WithCancel(context.Background())
	ce := &fakeCE{
		pages: []*costexplorer.GetCostAndUsageOutput{usageOutput(t, usageResult(period, previous, accountSpend))},
		forecast: func(*costexplorer.GetCostForecastInput) (*costexplorer.GetCostForecastOutput, error) {
			cancel()
			return nil, context.Canceled
		},
	}
	if _, err := New(ce, Options{Location: seoul}).Build(ctx, instant("2025-10-18T00:00:00Z")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Build error = %v, want context.Canceled", err)
	}
}

// TestClientRetriesWithinBounds aims the real client at a Cost Explorer that always answers 500:
// the SDK tries 3 times, signs for us-east-1 whatever the configured Region, and the report fails.
func TestClientRetriesWithinBounds(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var scopes []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		scopes = append(scopes, r.Header.Get("X-Amz-Target")+" "+credentialScope(r.Header.Get("Authorization")))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"__type":"InternalServerError","message":"boom"}`))
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "ap-northeast-2",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      costreporttest.NoBackoff,
	}

	_, err := New(NewCostExplorerClient(cfg), Options{Location: seoul}).Build(context.Background(), instant("2025-10-18T00:00:00Z"))
	if err == nil {
		t.Fatal("Build succeeded against a failing Cost Explorer")
	}
	want := []string{
		"AWSInsightsIndexService.GetCostAndUsage us-east-1/ce",
		"AWSInsightsIndexService.GetCostAndUsage us-east-1/ce",
		"AWSInsightsIndexService.GetCostAndUsage us-east-1/ce",
	}
	if diff := cmp.Diff(want, scopes); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// credentialScope is the "region/service" of a SigV4 Authorization header.
func credentialScope(auth string) string {
	_, rest, _ := strings.Cut(auth, "Credential=")
	parts := strings.Split(strings.Split(rest, ",")[0], "/")
	if len(parts) < 4 {
		return ""
	}
	return parts[2] + "/" + parts[3]
}

// TestClientHonoursEndpointVariables builds the client the way the functions do, from
// config.LoadDefaultConfig and the environment: AWS_ENDPOINT_URL_COST_EXPLORER aims it at a
// stand-in while the request is still signed for us-east-1, not the Lambda's Region.
// Not parallel: it sets environment variables.
func TestClientHonoursEndpointVariables(t *testing.T) {
	var mu sync.Mutex
	var scopes []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		scopes = append(scopes, credentialScope(r.Header.Get("Authorization")))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Write([]byte(`{"ResultsByTime": [], "DimensionValueAttributes": []}`))
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_REGION", "ap-northeast-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens: the specific variable must win
	t.Setenv("AWS_ENDPOINT_URL_COST_EXPLORER", srv.URL)

	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewCostExplorerClient(cfg).GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{
		TimePeriod:  interval("2025-10-01", "2025-10-18"),
		Granularity: types.GranularityDaily,
		Metrics:     []string{"UnblendedCost"},
	})
	if err != nil {
		t.Fatalf("GetCostAndUsage: %v", err)
	}
	if diff := cmp.Diff([]string{"us-east-1/ce"}, scopes); diff != "" {
		t.Errorf("requests' credential scopes (-want +got):\n%s", diff)
	}
}
