package costreport

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

// printer speaks l from a catalog of this package's messages, as a binary's catalog would.
func printer(l i18n.Language) *i18n.Printer { return i18n.NewCatalog(Messages()).Printer(l) }

// TestTextsComplete fails when a message of the report lacks either language, or when the code
// asks for one that no file has.
func TestTextsComplete(t *testing.T) {
	t.Parallel()
	i18ntest.Complete(t, i18n.NewCatalog(Messages()), ".")
}

// noPlaceholders fails t when m shows a message id in brackets: a message the catalog lacks,
// or whose template failed.
func noPlaceholders(t *testing.T, m discord.Message) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "[costreport.") || strings.Contains(s, "[i18n.") {
		t.Errorf("message shows a message id:\n%s", s)
	}
}

func TestMoney(t *testing.T) {
	t.Parallel()
	en, ko := printer(i18n.English), printer(i18n.Korean)
	for _, tt := range []struct {
		unit string
		v    float64
		want string
		p    *i18n.Printer
	}{
		{"USD", 63.274, "$63.27", en},
		{"USD", 1234567.891, "$1,234,567.89", en},
		{"USD", 999.995, "$1,000.00", en},
		{"USD", -3, "-$3.00", en},
		{"USD", -0.001, "$0.00", en},
		{"USD", 0.0000001, "$0.00", en},
		{"EUR", 12, "12.00 EUR", en},
		{"USD", 63.274, "63.27달러", ko},
		{"USD", -3, "-3.00달러", ko},
		{"", 1234.5, "1,234.50달러", ko},
		{"EUR", -12, "-12.00 EUR", ko},
	} {
		if got := (Report{Unit: tt.unit}).money(tt.p, tt.v); got != tt.want {
			t.Errorf("%s money(%v %s) = %q, want %q", tt.p.Language(), tt.v, tt.unit, got, tt.want)
		}
	}
}

func TestChange(t *testing.T) {
	t.Parallel()
	en, ko := printer(i18n.English), printer(i18n.Korean)
	for _, tt := range []struct {
		cur, prev float64
		want      string
		p         *i18n.Printer
	}{
		{112, 100, "+12%", en},
		{97, 100, "-3%", en},
		{100.2, 100, "±0%", en},
		{5, 0, "new", en},
		{0, 0, "", en},
		{0, 4, "-100%", en},
		{5, 0, "신규", ko},
		{112, 100, "+12%", ko},
	} {
		if got := change(tt.p, tt.cur, tt.prev); got != tt.want {
			t.Errorf("%s change(%v, %v) = %q, want %q", tt.p.Language(), tt.cur, tt.prev, got, tt.want)
		}
	}
}

// TestHeadline: the Korean headline is the design brief's sentence, the spend rounded to the
// dollar and the exact amount beside it; a spend under a dollar, none at all, or one day read
// as Korean says them. English keeps its "**period: amount**".
func TestHeadline(t *testing.T) {
	t.Parallel()
	en, ko := printer(i18n.English), printer(i18n.Korean)
	oct18, _ := Periods(day("2025-10-18"))
	oct2, _ := Periods(day("2025-10-02"))
	for _, tt := range []struct {
		name   string
		period Period
		total  float64
		p      *i18n.Printer
		want   string
	}{
		{"brief", oct18, 63.41, ko, "**10월 1일부터 10월 17일까지 약 63달러를 사용했습니다** (63.41달러)"},
		{"rounded up, grouped", oct18, 1234.5, ko, "**10월 1일부터 10월 17일까지 약 1,235달러를 사용했습니다** (1,234.50달러)"},
		{"under a dollar", oct18, 0.42, ko, "**10월 1일부터 10월 17일까지 0.42달러를 사용했습니다**"},
		{"nothing", oct18, 0, ko, "**10월 1일부터 10월 17일까지 사용한 비용은 0.00달러입니다**"},
		{"one day", oct2, 3.73, ko, "**10월 1일에 약 4달러를 사용했습니다** (3.73달러)"},
		{"English", oct18, 63.41, en, "**Oct 1 - Oct 17: $63.41**"},
		{"English, one day", oct2, 0.42, en, "**Oct 1: $0.42**"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := Report{Period: tt.period, Total: tt.total, Unit: "USD"}
			got, _, _ := strings.Cut(rep.summary(tt.p), "\n")
			if got != tt.want {
				t.Errorf("headline = %q, want %q", got, tt.want)
			}
		})
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
	for _, tt := range []struct {
		lang                            i18n.Language
		description, services, forecast string
	}{
		{i18n.English, "**Oct 1 - Oct 17: $0.00**\nNo spend in Sep 1 - Sep 17 to compare with", "No spend in Oct 1 - Oct 17.", "Unavailable: "},
		{i18n.Korean, "**10월 1일부터 10월 17일까지 사용한 비용은 0.00달러입니다**\n9월 1일~9월 17일에는 비교할 지출이 없습니다", "10월 1일~10월 17일에는 지출이 없습니다.", "예측할 수 없습니다: "},
	} {
		m := rep.Message(printer(tt.lang))
		e := m.Embeds[0]
		if m.Content != "" {
			t.Errorf("%s: content = %q, want none without a budget", tt.lang, m.Content)
		}
		if e.Description != tt.description {
			t.Errorf("%s: description = %q, want %q", tt.lang, e.Description, tt.description)
		}
		if got := e.Fields[len(e.Fields)-1].Value; got != tt.services {
			t.Errorf("%s: services = %q, want %q", tt.lang, got, tt.services)
		}
		if got := e.Fields[0].Value; !strings.HasPrefix(got, tt.forecast) || strings.Contains(got, "\n") {
			t.Errorf("%s: forecast = %q, want it unavailable in one line", tt.lang, got)
		}
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
	for lang, want := range map[i18n.Language]string{i18n.English: "295 other services", i18n.Korean: "그 밖의 서비스 295개"} {
		m := rep.Message(printer(lang))
		for _, f := range m.Embeds[0].Fields {
			if n := len([]rune(f.Value)); n > 1024 {
				t.Errorf("%s: field %q value has %d characters, over 1024", lang, f.Name, n)
			}
		}
		if got := m.Embeds[0].Fields[len(m.Embeds[0].Fields)-1].Value; !strings.Contains(got, want) {
			t.Errorf("%s: services field does not sum up the rest: %q", lang, got)
		}
	}
}

// TestMessageKinds writes the messages TestBuildAgainstMoto's reports do not reach, in both
// languages (golden): /cost's aged report, the spend itself over budget, one other service,
// a service new this month, a forecast without a range, no day left to forecast.
func TestMessageKinds(t *testing.T) {
	t.Parallel()
	texts := i18n.NewCatalog(Messages())
	period, previous := Periods(day("2025-10-18"))
	month := Period{day("2025-10-01"), day("2025-11-01")}
	base := Report{
		AsOf: instant("2025-10-18T00:00:00Z").In(seoul), Period: period, Previous: previous, Unit: "USD",
		Total: 63.41, PreviousTotal: 59.16, Estimated: true,
		Services: []ServiceCost{
			{"Amazon Elastic Compute Cloud - Compute", 35.70, 32.30},
			{"Amazon Relational Database Service", 17.85, 17.85},
			{"Amazon Simple Storage Service", 5.61, 5.95},
			{"Amazon CloudWatch", 2.55, 1.70},
			{"Amazon Virtual Private Cloud", 1.19, 0.85},
			{"AWS Lambda", 0.34, 0},
		},
		Forecast: Forecast{Month: month, Available: true, Mean: 134.71, Low: 123.51, High: 145.91},
	}
	tests := []struct {
		name string
		edit func(*Report)
		aged bool
	}{
		{"aged", func(*Report) {}, true},
		{"spend over budget", func(r *Report) { r.Budget = 50 }, false},
		{"no range, final figures", func(r *Report) { r.Forecast.Low, r.Forecast.High, r.Estimated = 0, 0, false }, false},
		{"no day left to forecast", func(r *Report) { r.Forecast = Forecast{Month: month, Reason: reasonMonthOver}; r.Budget = 150 }, false},
		{"nothing last month", func(r *Report) { r.PreviousTotal = 0; r.Services[0].Previous = 0 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := base
			rep.Services = append([]ServiceCost(nil), base.Services...)
			tt.edit(&rep)
			for _, l := range i18n.Languages() {
				m := rep.Message(texts.Printer(l))
				if tt.aged {
					m = rep.AgedMessage(texts.Printer(l))
				}
				noPlaceholders(t, m)
				golden(t, string(l), m)
			}
		})
	}
}

// TestNilPrinter: a report rendered without a catalog shows ids, never English passed off as
// the reader's language, and does not panic.
func TestNilPrinter(t *testing.T) {
	t.Parallel()
	period, previous := Periods(day("2025-10-18"))
	m := Report{AsOf: instant("2025-10-18T00:00:00Z").In(seoul), Period: period, Previous: previous, Unit: "USD"}.AgedMessage(nil)
	if !strings.Contains(m.Embeds[0].Title, "[costreport.title]") {
		t.Errorf("title = %q, want the id in brackets", m.Embeds[0].Title)
	}
}
