package state

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table's own attributes. An item passed to a write must not marshal to any of them.
const (
	// AttrPK is the partition key (a string).
	AttrPK = "pk"
	// AttrSK is the sort key (a string).
	AttrSK = "sk"
	// AttrExpiresAt is the TTL attribute: epoch seconds, a number.
	AttrExpiresAt = "expires_at"
	// AttrVersion is the version of an item written by Create or Update, a number.
	AttrVersion = "version"
)

// API is the part of the DynamoDB client a Table calls; *dynamodb.Client satisfies it.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Key is an item's primary key.
type Key struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
}

// String returns pk/sk, for errors and logs.
func (k Key) String() string { return k.PK + "/" + k.SK }

// meta holds the table's own attributes of an item.
type meta struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	ExpiresAt int64  `dynamodbav:"expires_at,omitempty"`
	Version   int64  `dynamodbav:"version,omitempty"`
}

// Table reads and writes the state table.
type Table struct {
	client API
	name   string
	now    func() time.Time
}

// New returns a Table on the table named name. now is the clock that TTLs and expiry are
// measured by; nil means time.Now.
func New(client API, name string, now func() time.Time) *Table {
	if now == nil {
		now = time.Now
	}
	return &Table{client: client, name: name, now: now}
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// Get reads the item at key into out (a pointer, as for attributevalue.UnmarshalMap) and
// returns its version (0 for an item not written by Create or Update). It returns ErrNotFound
// when there is no item or the item has expired. The read is strongly consistent, so a writer
// that lost a race reads the winner.
func (t *Table) Get(ctx context.Context, key Key, out any) (int64, error) {
	k, err := attributevalue.MarshalMap(key)
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", key, err)
	}
	res, err := t.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(t.name),
		Key:            k,
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", key, err)
	}
	m, err := live(res.Item, t.now().Unix())
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", key, err)
	}
	if m == nil {
		return 0, fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	if out != nil {
		if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
			return 0, fmt.Errorf("get %s: %w", key, err)
		}
	}
	return m.Version, nil
}

// Put writes v at key whatever is there, expiring after ttl (never when ttl <= 0). It suits
// items that any writer may replace, such as a cache entry. The item has no version.
func (t *Table) Put(ctx context.Context, key Key, ttl time.Duration, v any) error {
	av, err := item(key, t.now(), ttl, 0, v)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if _, err := t.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(t.name), Item: av}); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Claim writes attrs (may be nil) at key, expiring after ttl, if no live item is there: the
// key is absent or its item has expired. Of any number of concurrent claims exactly one
// succeeds; the others get a *ClaimedError (errors.Is ErrClaimed) that carries the holder's
// attributes. Release gives the key up, so that a redelivery can claim it again.
func (t *Table) Claim(ctx context.Context, key Key, ttl time.Duration, attrs any) error {
	now := t.now()
	av, err := item(key, now, ttl, 0, attrs)
	if err != nil {
		return fmt.Errorf("claim %s: %w", key, err)
	}
	held, err := t.putIfAbsent(ctx, av, now)
	if err != nil {
		return fmt.Errorf("claim %s: %w", key, err)
	}
	if held != nil {
		return &ClaimedError{Key: key, ExpiresAt: expiry(held.meta), item: held.item}
	}
	return nil
}

// Release deletes the item at key, whatever it is. Releasing an absent key is not an error.
func (t *Table) Release(ctx context.Context, key Key) error {
	k, err := attributevalue.MarshalMap(key)
	if err != nil {
		return fmt.Errorf("release %s: %w", key, err)
	}
	if _, err := t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(t.name), Key: k}); err != nil {
		return fmt.Errorf("release %s: %w", key, err)
	}
	return nil
}

// Create writes v at key as version 1, expiring after ttl, if no live item is there. When
// one is, it returns a *ConflictError (errors.Is ErrConflict) that carries the current item.
func (t *Table) Create(ctx context.Context, key Key, ttl time.Duration, v any) (int64, error) {
	now := t.now()
	av, err := item(key, now, ttl, 1, v)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", key, err)
	}
	held, err := t.putIfAbsent(ctx, av, now)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", key, err)
	}
	if held != nil {
		return 0, &ConflictError{Key: key, Version: held.meta.Version, item: held.item}
	}
	return 1, nil
}

// Update replaces the item at key with v, expiring after ttl, if the live item there is at
// version expected, and returns the new version (expected+1). When the version has moved it
// returns a *ConflictError (errors.Is ErrConflict) carrying the current item and version, so
// that of two concurrent transitions from one version exactly one wins and the loser can see
// the winner. When there is no live item it returns ErrNotFound.
//
// Update replaces the whole item (a conditional PutItem) rather than merging attributes, so an
// attribute that v no longer marshals (omitempty) is gone afterwards.
func (t *Table) Update(ctx context.Context, key Key, expected int64, ttl time.Duration, v any) (int64, error) {
	now := t.now()
	av, err := item(key, now, ttl, expected+1, v)
	if err != nil {
		return 0, fmt.Errorf("update %s: %w", key, err)
	}
	current, err := t.putIf(ctx, av, expression.Name(AttrVersion).Equal(expression.Value(expected)).And(notExpired(now)), now)
	if err != nil {
		return 0, fmt.Errorf("update %s: %w", key, err)
	}
	if current != nil {
		return 0, &ConflictError{Key: key, Version: current.meta.Version, item: current.item}
	}
	return expected + 1, nil
}

// stored is an item a failed condition returned: the live item that made it fail.
type stored struct {
	meta meta
	item map[string]types.AttributeValue
}

// putIfAbsent writes av if its key is absent or its item expired by now; otherwise it returns
// the live item.
func (t *Table) putIfAbsent(ctx context.Context, av map[string]types.AttributeValue, now time.Time) (*stored, error) {
	cond := expression.Name(AttrPK).AttributeNotExists().Or(expression.Name(AttrExpiresAt).LessThanEqual(expression.Value(now.Unix())))
	return t.putIf(ctx, av, cond, now)
}

// putIf writes av if cond holds. When it does not, putIf returns the live item at the key,
// which DynamoDB sends back with the failure (ReturnValuesOnConditionCheckFailure), or
// ErrNotFound when there is none.
func (t *Table) putIf(ctx context.Context, av map[string]types.AttributeValue, cond expression.ConditionBuilder, now time.Time) (*stored, error) {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	_, err = t.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(t.name),
		Item:                                av,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	if !errors.As(err, &failed) {
		return nil, err
	}
	m, err := live(failed.Item, now.Unix())
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, ErrNotFound
	}
	return &stored{meta: *m, item: failed.Item}, nil
}

// item marshals v and adds the table's attributes: key, expires_at (now+ttl) when ttl > 0,
// and version when version > 0.
func item(key Key, now time.Time, ttl time.Duration, version int64, v any) (map[string]types.AttributeValue, error) {
	m := meta{PK: key.PK, SK: key.SK, Version: version}
	if ttl > 0 {
		m.ExpiresAt = now.Add(ttl).Unix()
	}
	av, err := attributevalue.MarshalMap(m)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return av, nil
	}
	attrs, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, err
	}
	for name, value := range attrs {
		switch name {
		case AttrPK, AttrSK, AttrExpiresAt, AttrVersion:
			return nil, fmt.Errorf("item attribute %q is the table's own", name)
		}
		av[name] = value
	}
	return av, nil
}

// live returns the table's attributes of av, or nil when av is absent or expired by now (epoch
// seconds).
func live(av map[string]types.AttributeValue, now int64) (*meta, error) {
	if len(av) == 0 {
		return nil, nil
	}
	var m meta
	if err := attributevalue.UnmarshalMap(av, &m); err != nil {
		return nil, err
	}
	if m.ExpiresAt != 0 && m.ExpiresAt <= now {
		return nil, nil
	}
	return &m, nil
}

// notExpired is the condition that an item has no expires_at or has not reached it by now.
func notExpired(now time.Time) expression.ConditionBuilder {
	return expression.Name(AttrExpiresAt).AttributeNotExists().Or(expression.Name(AttrExpiresAt).GreaterThan(expression.Value(now.Unix())))
}

// expiry returns when an item expires; the zero time when it never does.
func expiry(m meta) time.Time {
	if m.ExpiresAt == 0 {
		return time.Time{}
	}
	return time.Unix(m.ExpiresAt, 0).UTC()
}

// TimeSortKey returns a sort key that orders by t, then id: t in UTC as RFC 3339 with exactly
// nine fractional digits, "#", id. RFC3339Nano drops trailing zeros, so its strings do not sort
// as their times do ("…:05Z" sorts after "…:05.1Z"); a fixed width does.
func TimeSortKey(t time.Time, id string) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") + "#" + id
}
