// Package audit is the suite's audit trail: who did what to which target through the bot,
// where, when, and how it ended. One Entry per request, approval, refusal, cancel, dispatch,
// rollback, scale and assign (the interactions function) and per deploy result
// (deploy-notify).
//
// A Recorder writes each entry twice: as one JSON log line with the message "audit", always,
// and to its Sink, the durable copy. The Sink of the deployed functions is a Trail: the
// entries in the state table (shared/state) under the partition "audit", newest first by
// their sort key, kept for the retention AUDIT_RETENTION_DAYS gives (400 days by default).
// /audit reads them back with Trail.Recent. A table that does not answer loses the entry's
// durable copy only: the Recorder logs a warning beside the log line, and the action it
// records stands.
//
// See docs/STATE.md for the item, and the DynamoDB documentation on the query it serves:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html
package audit
