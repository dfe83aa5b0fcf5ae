package state

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Defaults for a QueryInput that leaves them zero.
const (
	// DefaultFilteredPageSize is the page size of a filtered query: a filter applies after a
	// page is read, so a page of Limit items could hold no match at all.
	DefaultFilteredPageSize = 100
	// DefaultMaxPages bounds the pages one query reads.
	DefaultMaxPages = 10
)

// QueryInput says which items of one partition Query returns.
type QueryInput struct {
	// PK is the partition.
	PK string
	// Limit is the most items returned; it must be positive.
	Limit int32
	// Filter, when set, keeps only the items it matches, for example
	// expression.Name("environment").Equal(expression.Value("prod")). DynamoDB does not allow a
	// filter on pk or sk.
	Filter expression.ConditionBuilder
	// PageSize is how many items DynamoDB reads a page (its Limit, applied before the filter).
	// Zero means Limit without a filter and max(Limit, DefaultFilteredPageSize) with one.
	PageSize int32
	// MaxPages bounds the pages read; zero means DefaultMaxPages.
	MaxPages int
}

// Query reads the live items of partition in.PK that match in.Filter, newest first (highest
// sort key first), into out (a pointer to a slice, as for attributevalue.UnmarshalListOfMaps),
// at most in.Limit of them. It reads pages until it has in.Limit items or reaches the end of
// the partition, and at most in.MaxPages pages: truncated reports that it stopped at that
// bound, so older matches may exist beyond the items returned.
func (t *Table) Query(ctx context.Context, in QueryInput, out any) (truncated bool, err error) {
	if in.Limit <= 0 {
		return false, fmt.Errorf("query %s: limit %d is not positive", in.PK, in.Limit)
	}
	pageSize, maxPages := in.PageSize, in.MaxPages
	if pageSize <= 0 {
		pageSize = in.Limit
		if in.Filter.IsSet() {
			pageSize = max(in.Limit, DefaultFilteredPageSize)
		}
	}
	if maxPages <= 0 {
		maxPages = DefaultMaxPages
	}
	filter := notExpired(t.now())
	if in.Filter.IsSet() {
		filter = filter.And(in.Filter)
	}
	expr, err := expression.NewBuilder().
		WithKeyCondition(expression.Key(AttrPK).Equal(expression.Value(in.PK))).
		WithFilter(filter).
		Build()
	if err != nil {
		return false, fmt.Errorf("query %s: %w", in.PK, err)
	}
	pages := dynamodb.NewQueryPaginator(t.client, &dynamodb.QueryInput{
		TableName:                 aws.String(t.name),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(pageSize),
	})
	var items []map[string]types.AttributeValue
	for page := 0; pages.HasMorePages() && len(items) < int(in.Limit); page++ {
		if page == maxPages {
			truncated = true
			break
		}
		res, err := pages.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("query %s: %w", in.PK, err)
		}
		items = append(items, res.Items...)
	}
	if len(items) > int(in.Limit) {
		items = items[:in.Limit]
	}
	if err := attributevalue.UnmarshalListOfMaps(items, out); err != nil {
		return false, fmt.Errorf("query %s: %w", in.PK, err)
	}
	return truncated, nil
}
