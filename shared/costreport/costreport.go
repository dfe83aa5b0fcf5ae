package costreport

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// CostExplorerAPI is the part of the Cost Explorer client a report needs;
// *costexplorer.Client satisfies it.
type CostExplorerAPI interface {
	GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
	GetCostForecast(ctx context.Context, in *costexplorer.GetCostForecastInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error)
}

// DefaultMaxPages bounds the GetCostAndUsage pages of one report when Options.MaxPages is 0.
const DefaultMaxPages = 4

// TopServices is how many services the message lists by name.
const TopServices = 5

// PredictionIntervalLevel is the confidence, in percent, of the forecast range.
const PredictionIntervalLevel = 80

// costMetric is the usage metric the report sums; the forecast's enum matches it.
// Unblended cost is what the bill shows, credits and refunds included.
const costMetric = "UnblendedCost"

// ErrTooManyPages is returned when GetCostAndUsage needs more than Options.MaxPages pages.
var ErrTooManyPages = errors.New("cost and usage needs more pages than allowed")

// Options configure a Reporter.
type Options struct {
	// Location decides the calendar: what "today" and "the 1st" are. Nil means UTC.
	Location *time.Location
	// MonthlyBudget in USD; 0 means no budget.
	MonthlyBudget float64
	// MaxPages bounds GetCostAndUsage pages per report; 0 means DefaultMaxPages.
	MaxPages int
}

// Reporter builds cost reports from Cost Explorer. It is safe for concurrent use.
type Reporter struct {
	ce       CostExplorerAPI
	loc      *time.Location
	budget   float64
	maxPages int
}

// New returns a Reporter reading from ce.
func New(ce CostExplorerAPI, o Options) *Reporter {
	r := &Reporter{ce: ce, loc: o.Location, budget: o.MonthlyBudget, maxPages: o.MaxPages}
	if r.loc == nil {
		r.loc = time.UTC
	}
	if r.maxPages <= 0 {
		r.maxPages = DefaultMaxPages
	}
	return r
}

// Period is a range of calendar days, Start included and End excluded, as Cost Explorer takes
// them. Both are midnight UTC standing for a date in the report's time zone.
type Period struct {
	Start, End time.Time
}

// Days is the number of days in p.
func (p Period) Days() int { return int(p.End.Sub(p.Start).Hours() / 24) }

// String words p in English, last day included: "Oct 1 - Oct 17", for logs and for what an
// invocation returns; the message words periods in its reader's language.
func (p Period) String() string {
	last := p.End.AddDate(0, 0, -1)
	if last.Equal(p.Start) {
		return p.Start.Format("Jan 2")
	}
	return p.Start.Format("Jan 2") + " - " + last.Format("Jan 2")
}

func (p Period) interval() *types.DateInterval {
	return &types.DateInterval{Start: aws.String(p.Start.Format(time.DateOnly)), End: aws.String(p.End.Format(time.DateOnly))}
}

// ServiceCost is one service's spend in the report's period and in the comparison period.
type ServiceCost struct {
	Name     string
	Amount   float64
	Previous float64
}

// Forecast is the month-end estimate: spend so far this month plus Cost Explorer's forecast of
// the days left. When Available is false, Reason says why, as a code the message words in its
// language ("no-history", "month-over", "failed"), and Err holds Cost Explorer's error, if any,
// for the log.
type Forecast struct {
	Month     Period
	Available bool
	Mean      float64
	Low, High float64 // the PredictionIntervalLevel range; both 0 when Cost Explorer gave none
	Reason    string
	Err       error
}

// Report is one cost report. Amounts are in Unit, USD for every account Cost Explorer serves.
type Report struct {
	// AsOf is when the report was built, in the report's time zone.
	AsOf time.Time
	// Period is this month to yesterday or, on the 1st, the whole previous month.
	Period    Period
	FullMonth bool
	// Previous is the same days of the month before Period's month, cut at that month's end.
	Previous      Period
	Unit          string
	Total         float64
	PreviousTotal float64
	// Services holds every service with spend in either period, the largest Amount first.
	Services []ServiceCost
	// Estimated is true when Cost Explorer marked some of Period's days as not final.
	Estimated bool
	Forecast  Forecast
	// Budget is the monthly budget in USD; 0 means none.
	Budget float64
}

// OverBudget reports whether the spend or the month-end forecast passes the budget.
func (r Report) OverBudget() bool {
	if r.Budget <= 0 {
		return false
	}
	return r.Total > r.Budget || (r.Forecast.Available && r.Forecast.Mean > r.Budget)
}

// Key is the report's date in its time zone, "2006-01-02": one report per key and channel.
func (r Report) Key() string { return r.AsOf.Format(time.DateOnly) }

// Periods returns the report period and the comparison period for a report built on the given
// day: from the 1st to today (excluded) or, on the 1st, the whole previous month; compared with
// the same number of days from the 1st of the month before, cut at that month's end.
func Periods(today time.Time) (period, previous Period) {
	monthStart := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	period = Period{Start: monthStart, End: today}
	if today.Equal(monthStart) {
		period.Start = monthStart.AddDate(0, -1, 0)
	}
	previous.Start = period.Start.AddDate(0, -1, 0)
	previous.End = previous.Start.AddDate(0, 0, period.Days())
	if previous.End.After(period.Start) {
		previous.End = period.Start
	}
	return period, previous
}

// Build builds the report for now, read in the Reporter's time zone. A Cost Explorer failure
// to return usage is an error; a failure to forecast is not, and shows in Forecast.
func (r *Reporter) Build(ctx context.Context, now time.Time) (Report, error) {
	local := now.In(r.loc)
	today := date(local)
	period, previous := Periods(today)
	rep := Report{AsOf: local, Period: period, FullMonth: today.Day() == 1, Previous: previous, Budget: r.budget, Unit: "USD"}

	days, err := r.dailyCosts(ctx, Period{Start: previous.Start, End: period.End})
	if err != nil {
		return Report{}, err
	}
	if err := rep.add(days); err != nil {
		return Report{}, err
	}

	rep.Forecast, err = r.forecast(ctx, today, date(now.UTC()), rep)
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}

// date is t's calendar day as midnight UTC.
func date(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// dailyCosts reads every page of one DAILY, SERVICE-grouped GetCostAndUsage over p.
func (r *Reporter) dailyCosts(ctx context.Context, p Period) ([]types.ResultByTime, error) {
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  p.interval(),
		Granularity: types.GranularityDaily,
		Metrics:     []string{costMetric},
		GroupBy:     []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}},
	}
	var days []types.ResultByTime
	for page := 1; ; page++ {
		out, err := r.ce.GetCostAndUsage(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("get cost and usage %s..%s page %d: %w", p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), page, err)
		}
		days = append(days, out.ResultsByTime...)
		if aws.ToString(out.NextPageToken) == "" {
			return days, nil
		}
		if page == r.maxPages {
			return nil, fmt.Errorf("get cost and usage %s..%s: %w (%d)", p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), ErrTooManyPages, r.maxPages)
		}
		next := *in
		next.NextPageToken = out.NextPageToken
		in = &next
	}
}

// add sums daily, per-service results into the report's two periods.
func (rep *Report) add(days []types.ResultByTime) error {
	byName := map[string]*ServiceCost{}
	for _, day := range days {
		if day.TimePeriod == nil {
			continue
		}
		start, err := time.Parse(time.DateOnly, aws.ToString(day.TimePeriod.Start))
		if err != nil {
			return fmt.Errorf("cost and usage day %q: %w", aws.ToString(day.TimePeriod.Start), err)
		}
		current := !start.Before(rep.Period.Start) && start.Before(rep.Period.End)
		previous := !start.Before(rep.Previous.Start) && start.Before(rep.Previous.End)
		if !current && !previous {
			continue
		}
		if current && day.Estimated {
			rep.Estimated = true
		}
		for _, g := range day.Groups {
			m, ok := g.Metrics[costMetric]
			if !ok || len(g.Keys) == 0 {
				continue
			}
			amount, err := strconv.ParseFloat(aws.ToString(m.Amount), 64)
			if err != nil {
				return fmt.Errorf("cost of %q on %s: %w", g.Keys[0], start.Format(time.DateOnly), err)
			}
			if u := aws.ToString(m.Unit); u != "" {
				rep.Unit = u
			}
			s := byName[g.Keys[0]]
			if s == nil {
				s = &ServiceCost{Name: g.Keys[0]}
				byName[g.Keys[0]] = s
			}
			if current {
				s.Amount += amount
				rep.Total += amount
			} else {
				s.Previous += amount
				rep.PreviousTotal += amount
			}
		}
	}
	for _, s := range byName {
		if s.Amount != 0 || s.Previous != 0 {
			rep.Services = append(rep.Services, *s)
		}
	}
	slices.SortFunc(rep.Services, func(a, b ServiceCost) int {
		return cmp.Or(cmp.Compare(b.Amount, a.Amount), cmp.Compare(b.Previous, a.Previous), cmp.Compare(a.Name, b.Name))
	})
	return nil
}

// Forecast reasons: why there is no forecast, as Forecast.Reason keeps it (and the log shows
// it); the message words each one (message.go).
const (
	reasonNoHistory = "no-history" // Cost Explorer has too little history to forecast
	reasonMonthOver = "month-over" // no day of the month is left to forecast
	reasonFailed    = "failed"     // Cost Explorer could not forecast this time
)

// forecast asks Cost Explorer for the rest of today's month and adds the spend so far. Cost
// Explorer wants the start today or later in UTC, so in zones behind UTC the forecast may begin
// a day after the report's today. Only a cancelled context is an error: any other failure
// leaves the forecast unavailable with its reason.
func (r *Reporter) forecast(ctx context.Context, today, utcToday time.Time, rep Report) (Forecast, error) {
	monthStart := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	f := Forecast{Month: Period{Start: monthStart, End: monthStart.AddDate(0, 1, 0)}}
	rest := Period{Start: today, End: f.Month.End}
	if utcToday.After(today) {
		rest.Start = utcToday
	}
	if !rest.Start.Before(rest.End) {
		f.Reason = reasonMonthOver
		return f, nil
	}
	spent := rep.Total
	if rep.FullMonth {
		spent = 0 // the report's period is last month; this month has only begun
	}
	out, err := r.ce.GetCostForecast(ctx, &costexplorer.GetCostForecastInput{
		TimePeriod:              rest.interval(),
		Granularity:             types.GranularityMonthly,
		Metric:                  types.MetricUnblendedCost,
		PredictionIntervalLevel: aws.Int32(PredictionIntervalLevel),
	})
	if err != nil {
		if ctx.Err() != nil {
			return f, fmt.Errorf("get cost forecast %s..%s: %w", rest.Start.Format(time.DateOnly), rest.End.Format(time.DateOnly), err)
		}
		f.Err = fmt.Errorf("get cost forecast %s..%s: %w", rest.Start.Format(time.DateOnly), rest.End.Format(time.DateOnly), err)
		f.Reason = reasonFailed
		if _, ok := errors.AsType[*types.DataUnavailableException](err); ok {
			f.Reason = reasonNoHistory
		}
		return f, nil
	}
	mean, err := parseAmount(out.Total)
	if err != nil {
		f.Err = fmt.Errorf("cost forecast total: %w", err)
		f.Reason = reasonFailed
		return f, nil
	}
	f.Available = true
	f.Mean = spent + mean
	var low, high float64
	for _, res := range out.ForecastResultsByTime {
		l, errL := strconv.ParseFloat(aws.ToString(res.PredictionIntervalLowerBound), 64)
		h, errH := strconv.ParseFloat(aws.ToString(res.PredictionIntervalUpperBound), 64)
		if errL != nil || errH != nil {
			return f, nil // a forecast without a range is still a forecast
		}
		low, high = low+l, high+h
	}
	if len(out.ForecastResultsByTime) > 0 {
		f.Low, f.High = spent+low, spent+high
	}
	return f, nil
}

func parseAmount(m *types.MetricValue) (float64, error) {
	if m == nil {
		return 0, errors.New("no amount")
	}
	return strconv.ParseFloat(aws.ToString(m.Amount), 64)
}
