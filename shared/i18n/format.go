package i18n

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Date is t's day with its weekday, in t's location: "Wed, Dec 2" / "12월 2일 (수)".
func (p *Printer) Date(t time.Time) string {
	return p.T("i18n.date", p.dayArgs(t))
}

// Day is t's day without the weekday: "Dec 2" / "12월 2일".
func (p *Printer) Day(t time.Time) string {
	return p.T("i18n.day", p.dayArgs(t))
}

// DayYear is t's day with its year: "Dec 2, 2026" / "2026년 12월 2일".
func (p *Printer) DayYear(t time.Time) string {
	return p.T("i18n.dayyear", p.dayArgs(t))
}

// DateTime is t to the minute with its zone, in t's location: "Wed, Dec 2, 09:10 KST" /
// "12월 2일 (수) 09:10 KST".
func (p *Printer) DateTime(t time.Time) string {
	a := p.dayArgs(t)
	a["Time"], a["Zone"] = t.Format("15:04"), t.Format("MST")
	return p.T("i18n.datetime", a)
}

// MonthYear is t's month: "October 2025" / "2025년 10월".
func (p *Printer) MonthYear(t time.Time) string {
	return p.T("i18n.monthyear", Args{"Month": p.T("i18n.monthlong." + strconv.Itoa(int(t.Month()))), "Year": t.Year()})
}

func (p *Printer) dayArgs(t time.Time) Args {
	return Args{
		"Weekday": p.T("i18n.weekday." + strconv.Itoa(int(t.Weekday()))),
		"Month":   p.T("i18n.month." + strconv.Itoa(int(t.Month()))),
		"Day":     t.Day(),
		"Year":    t.Year(),
	}
}

// USD is an amount in US dollars to the cent, digits grouped: "$1,234.50" / "1,234.50달러",
// "-$4.25" / "-4.25달러".
func (p *Printer) USD(amount float64) string {
	sign := ""
	cents := math.Round(amount * 100)
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := int64(cents) / 100
	amountText := group(strconv.FormatInt(whole, 10)) + "." + pad2(int64(cents)%100)
	return p.T("i18n.usd", Args{"Sign": sign, "Amount": amountText})
}

// SignedUSD is USD with a "+" before an amount above zero, for changes: "+$4.25" / "+4.25달러".
func (p *Printer) SignedUSD(amount float64) string {
	if math.Round(amount*100) > 0 {
		return "+" + p.USD(amount)
	}
	return p.USD(amount)
}

// Count is n with its digits grouped: "1,234".
func (p *Printer) Count(n int) string {
	if n < 0 {
		return "-" + group(strconv.Itoa(-n))
	}
	return group(strconv.Itoa(n))
}

// Ago is how long ago something happened, d before now, to the unit that matters: "just now"
// under a minute, then minutes, hours, days: "3 hours ago" / "3시간 전".
func (p *Printer) Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return p.T("i18n.ago.now")
	case d < time.Hour:
		return p.N("i18n.ago.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return p.N("i18n.ago.hours", int(d/time.Hour))
	}
	return p.N("i18n.ago.days", int(d/(24*time.Hour)))
}

// Duration is d rounded to the second in its two largest units: "1 h 3 min", "2 min 5 s",
// "45 s" / "1시간 3분", "2분 5초", "45초".
func (p *Printer) Duration(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	add := func(id string, n int) { parts = append(parts, p.T(id, Args{"Count": p.Count(n)})) }
	switch {
	case h > 0:
		add("i18n.duration.h", h)
		if m > 0 {
			add("i18n.duration.min", m)
		}
	case m > 0:
		add("i18n.duration.min", m)
		if s > 0 {
			add("i18n.duration.s", s)
		}
	default:
		add("i18n.duration.s", s)
	}
	return strings.Join(parts, " ")
}

// List joins items as a sentence lists them: "a, b and c" / "a, b, c".
func (p *Printer) List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	init := strings.Join(items[:len(items)-1], p.T("i18n.list.sep"))
	return p.T("i18n.list.and", Args{"Init": init, "Last": items[len(items)-1]})
}

func group(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
