// Package costreport builds the suite's AWS cost report: month-to-date spend, the month-end
// forecast, the top services and their change against the same days of last month. The daily
// cost-cron function posts it; the /cost command answers with it. Both read it through a Cache
// in the state table (shared/state), so that Cost Explorer is asked once a day whichever
// function, and whichever execution environment, asks first.
//
// Languages. Report.Message(p) and Report.AgedMessage(p) word the report in the language of the
// *i18n.Printer p (shared/i18n): the caller picks it, CHATOPS_LANGUAGE for what the channel
// sees (the morning post, /cost's public answer), the member's locale for an answer meant for
// them alone. p comes from the binary's catalog, which must hold Messages():
//
//	texts := i18n.NewCatalog(costreport.Messages(), ...)
//	m := rep.Message(texts.Printer(lang))
//
// In Korean the headline is a sentence with the spend rounded ("10월 1일부터 10월 17일까지 약
// 63달러를 사용했습니다"), the exact amounts beside it and in the fields; AWS's service names
// stay as written. Period.String and Forecast.Reason stay in English and in codes, for logs.
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
