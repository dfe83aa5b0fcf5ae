// Package costcheck tells whether Cost Explorer answers for the account: /cost and the daily
// report need it, and it must be enabled once, by hand, in the Billing console. Until then
// GetCostAndUsage is refused with DataUnavailableException (or an AccessDeniedException saying
// it is not enabled).
//
// Upstream reference: https://docs.aws.amazon.com/cost-management/latest/userguide/ce-enable.html
package costcheck

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
)

// API is the Cost Explorer call made here; *costexplorer.Client satisfies it.
type API interface {
	GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, optFns ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
}

// ErrNotEnabled is returned when Cost Explorer is not enabled for the account.
var ErrNotEnabled = errors.New("cost Explorer is not enabled for this account")

// HowToEnable is the fix for ErrNotEnabled.
const HowToEnable = "enable it once: AWS console > Billing and Cost Management > Cost Explorer > Launch Cost Explorer (data appears within 24 hours)"

// Check asks for yesterday's cost. It returns nil when Cost Explorer answers, an error wrapping
// ErrNotEnabled when it is not enabled, and the API's error otherwise.
func Check(ctx context.Context, api API, now time.Time) error {
	end := now.UTC()
	start := end.AddDate(0, 0, -1)
	_, err := api.GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start.Format(time.DateOnly)), End: aws.String(end.Format(time.DateOnly))},
		Granularity: cetypes.GranularityDaily, Metrics: []string{"UnblendedCost"},
	})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "DataUnavailableException" ||
		(apiErr.ErrorCode() == "AccessDeniedException" && strings.Contains(strings.ToLower(apiErr.ErrorMessage()), "not enabled"))) {
		return errors.Join(ErrNotEnabled, err)
	}
	return err
}
