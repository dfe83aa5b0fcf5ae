package costreport

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Message words the report as one Discord embed, within Discord's limits and pinging nobody.
// When the spend or the forecast passes the budget, the message's content says so above the
// embed. The caller adds what its endpoint needs (a nonce, flags).
func (r Report) Message() discord.Message { return r.message("") }

// AgedMessage is Message with a last line saying how old the figures are, "Figures from
// <t:1760749200:R>": a Discord timestamp that each reader's client words relative to their own
// now ("3 hours ago"). /cost answers with it, since it may serve a report built hours before.
//
// See https://discord.com/developers/docs/reference#message-formatting-timestamp-styles
func (r Report) AgedMessage() discord.Message {
	return r.message(fmt.Sprintf("Figures from <t:%d:R>", r.AsOf.Unix()))
}

func (r Report) message(last string) discord.Message {
	description := r.summary()
	if last != "" {
		description += "\n" + last
	}
	e := discord.Embed{
		Title:       "AWS cost: " + r.title(),
		Description: description,
		Color:       discord.ColorGreen,
		Timestamp:   r.AsOf.Format(time.RFC3339),
		Footer:      &discord.EmbedFooter{Text: r.footer()},
	}
	e.Fields = append(e.Fields, discord.EmbedField{Name: "Month-end forecast (" + r.Forecast.Month.Start.Format("January") + ")", Value: r.forecastLine()})
	if !r.Forecast.Available {
		e.Color = discord.ColorYellow
	}
	if r.Budget > 0 {
		e.Fields = append(e.Fields, discord.EmbedField{Name: "Monthly budget", Value: r.budgetLine()})
	}
	e.Fields = append(e.Fields, discord.EmbedField{Name: "Top services (change against " + r.Previous.String() + ")", Value: r.servicesLines()})

	m := discord.Message{Embeds: []discord.Embed{e}, AllowedMentions: discord.NoMentions()}
	if r.OverBudget() {
		m.Embeds[0].Color = discord.ColorRed
		m.Content = r.budgetAlert()
	}
	return m.Fit()
}

func (r Report) title() string {
	if r.FullMonth {
		return r.Period.Start.Format("January 2006") + " (full month)"
	}
	return r.Period.String() + ", " + r.Period.Start.Format("2006")
}

// summary is the headline: "**Oct 1 - Oct 17: $63.27**" and the change against last month.
func (r Report) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s: %s**\n", r.Period, r.money(r.Total))
	delta := r.Total - r.PreviousTotal
	if c := change(r.Total, r.PreviousTotal); c != "" {
		fmt.Fprintf(&b, "%s%s (%s) against %s: %s", sign(delta), r.money(math.Abs(delta)), c, r.Previous, r.money(r.PreviousTotal))
	} else {
		fmt.Fprintf(&b, "No spend in %s to compare with", r.Previous)
	}
	return b.String()
}

func (r Report) forecastLine() string {
	f := r.Forecast
	if !f.Available {
		return "Unavailable: " + f.Reason
	}
	if f.Low == 0 && f.High == 0 {
		return r.money(f.Mean)
	}
	return fmt.Sprintf("%s (%d%% range %s - %s)", r.money(f.Mean), PredictionIntervalLevel, r.money(f.Low), r.money(f.High))
}

func (r Report) budgetLine() string {
	line := r.money(r.Budget) + " a month"
	switch {
	case r.Total > r.Budget:
		return line + ": spend is over by " + r.money(r.Total-r.Budget)
	case r.Forecast.Available && r.Forecast.Mean > r.Budget:
		return line + ": the forecast is over by " + r.money(r.Forecast.Mean-r.Budget)
	case r.Forecast.Available:
		return line + ": the forecast is within it"
	}
	return line
}

// budgetAlert is the content line shown above the embed when the budget is passed.
func (r Report) budgetAlert() string {
	var lines []string
	if r.Total > r.Budget {
		verb := "is"
		if r.FullMonth {
			verb = "was"
		}
		lines = append(lines, fmt.Sprintf(":warning: **Over budget:** %s spend %s %s, above the monthly budget of %s.", r.Period, verb, r.money(r.Total), r.money(r.Budget)))
	}
	if r.Forecast.Available && r.Forecast.Mean > r.Budget {
		lines = append(lines, fmt.Sprintf(":warning: **Over budget:** the %s forecast is %s, above the monthly budget of %s.", r.Forecast.Month.Start.Format("January"), r.money(r.Forecast.Mean), r.money(r.Budget)))
	}
	return strings.Join(lines, "\n")
}

func (r Report) servicesLines() string {
	var spent []ServiceCost
	for _, s := range r.Services {
		if s.Amount > 0 {
			spent = append(spent, s)
		}
	}
	if len(spent) == 0 {
		return "No spend in " + r.Period.String() + "."
	}
	var b strings.Builder
	top := spent[:min(TopServices, len(spent))]
	for i, s := range top {
		fmt.Fprintf(&b, "%d. %s: %s", i+1, discord.Truncate(s.Name, 100), r.money(s.Amount))
		if c := change(s.Amount, s.Previous); c != "" {
			fmt.Fprintf(&b, " (%s)", c)
		}
		b.WriteString("\n")
	}
	if rest := spent[len(top):]; len(rest) > 0 {
		var sum float64
		for _, s := range rest {
			sum += s.Amount
		}
		noun := "other services"
		if len(rest) == 1 {
			noun = "other service"
		}
		fmt.Fprintf(&b, "%d %s: %s\n", len(rest), noun, r.money(sum))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (r Report) footer() string {
	text := "As of " + r.AsOf.Format("Jan 2, 15:04 MST") + " · unblended cost · Cost Explorer lags up to a day"
	if r.Estimated {
		text += ", so the last days are estimates"
	}
	return text
}

// money formats an amount of the report's unit to the cent: "$1,234.56", "-$3.00", "12.00 EUR".
func (r Report) money(v float64) string {
	cents := int64(math.Round(math.Abs(v) * 100))
	s := groupThousands(cents/100) + fmt.Sprintf(".%02d", cents%100)
	neg := v < 0 && cents != 0
	if r.Unit != "" && r.Unit != "USD" {
		if neg {
			s = "-" + s
		}
		return s + " " + r.Unit
	}
	if neg {
		return "-$" + s
	}
	return "$" + s
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// change words cur against prev as a whole percentage: "+12%", "-3%", "±0%"; "new" when there
// was nothing before; "" when there is nothing either side.
func change(cur, prev float64) string {
	if prev == 0 {
		if cur == 0 {
			return ""
		}
		return "new"
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
