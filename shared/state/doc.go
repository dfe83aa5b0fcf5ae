// Package state is the suite's one DynamoDB table: conditional claims that make a delivery,
// an event or a report happen once; versioned records (approvals) of which exactly one
// concurrent transition wins; TTLs on every item; newest-first queries (the audit trail); and
// the classification of a table fault, so that a caller can choose to post anyway or to fail
// closed.
//
// The table has a string partition key pk, a string sort key sk, a TTL attribute expires_at
// (epoch seconds) and a version attribute (a number) on versioned items. DynamoDB deletes an
// expired item lazily, up to a few days after it expires, so every read and every condition
// here treats expires_at <= now as absent. docs/STATE.md lists the item kinds.
//
// Items are marshalled with attributevalue (dynamodbav struct tags) and conditions are built
// with the expression package. The SDK's standard retryer already retries throttling and 5xx
// answers (3 attempts, with backoff); this package adds no retry loop of its own.
//
// DynamoDB documentation:
//   - Conditional writes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalUpdate
//   - Condition expressions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
//   - TTL, and why expired items must be filtered: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
//   - Query, Limit and filter expressions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html
//   - Errors and retries: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
package state
