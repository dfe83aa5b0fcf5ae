package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/costreport/costreporttest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// costNow is 14:00 KST on October 18th, 2025: the report covers Oct 1 - Oct 17.
var costNow = time.Date(2025, 10, 18, 5, 0, 0, 0, time.UTC)

// seedCost queues in moto the GetCostAndUsage answer of a report built at costNow in Seoul:
// two services, steady spend, more this month than last.
func seedCost(t *testing.T, s *mototest.Server, seoul *time.Location) {
	t.Helper()
	local := costNow.In(seoul)
	period, previous := costreport.Periods(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC))
	costreporttest.Seed(t, s, costreporttest.UsageResult(previous.Start, period.End,
		[]string{"Amazon Elastic Compute Cloud - Compute", "AWS Lambda"},
		func(service string, d time.Time) float64 {
			thisMonth := !d.Before(period.Start)
			switch {
			case service == "AWS Lambda":
				return 0.02
			case thisMonth:
				return 2.1
			}
			return 1.9
		}))
}

// costMoto starts a moto_server holding a month of costs (seedCost) and returns it, the report's
// zone and a Cost Explorer client on it that does not back off between retries.
func costMoto(t *testing.T) (*mototest.Server, *time.Location, costreport.CostExplorerAPI) {
	t.Helper()
	s := mototest.Start(t)
	awsCfg := s.Config(t)
	awsCfg.Retryer = costreporttest.NoBackoff
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	seedCost(t, s, seoul)
	return s, seoul, costreport.NewCostExplorerClient(awsCfg)
}

// TestCostFlow runs /cost through the handler, signed command to edited response, with Cost
// Explorer and the state table in moto. A second /cost the same day must make no Cost
// Explorer request; a forecast Cost Explorer cannot make is part of the report; a Cost
// Explorer failure is a plain message.
func TestCostFlow(t *testing.T) {
	t.Parallel()
	s, seoul, moto := costMoto(t)

	tests := []struct {
		name      string
		ce        *costreporttest.CE
		golden    string // the edit of the first /cost
		wantFirst int    // Cost Explorer requests of the first /cost
		fails     bool
	}{
		{name: "report", ce: &costreporttest.CE{Next: moto, Forecast: costreporttest.Forecast("71.3", "60.1", "82.5")},
			golden: "work-cost.json", wantFirst: 2},
		{name: "forecast unavailable", ce: &costreporttest.CE{Next: moto}, // moto has no GetCostForecast: 500
			golden: "work-cost-no-forecast.json", wantFirst: 2},
		{name: "Cost Explorer fails", ce: &costreporttest.CE{Next: failingCostExplorer{}},
			golden: "work-cost-fails.json", wantFirst: 1, fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{t: costNow}
			inv, d := &fakeInvoker{}, newFakeDiscord(t)
			var logs strings.Builder
			h, err := newHandler(testConfig(), deps{invoker: inv, editor: startDiscord(t, d),
				cost: costreport.New(tt.ce, costreport.Options{Location: seoul}), table: statetest.New(t, s, c.now)},
				slog.New(slog.NewJSONHandler(&logs, nil)), c.now)
			if err != nil {
				t.Fatal(err)
			}
			body := interaction(t, "cost")
			if resp := flow(t, h, inv, c, body); resp.Body != `{"type":5}` {
				t.Fatalf("/cost acknowledged with %s, want the public deferred response", resp.Body)
			}
			if len(d.Requests()) != 1 {
				t.Fatalf("%d edits, want 1", len(d.Requests()))
			}
			first, _ := json.MarshalIndent(d.Requests()[0].Message, "", "  ")
			golden(t, tt.golden, first)
			if failed := strings.HasPrefix(d.Requests()[0].Message.Content, "⚠️"); failed != tt.fails ||
				failed && d.Requests()[0].Message.Content != "⚠️ Cost Explorer did not answer: try again in a minute; the daily report is unaffected." {
				t.Errorf("content %q", d.Requests()[0].Message.Content)
			}
			if got := tt.ce.Requests(); got != tt.wantFirst {
				t.Errorf("first /cost made %d Cost Explorer requests, want %d", got, tt.wantFirst)
			}

			c.t = costNow.Add(time.Minute)
			flow(t, h, inv, c, body)
			if len(d.Requests()) != 2 {
				t.Fatalf("%d edits, want 2", len(d.Requests()))
			}
			second, _ := json.Marshal(d.Requests()[1].Message)
			compact, _ := json.Marshal(d.Requests()[0].Message)
			wantMore := 0
			if tt.fails { // failures are not cached: the second /cost asks again
				wantMore = 1
			}
			if got := tt.ce.Requests() - tt.wantFirst; got != wantMore {
				t.Errorf("the second /cost, a minute later, made %d Cost Explorer requests, want %d", got, wantMore)
			}
			if string(second) != string(compact) {
				t.Errorf("the second /cost answered\n%s\nthe first\n%s", second, compact)
			}
			if strings.Contains(logs.String(), tokenOf(t, body)) {
				t.Errorf("the log shows the interaction token:\n%s", logs.String())
			}
		})
	}
}

// TestCostFromColdEnvironments sends /cost to many cold execution environments at different
// hours of one day, each with its own clients and cache over the one state table: Cost
// Explorer is asked once, and every answer shows the same figures and says how old they are.
func TestCostFromColdEnvironments(t *testing.T) {
	t.Parallel()
	s, seoul, moto := costMoto(t)
	client, name := statetest.Create(t, s)
	ce := &costreporttest.CE{Next: moto, Forecast: costreporttest.Forecast("71.3", "60.1", "82.5")}
	d := newFakeDiscord(t)
	c := &clock{t: costNow}

	const environments = 6
	for i := range environments {
		inv := &fakeInvoker{}
		h, err := newHandler(testConfig(), deps{invoker: inv, editor: startDiscord(t, d),
			cost: costreport.New(ce, costreport.Options{Location: seoul}), table: state.New(statetest.Serialize(client), name, c.now)},
			slog.New(slog.NewTextHandler(t.Output(), nil)), c.now)
		if err != nil {
			t.Fatal(err)
		}
		flow(t, h, inv, c, interaction(t, "cost"))
		if got := ce.Requests(); got != 2 {
			t.Errorf("after /cost in %d cold environments, %d Cost Explorer requests; want 2, the first's", i+1, got)
		}
		c.t = c.t.Add(90 * time.Minute) // 14:00 KST to 21:30 KST
	}
	edits := d.Requests()
	if len(edits) != environments {
		t.Fatalf("%d edits, want %d", len(edits), environments)
	}
	first, _ := json.Marshal(edits[0].Message)
	for i, e := range edits {
		got, _ := json.Marshal(e.Message)
		if string(got) != string(first) {
			t.Errorf("environment %d answered\n%s\nthe first\n%s", i+1, got, first)
		}
	}
	if want := "Figures from <t:" + strconv.FormatInt(costNow.Unix(), 10) + ":R>"; !strings.HasSuffix(edits[0].Message.Embeds[0].Description, want) {
		t.Errorf("description %q does not end with %q", edits[0].Message.Embeds[0].Description, want)
	}
}

// failingCostExplorer answers like Cost Explorer when it is down or throttling.
type failingCostExplorer struct{}

var errCostExplorer = errors.New("operation error Cost Explorer: GetCostAndUsage, exceeded maximum number of attempts, 3, https response error StatusCode: 503")

func (failingCostExplorer) GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	return nil, errCostExplorer
}

func (failingCostExplorer) GetCostForecast(context.Context, *costexplorer.GetCostForecastInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	return nil, errCostExplorer
}
