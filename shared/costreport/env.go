package costreport

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
)

// DefaultTimezone is REPORT_TIMEZONE's default.
const DefaultTimezone = "Asia/Seoul"

// Region is where Cost Explorer's API lives for every commercial account, whatever the Region
// the caller runs in: https://docs.aws.amazon.com/general/latest/gr/billing.html
const Region = "us-east-1"

// OptionsFromEnv reads the report's settings, the same for every function that reports:
// REPORT_TIMEZONE (an IANA zone, default Asia/Seoul) and MONTHLY_BUDGET_USD (optional, a
// positive decimal). The error names every bad variable. Programs that call it should import
// time/tzdata: the Lambda runtime image has no zoneinfo.
func OptionsFromEnv(getenv func(string) string) (Options, error) {
	var o Options
	var errs []error
	zone := getenv("REPORT_TIMEZONE")
	if zone == "" {
		zone = DefaultTimezone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		errs = append(errs, fmt.Errorf("REPORT_TIMEZONE %q is not an IANA time zone", zone))
	}
	o.Location = loc
	if s := getenv("MONTHLY_BUDGET_USD"); s != "" {
		budget, err := strconv.ParseFloat(s, 64)
		if err != nil || budget <= 0 || math.IsInf(budget, 0) || math.IsNaN(budget) {
			errs = append(errs, fmt.Errorf("MONTHLY_BUDGET_USD %q is not a positive decimal number of dollars", s))
		}
		o.MonthlyBudget = budget
	}
	return o, errors.Join(errs...)
}

// NewCostExplorerClient returns a Cost Explorer client in Region built from cfg. The endpoint
// still comes from cfg, so AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_COST_EXPLORER aim it at a
// stand-in. The SDK's standard retryer bounds retries of throttling and 5xx to 3 attempts.
func NewCostExplorerClient(cfg aws.Config) *costexplorer.Client {
	return costexplorer.NewFromConfig(cfg, func(o *costexplorer.Options) {
		o.Region = Region
	})
}
