package main

import (
	"strings"
	"testing"
)

// TestCheckSchedule: every field of a cron() is checked against its range and special forms, as
// EventBridge Scheduler checks it at deploy time, and rate() against its value and unit.
func TestCheckSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want string // "" when valid, else part of the error
	}{
		{"cron(0 9 * * ? *)", ""},
		{"cron(0 9 ? * MON-FRI *)", ""},
		{"cron(15,45 0-23/2 1 JAN,jul ? 2026-2030)", ""},
		{"cron(0 9 L * ? *)", ""},
		{"cron(0 9 LW * ? *)", ""},
		{"cron(0 9 15W * ? *)", ""},
		{"cron(0 9 ? * 6L *)", ""},
		{"cron(0 9 ? * 2#1 *)", ""},
		{"cron(*/5 * * * ? *)", ""},
		{"rate(1 day)", ""},
		{"rate(5 minutes)", ""},
		{"cron(60 9 * * ? *)", `minutes "60": 60 is not 0 to 59`},
		{"cron(0 24 * * ? *)", `hours "24": 24 is not 0 to 23`},
		{"cron(0 9 0 * ? *)", `day-of-month "0": 0 is not 1 to 31`},
		{"cron(0 9 32 * ? *)", `day-of-month "32"`},
		{"cron(0 9 * 13 ? *)", `month "13": 13 is not 1 to 12 or JAN to DEC`},
		{"cron(0 9 * JANUARY ? *)", `month "JANUARY"`},
		{"cron(0 9 ? * 8 *)", `day-of-week "8": 8 is not 1 to 7 or SUN to SAT`},
		{"cron(0 9 ? * 0 *)", `day-of-week "0"`},
		{"cron(0 9 * * ? 1969)", `year "1969": 1969 is not 1970 to 2199`},
		{"cron(0 9 * * ? 2200)", `year "2200"`},
		{"cron(0 9 * * * *)", "exactly one of them must be ?"},
		{"cron(0 9 ? * ? *)", "exactly one of them must be ?"},
		{"cron(0 ? * * ? *)", `hours "?": ? is not allowed here`},
		{"cron(0 9 ? * 2#6 *)", "the week of the month is 1 to 5"},
		{"cron(0 9 2#1 * ? *)", `day-of-month "2#1": # is not allowed here`},
		{"cron(0/0 9 * * ? *)", "step /0"},
		{"cron(0 9 1,,2 * ? *)", "empty item"},
		{"cron(0 9 * * ?)", "has 5 fields, want 6"},
		{"0 9 * * ? *", "want cron("},
		{"rate(0 minutes)", "positive whole number"},
		{"rate(1 days)", "for 1 the unit is singular (day)"},
		{"rate(5 minute)", "plural (minutes)"},
		{"rate(5 weeks)", "unit minute(s), hour(s) or day(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			err := checkSchedule(tt.expr)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("checkSchedule(%q) = %v, want no error", tt.expr, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("checkSchedule(%q) = %v, want an error containing %q", tt.expr, err, tt.want)
			}
		})
	}
}

// TestLoadConfigScheduleAllFields: the context check reports each wrong field of costSchedule.
func TestLoadConfigScheduleAllFields(t *testing.T) {
	t.Parallel()
	ctx := validContext()
	ctx["costSchedule"] = "cron(61 25 * * ? *)"
	_, err := loadConfig(func(k string) any { return ctx[k] })
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"costSchedule:", "minutes \"61\"", "hours \"25\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// TestReviewReminderScheduleWeekdays: the review reminder's default schedule is valid and runs
// on weekdays only, once a day: day-of-week MON-FRI, day-of-month ?, one minute and one hour.
func TestReviewReminderScheduleWeekdays(t *testing.T) {
	t.Parallel()
	expr := defaultReviewReminderSchedule
	if err := checkSchedule(expr); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
	want := map[int]string{0: "0", 1: "10", 2: "?", 3: "*", 4: "MON-FRI", 5: "*"}
	for i, w := range want {
		if fields[i] != w {
			t.Errorf("%s: field %d is %q, want %q", expr, i, fields[i], w)
		}
	}
}
