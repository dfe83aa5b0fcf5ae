// Command redrive sends the failed events waiting in one of the suite's dead-letter queues back
// to the function they failed in, as new asynchronous invocations, and deletes each message once
// Lambda has accepted its invocation. The dead-letter alarm's post in Discord gives the command
// for each queue that holds events (functions/cost-cron/alarm.go); docs/DEPLOY.md, "Failed
// events", says when to run it.
//
// Usage:
//
//	make redrive QUEUE=<queue URL> [DRY_RUN=1] [FUNCTION=<name>]
//	go run ./functions/cost-cron/cmd/redrive -queue URL [-dry-run] [-function NAME] [-max N]
//
// SQS's own redrive (StartMessageMoveTask) moves messages back to a source queue; these queues
// have none. They hold what Lambda, EventBridge and EventBridge Scheduler could not deliver or
// process, in two shapes, and redrive reads both:
//
//   - a Lambda invocation record (the function's on-failure destination): the function is
//     requestContext.functionArn and the event is requestPayload;
//     https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
//   - the event itself, with the target in the TARGET_ARN message attribute (an EventBridge
//     rule's or a schedule's dead-letter queue);
//     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
//
// A message in neither shape is left in the queue unless -function names where it goes.
//
// The cost report's {} means "now": redriven a day late it would report the wrong day, so an
// empty-object event is sent as {"now": <when SQS received the failure>}; the report's
// once-a-day claim then posts nothing if that day's report went out meanwhile.
//
// A run redrives at most the messages the queue held when it started (-max): an event that
// fails again lands back in the queue and waits for the next run rather than looping.
package main
