package status

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var end = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// ramp is one point a minute over the hour before end, from lo to hi, skipping the last
// skip minutes.
func ramp(lo, hi float64, skip int) []Point {
	var ps []Point
	for i := range 60 - skip {
		ps = append(ps, Point{T: end.Add(-Window + time.Duration(i+1)*time.Minute), V: lo + (hi-lo)*float64(i)/59})
	}
	return ps
}

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rep  Report
	}{
		{"ec2-mixed", Report{
			Target: Target{Kind: EC2, TagKey: "Name", TagValues: []string{"web-*"}},
			Total:  13,
			End:    end, Start: end.Add(-Window),
			Resources: []Resource{
				{ID: "i-0123456789abcdef0", Name: "web-1", State: asWritten("running"), Detail: asWritten("t3.micro"),
					CPU: Series{Points: ramp(5, 40, 0)}, Memory: Series{Points: ramp(60, 75, 0)}},
				{ID: "i-0123456789abcdef1", Name: "web-2", State: asWritten("running"), Detail: asWritten("t3.micro"),
					CPU:    Series{Points: ramp(50, 97, 0)},
					Memory: Series{Unavailable: command.T("status.unavailable.agent")}},
				{ID: "i-0123456789abcdef2", Name: "web-3", State: asWritten("stopped"), Detail: asWritten("t3.micro"),
					CPU: Series{Points: ramp(10, 20, 40)}, Memory: Series{}},
			},
		}},
		{"ecs-not-found", Report{
			Target: Target{Kind: ECS, Services: []ECSService{{"prod", "api"}, {"prod", "gone"}}},
			Total:  1, NotFound: []string{"prod/gone"},
			End: end, Start: end.Add(-Window),
			Resources: []Resource{{ID: "prod/api", Name: "api", State: command.T("status.ecs.tasks", i18n.Args{"Running": 2, "Desired": 2, "Pending": 0, "Status": ""}), Detail: asWritten("FARGATE"),
				CPU: Series{Points: ramp(10, 12, 3)}, Memory: Series{Points: ramp(30, 31, 3)}}},
		}},
		{"eks-no-insights", Report{
			Target: Target{Kind: EKS, Clusters: []string{"prod-eks"}},
			Total:  1, End: end, Start: end.Add(-Window),
			Resources: []Resource{{ID: "prod-eks", Name: "prod-eks", State: asWritten("ACTIVE"), Detail: command.T("status.eks.version", i18n.Args{"Version": "1.31"}),
				CPU:    Series{Unavailable: command.T("status.unavailable.insights")},
				Memory: Series{Unavailable: command.T("status.unavailable.insights")}}},
		}},
	}
	c := texts()
	for _, tt := range tests {
		for _, lang := range i18n.Languages() {
			t.Run(tt.name+"/"+string(lang), func(t *testing.T) {
				t.Parallel()
				got, err := json.MarshalIndent(Render(c.Printer(lang), tt.rep), "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(got), "[status.") || strings.Contains(string(got), "[command.") {
					t.Errorf("a text is missing from the catalog:\n%s", got)
				}
				golden(t, filepath.Join("testdata", "golden", "render-"+tt.name+"."+string(lang)+".json"), got)
			})
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	i18ntest.Check(t, path, append(got, '\n'), *update)
}

func TestColour(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sums []Summary
		want int
	}{
		{"no data is grey, never green", []Summary{{}, {}}, discord.ColorGrey},
		{"stale data is grey", []Summary{{N: 10, Max: 99}}, discord.ColorGrey},
		{"below 70 is green", []Summary{{HasNow: true, Now: 69.9}, {}}, discord.ColorGreen},
		{"70 is yellow", []Summary{{HasNow: true, Now: 10}, {HasNow: true, Now: 70}}, discord.ColorYellow},
		{"the worst wins", []Summary{{HasNow: true, Now: 95}, {HasNow: true, Now: 10}}, discord.ColorRed},
		{"90 is red", []Summary{{HasNow: true, Now: 90}}, discord.ColorRed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := colour(tt.sums...); got != tt.want {
				t.Errorf("colour = %#x, want %#x", got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    Series
		want Summary
	}{
		{"empty", Series{}, Summary{}},
		{"recent", Series{Points: []Point{{end.Add(-30 * time.Minute), 10}, {end.Add(-2 * time.Minute), 30}}},
			Summary{Now: 30, HasNow: true, Age: 2 * time.Minute, Min: 10, Avg: 20, Max: 30, N: 2}},
		{"stale", Series{Points: []Point{{end.Add(-30 * time.Minute), 10}, {end.Add(-11 * time.Minute), 50}}},
			Summary{Age: 11 * time.Minute, Min: 10, Avg: 30, Max: 50, N: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, Summarize(tt.s, end)); diff != "" {
				t.Errorf("Summarize mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHeaders writes the first line of the answer for each kind, one resource, several and a
// scan cut short, in each language, to testdata/golden/headers.<lang>.txt.
func TestHeaders(t *testing.T) {
	t.Parallel()
	c := texts()
	targets := []Target{
		{Kind: EC2, TagKey: "Name", TagValues: []string{"web-*"}},
		{Kind: ECS, Services: []ECSService{{"prod", "api"}}},
		{Kind: EKS, Clusters: []string{"prod-eks"}},
	}
	for _, lang := range i18n.Languages() {
		var b strings.Builder
		for _, tg := range targets {
			for _, rep := range []Report{
				{Target: tg, Total: 1, Resources: make([]Resource, 1)},
				{Target: tg, Total: 2, Resources: make([]Resource, 2), NotFound: []string{"gone"}},
				{Target: tg, Total: maxScan, Truncated: true, Resources: make([]Resource, MaxResources)},
			} {
				b.WriteString(header(c.Printer(lang), rep) + "\n")
			}
		}
		if strings.Contains(b.String(), "[status.") {
			t.Errorf("a text is missing from the catalog:\n%s", b.String())
		}
		i18ntest.Check(t, filepath.Join("testdata", "golden", "headers."+string(lang)+".txt"), []byte(b.String()), *update)
	}
}
