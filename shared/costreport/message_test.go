package costreport

import (
	"strings"
	"testing"
)

func TestMoney(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		unit string
		v    float64
		want string
	}{
		{"USD", 63.274, "$63.27"},
		{"USD", 1234567.891, "$1,234,567.89"},
		{"USD", 999.995, "$1,000.00"},
		{"USD", -3, "-$3.00"},
		{"USD", -0.001, "$0.00"},
		{"USD", 0.0000001, "$0.00"},
		{"EUR", 12, "12.00 EUR"},
	} {
		if got := (Report{Unit: tt.unit}).money(tt.v); got != tt.want {
			t.Errorf("money(%v %s) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}

func TestChange(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cur, prev float64
		want      string
	}{
		{112, 100, "+12%"},
		{97, 100, "-3%"},
		{100.2, 100, "±0%"},
		{5, 0, "new"},
		{0, 0, ""},
		{0, 4, "-100%"},
	} {
		if got := change(tt.cur, tt.prev); got != tt.want {
			t.Errorf("change(%v, %v) = %q, want %q", tt.cur, tt.prev, got, tt.want)
		}
	}
}

// TestMessageQuietAccount covers the account with nothing spent: no services, no comparison.
func TestMessageQuietAccount(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	rep := Report{
		AsOf: instant("2025-10-18T00:00:00Z").In(seoul), Period: period, Previous: previous, Unit: "USD",
		Forecast: Forecast{Month: Period{day("2025-10-01"), day("2025-11-01")}, Reason: reasonNoHistory},
	}
	m := rep.Message()
	e := m.Embeds[0]
	if m.Content != "" {
		t.Errorf("content = %q, want none without a budget", m.Content)
	}
	if want := "**Oct 1 - Oct 17: $0.00**\nNo spend in Sep 1 - Sep 17 to compare with"; e.Description != want {
		t.Errorf("description = %q, want %q", e.Description, want)
	}
	if got := e.Fields[len(e.Fields)-1].Value; got != "No spend in Oct 1 - Oct 17." {
		t.Errorf("services = %q", got)
	}
	if got := e.Fields[0].Value; !strings.HasPrefix(got, "Unavailable: ") {
		t.Errorf("forecast = %q, want it unavailable in one line", got)
	}
}

// TestMessageLimits feeds service names and counts past Discord's limits through Message.
func TestMessageLimits(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	rep := Report{AsOf: instant("2025-10-18T00:00:00Z").In(seoul), Period: period, Previous: previous, Unit: "USD"}
	for i := range 300 {
		rep.Services = append(rep.Services, ServiceCost{Name: strings.Repeat("Service ", 40) + string(rune('a'+i%26)), Amount: float64(300 - i)})
	}
	m := rep.Message()
	for _, f := range m.Embeds[0].Fields {
		if n := len([]rune(f.Value)); n > 1024 {
			t.Errorf("field %q value has %d characters, over 1024", f.Name, n)
		}
	}
	if got := m.Embeds[0].Fields[len(m.Embeds[0].Fields)-1].Value; !strings.Contains(got, "295 other services") {
		t.Errorf("services field does not sum up the rest: %q", got)
	}
}
