package costreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Message words the report as one Discord embed in p's language, within Discord's limits and
// pinging nobody. When the spend or the forecast passes the budget, the message's content says
// so above the embed. The caller adds what its endpoint needs (a nonce, flags). p comes from a
// catalog that holds Messages(); a nil p shows every text as its message id.
func (r Report) Message(p *i18n.Printer) discord.Message { return r.message(p, "") }

// AgedMessage is Message with a last line saying how old the figures are, "Figures from
// <t:1760749200:R>" / "<t:1760749200:R>에 집계한 수치입니다": a Discord timestamp that each
// reader's client words relative to their own now ("3 hours ago", "3시간 전"). /cost answers
// with it, since it may serve a report built hours before.
//
// See https://discord.com/developers/docs/reference#message-formatting-timestamp-styles
func (r Report) AgedMessage(p *i18n.Printer) discord.Message {
	return r.message(p, p.T("costreport.aged", i18n.Args{"Unix": strconv.FormatInt(r.AsOf.Unix(), 10)}))
}

func (r Report) message(p *i18n.Printer, last string) discord.Message {
	description := r.summary(p)
	if last != "" {
		description += "\n" + last
	}
	e := discord.Embed{
		Title:       r.title(p),
		Description: description,
		Color:       discord.ColorGreen,
		Timestamp:   r.AsOf.Format(time.RFC3339),
		Footer:      &discord.EmbedFooter{Text: r.footer(p)},
	}
	e.Fields = append(e.Fields, discord.EmbedField{Name: p.T("costreport.forecast.name", i18n.Args{"Month": monthName(p, r.Forecast.Month.Start)}), Value: r.forecastLine(p)})
	if !r.Forecast.Available {
		e.Color = discord.ColorYellow
	}
	if r.Budget > 0 {
		e.Fields = append(e.Fields, discord.EmbedField{Name: p.T("costreport.budget.name"), Value: r.budgetLine(p)})
	}
	e.Fields = append(e.Fields, discord.EmbedField{Name: p.T("costreport.services.name", i18n.Args{"Previous": span(p, r.Previous)}), Value: r.servicesLines(p)})

	m := discord.Message{Embeds: []discord.Embed{e}, AllowedMentions: discord.NoMentions()}
	if r.OverBudget() {
		m.Embeds[0].Color = discord.ColorRed
		m.Content = r.budgetAlert(p)
	}
	return m.Fit()
}

// span words a period for people, last day included: "Oct 1 - Oct 17" / "10월 1일~10월 17일".
func span(p *i18n.Printer, period Period) string {
	last := period.End.AddDate(0, 0, -1)
	if last.Equal(period.Start) {
		return p.Day(period.Start)
	}
	return p.T("costreport.span", i18n.Args{"From": p.Day(period.Start), "To": p.Day(last)})
}

// during is the period as the headline's sentence takes it: "Oct 1 - Oct 17" / "10월 1일부터
// 10월 17일까지", "10월 1일에" for one day.
func during(p *i18n.Printer, period Period) string {
	last := period.End.AddDate(0, 0, -1)
	if last.Equal(period.Start) {
		return p.T("costreport.during.day", i18n.Args{"From": p.Day(period.Start)})
	}
	return p.T("costreport.during.span", i18n.Args{"From": p.Day(period.Start), "To": p.Day(last)})
}

// monthName is t's month in full: "October" / "10월". The i18n package keeps the names.
func monthName(p *i18n.Printer, t time.Time) string {
	return p.T("i18n.monthlong." + strconv.Itoa(int(t.Month())))
}

func (r Report) title(p *i18n.Printer) string {
	if r.FullMonth {
		return p.T("costreport.title.fullmonth", i18n.Args{"Month": p.MonthYear(r.Period.Start)})
	}
	return p.T("costreport.title", i18n.Args{"Period": span(p, r.Period), "Year": strconv.Itoa(r.Period.Start.Year())})
}

// total is an amount as a headline may word it: Exact to the cent, or Dollars, rounded to the
// whole dollar with digits grouped ("63"), for a sentence that says "about". Each language's
// message picks the one it shows.
type total struct {
	Exact   string
	Dollars string
}

// summary is the headline and the change against last month: "**Oct 1 - Oct 17: $63.27**" /
// "**10월 1일부터 10월 17일까지 약 63달러를 사용했습니다** (63.27달러)".
func (r Report) summary(p *i18n.Printer) string {
	t := total{Exact: r.money(p, r.Total), Dollars: p.Count(int(math.Round(r.Total)))}
	headline := "costreport.headline.about"
	switch {
	case math.Round(r.Total*100) == 0:
		headline = "costreport.headline.nothing"
	case r.Total < 1 || !r.inUSD(): // "about 0 dollars" says nothing; "about" another unit neither
		headline = "costreport.headline.exact"
	}
	var b strings.Builder
	b.WriteString(p.T(headline, i18n.Args{"During": during(p, r.Period), "Total": t}))
	b.WriteString("\n")
	previous := span(p, r.Previous)
	delta := r.Total - r.PreviousTotal
	if c := change(p, r.Total, r.PreviousTotal); c != "" {
		b.WriteString(p.T("costreport.compare.change", i18n.Args{
			"Delta": sign(delta) + r.money(p, math.Abs(delta)), "Change": c, "Previous": previous, "PreviousTotal": r.money(p, r.PreviousTotal),
		}))
	} else {
		b.WriteString(p.T("costreport.compare.nothing", i18n.Args{"Previous": previous}))
	}
	return b.String()
}

func (r Report) forecastLine(p *i18n.Printer) string {
	f := r.Forecast
	if !f.Available {
		return p.T("costreport.forecast.unavailable", i18n.Args{"Reason": f.reason(p)})
	}
	if f.Low == 0 && f.High == 0 {
		return r.money(p, f.Mean)
	}
	return p.T("costreport.forecast.range", i18n.Args{
		"Mean": r.money(p, f.Mean), "Level": strconv.Itoa(PredictionIntervalLevel), "Low": r.money(p, f.Low), "High": r.money(p, f.High),
	})
}

// reason words why there is no forecast.
func (f Forecast) reason(p *i18n.Printer) string {
	switch f.Reason {
	case reasonNoHistory:
		return p.T("costreport.forecast.reason.nohistory")
	case reasonMonthOver:
		return p.T("costreport.forecast.reason.monthover")
	}
	return p.T("costreport.forecast.reason.failed")
}

func (r Report) budgetLine(p *i18n.Printer) string {
	budget := r.money(p, r.Budget)
	switch {
	case r.Total > r.Budget:
		return p.T("costreport.budget.spendover", i18n.Args{"Budget": budget, "Over": r.money(p, r.Total-r.Budget)})
	case r.Forecast.Available && r.Forecast.Mean > r.Budget:
		return p.T("costreport.budget.forecastover", i18n.Args{"Budget": budget, "Over": r.money(p, r.Forecast.Mean-r.Budget)})
	case r.Forecast.Available:
		return p.T("costreport.budget.within", i18n.Args{"Budget": budget})
	}
	return p.T("costreport.budget.plain", i18n.Args{"Budget": budget})
}

// budgetAlert is the content line shown above the embed when the budget is passed.
func (r Report) budgetAlert(p *i18n.Printer) string {
	var lines []string
	budget := r.money(p, r.Budget)
	if r.Total > r.Budget {
		id := "costreport.alert.spend"
		if r.FullMonth {
			id = "costreport.alert.spendfullmonth"
		}
		lines = append(lines, p.T(id, i18n.Args{"Period": span(p, r.Period), "Total": r.money(p, r.Total), "Budget": budget}))
	}
	if r.Forecast.Available && r.Forecast.Mean > r.Budget {
		lines = append(lines, p.T("costreport.alert.forecast", i18n.Args{
			"Month": monthName(p, r.Forecast.Month.Start), "Mean": r.money(p, r.Forecast.Mean), "Budget": budget,
		}))
	}
	return strings.Join(lines, "\n")
}

func (r Report) servicesLines(p *i18n.Printer) string {
	var spent []ServiceCost
	for _, s := range r.Services {
		if s.Amount > 0 {
			spent = append(spent, s)
		}
	}
	if len(spent) == 0 {
		return p.T("costreport.services.nothing", i18n.Args{"Period": span(p, r.Period)})
	}
	var b strings.Builder
	top := spent[:min(TopServices, len(spent))]
	for i, s := range top {
		// AWS's service names stay as written.
		fmt.Fprintf(&b, "%d. %s: %s", i+1, discord.Truncate(s.Name, 100), r.money(p, s.Amount))
		if c := change(p, s.Amount, s.Previous); c != "" {
			fmt.Fprintf(&b, " (%s)", c)
		}
		b.WriteString("\n")
	}
	if rest := spent[len(top):]; len(rest) > 0 {
		var sum float64
		for _, s := range rest {
			sum += s.Amount
		}
		b.WriteString(p.N("costreport.services.rest", len(rest), i18n.Args{"Amount": r.money(p, sum)}))
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (r Report) footer(p *i18n.Printer) string {
	id := "costreport.footer"
	if r.Estimated {
		id = "costreport.footer.estimated"
	}
	return p.T(id, i18n.Args{"Day": p.Day(r.AsOf), "Time": r.AsOf.Format("15:04"), "Zone": r.AsOf.Format("MST")})
}

func (r Report) inUSD() bool { return r.Unit == "" || r.Unit == "USD" }

// money formats an amount of the report's unit to the cent: "$1,234.56" / "1,234.56달러",
// "-$3.00"; another unit than USD as Cost Explorer names it, "12.00 EUR".
func (r Report) money(p *i18n.Printer, v float64) string {
	if r.inUSD() {
		return p.USD(v)
	}
	cents := int64(math.Round(math.Abs(v) * 100))
	s := groupThousands(cents/100) + fmt.Sprintf(".%02d", cents%100)
	if v < 0 && cents != 0 {
		s = "-" + s
	}
	return s + " " + r.Unit
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// change words cur against prev as a whole percentage: "+12%", "-3%", "±0%"; "new" / "신규"
// when there was nothing before; "" when there is nothing either side.
func change(p *i18n.Printer, cur, prev float64) string {
	if prev == 0 {
		if cur == 0 {
			return ""
		}
		return p.T("costreport.change.new")
	}
	pct := math.Round((cur - prev) / math.Abs(prev) * 100)
	if pct == 0 {
		return "±0%"
	}
	return fmt.Sprintf("%+.0f%%", pct)
}

func sign(v float64) string {
	if v < 0 {
		return "-"
	}
	return "+"
}
