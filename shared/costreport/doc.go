// Package costreport builds the suite's AWS cost report: month-to-date spend, the month-end
// forecast, the top services and their change against the same days of last month. The daily
// cost-cron function posts it; the /cost command answers with it. Both read it through a Cache
// in the state table (shared/state), so that Cost Explorer is asked once a day whichever
// function, and whichever execution environment, asks first.
//
// A report costs two Cost Explorer requests ($0.01 each): one GetCostAndUsage page, DAILY and
// grouped by SERVICE over last month's first day to today, which holds both this period and the
// comparison period, and one GetCostForecast. Each further page of GetCostAndUsage is one more
// request; Options.MaxPages bounds them.
//
// Upstream references:
//   - GetCostAndUsage: https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html
//   - GetCostForecast: https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostForecast.html
//   - Pricing ($0.01 per paginated request): https://aws.amazon.com/aws-cost-management/aws-cost-explorer/pricing/
package costreport
