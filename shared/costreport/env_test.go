package costreport

import (
	"strings"
	"testing"
)

func TestOptionsFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		wantZone string
		budget   float64
		wantErrs []string
	}{
		{name: "defaults", env: map[string]string{}, wantZone: "Asia/Seoul"},
		{name: "zone and budget", env: map[string]string{"REPORT_TIMEZONE": "Europe/Berlin", "MONTHLY_BUDGET_USD": "250.50"}, wantZone: "Europe/Berlin", budget: 250.5},
		{
			name:     "every problem named",
			env:      map[string]string{"REPORT_TIMEZONE": "Mars/Olympus", "MONTHLY_BUDGET_USD": "$100"},
			wantErrs: []string{`REPORT_TIMEZONE "Mars/Olympus"`, `MONTHLY_BUDGET_USD "$100"`},
		},
		{name: "zero budget", env: map[string]string{"MONTHLY_BUDGET_USD": "0"}, wantErrs: []string{`MONTHLY_BUDGET_USD "0"`}},
		{name: "negative budget", env: map[string]string{"MONTHLY_BUDGET_USD": "-5"}, wantErrs: []string{`MONTHLY_BUDGET_USD "-5"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := OptionsFromEnv(func(k string) string { return tt.env[k] })
			if len(tt.wantErrs) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tt.wantErrs {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %s", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Location.String() != tt.wantZone || o.MonthlyBudget != tt.budget {
				t.Errorf("options = %s, %v; want %s, %v", o.Location, o.MonthlyBudget, tt.wantZone, tt.budget)
			}
		})
	}
}
