package costcheck

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/smithy-go"
)

// answer is a Cost Explorer that checks the request and answers err.
type answer struct {
	t   *testing.T
	err error
}

func (a answer) GetCostAndUsage(_ context.Context, in *costexplorer.GetCostAndUsageInput, _ ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	if aws.ToString(in.TimePeriod.Start) != "2026-12-01" || aws.ToString(in.TimePeriod.End) != "2026-12-02" {
		a.t.Errorf("asked for %s..%s, want yesterday", aws.ToString(in.TimePeriod.Start), aws.ToString(in.TimePeriod.End))
	}
	if a.err != nil {
		return nil, a.err
	}
	return &costexplorer.GetCostAndUsageOutput{}, nil
}

func TestCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform ce:GetCostAndUsage"}
	tests := []struct {
		name       string
		err        error
		notEnabled bool
	}{
		{"answers", nil, false},
		{"data unavailable", &smithy.GenericAPIError{Code: "DataUnavailableException", Message: "Data is not available."}, true},
		{"access denied, not enabled", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "Cost Explorer is not enabled for this account"}, true},
		{"access denied", denied, false},
	}
	for _, tt := range tests {
		err := Check(context.Background(), answer{t, tt.err}, now)
		if errors.Is(err, ErrNotEnabled) != tt.notEnabled || (tt.err == nil) != (err == nil) {
			t.Errorf("%s: Check = %v", tt.name, err)
		}
	}
	if err := Check(context.Background(), answer{t, denied}, now); !errors.Is(err, denied) {
		t.Errorf("the API's error is not kept: %v", err)
	}
}
