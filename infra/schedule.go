package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// cronField is one field of an EventBridge Scheduler cron expression: its name, its range, the
// names it accepts in place of numbers (months, days of the week), and the special characters
// it takes beyond , - * /.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
	special  string   // "?", "L", "W", "#"
}

// cronFields are the six fields of cron(minutes hours day-of-month month day-of-week year).
//
// See https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
func cronFields() []cronField {
	return []cronField{
		{name: "minutes", min: 0, max: 59},
		{name: "hours", min: 0, max: 23},
		{name: "day-of-month", min: 1, max: 31, special: "?LW"},
		{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
		{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, special: "?L#"},
		{name: "year", min: 1970, max: 2199},
	}
}

// checkSchedule checks an EventBridge Scheduler expression as the service does when the stack
// is deployed: cron() with six fields, each within its range, and one of day-of-month and
// day-of-week a "?"; or rate() with a positive value and a unit that is singular for 1 only.
func checkSchedule(expr string) error {
	if inner, ok := strings.CutPrefix(expr, "rate("); ok && strings.HasSuffix(inner, ")") {
		return checkRate(strings.TrimSuffix(inner, ")"))
	}
	inner, ok := strings.CutPrefix(expr, "cron(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return errors.New("want cron(minutes hours day-of-month month day-of-week year) or rate(value unit)")
	}
	parts := strings.Fields(strings.TrimSuffix(inner, ")"))
	fields := cronFields()
	if len(parts) != len(fields) {
		return fmt.Errorf("cron() has %d fields, want 6: minutes hours day-of-month month day-of-week year", len(parts))
	}
	var errs []error
	for i, f := range fields {
		if err := f.check(parts[i]); err != nil {
			errs = append(errs, err)
		}
	}
	dom, dow := parts[2], parts[4]
	if (dom == "?") == (dow == "?") {
		errs = append(errs, fmt.Errorf("day-of-month %q and day-of-week %q: exactly one of them must be ?", dom, dow))
	}
	return errors.Join(errs...)
}

var rateRE = regexp.MustCompile(`^([0-9]+) (minute|minutes|hour|hours|day|days)$`)

func checkRate(s string) error {
	m := rateRE.FindStringSubmatch(s)
	if m == nil {
		return fmt.Errorf("rate(%s): want rate(value unit) with unit minute(s), hour(s) or day(s)", s)
	}
	n, err := strconv.Atoi(m[1])
	switch {
	case err != nil || n < 1:
		return fmt.Errorf("rate(%s): the value must be a positive whole number", s)
	case n == 1 && strings.HasSuffix(m[2], "s"):
		return fmt.Errorf("rate(%s): for 1 the unit is singular (%s)", s, strings.TrimSuffix(m[2], "s"))
	case n > 1 && !strings.HasSuffix(m[2], "s"):
		return fmt.Errorf("rate(%s): for more than 1 the unit is plural (%ss)", s, m[2])
	}
	return nil
}

// check reads one field: a comma-separated list of *, ?, a value, a range a-b, any of them
// with /step, and the field's special forms (L, nW, LW, nL, n#k).
func (f cronField) check(s string) error {
	for item := range strings.SplitSeq(s, ",") {
		if err := f.item(item); err != nil {
			return fmt.Errorf("%s %q: %w", f.name, s, err)
		}
	}
	return nil
}

func (f cronField) item(item string) error {
	switch {
	case item == "":
		return errors.New("empty item")
	case item == "?" || item == "L" || item == "LW":
		if !strings.Contains(f.special, item[:1]) || (item == "LW" && !strings.Contains(f.special, "W")) {
			return fmt.Errorf("%s is not allowed here", item)
		}
		return nil
	case strings.Contains(item, "#"):
		if !strings.Contains(f.special, "#") {
			return errors.New("# is not allowed here")
		}
		day, nth, _ := strings.Cut(item, "#")
		if _, err := f.value(day); err != nil {
			return err
		}
		if n, err := strconv.Atoi(nth); err != nil || n < 1 || n > 5 {
			return fmt.Errorf("#%s: the week of the month is 1 to 5", nth)
		}
		return nil
	case len(item) > 1 && (strings.HasSuffix(item, "W") || strings.HasSuffix(item, "L")) && !slices.Contains(f.names, item):
		suffix := item[len(item)-1:]
		if !strings.Contains(f.special, suffix) {
			return fmt.Errorf("%s is not allowed here", suffix)
		}
		_, err := f.value(strings.TrimSuffix(item, suffix))
		return err
	}
	base, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 || n > f.max {
			return fmt.Errorf("step /%s: want 1 to %d", step, f.max)
		}
	}
	if base == "*" {
		return nil
	}
	lo, hi, isRange := strings.Cut(base, "-")
	if _, err := f.value(lo); err != nil {
		return err
	}
	if isRange {
		if _, err := f.value(hi); err != nil {
			return err
		}
	}
	return nil
}

// value reads a number (or a name) and checks it is within the field's range.
func (f cronField) value(s string) (int, error) {
	if i := slices.Index(f.names, strings.ToUpper(s)); i >= 0 {
		return f.min + i, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < f.min || n > f.max {
		want := fmt.Sprintf("%d to %d", f.min, f.max)
		if len(f.names) > 0 {
			want += " or " + f.names[0] + " to " + f.names[len(f.names)-1]
		}
		return 0, fmt.Errorf("%s is not %s", s, want)
	}
	return n, nil
}
