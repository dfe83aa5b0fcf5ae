// Package audittest reads the audit trail's items as DynamoDB holds them, for tests that check
// what the audit package cannot show through its own reads: each entry's TTL.
package audittest

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/state"
)

// Querier is the part of the DynamoDB client Expiries calls; *dynamodb.Client satisfies it.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Expiries returns the expires_at (epoch seconds) of every audit entry in the table named
// name, by sort key, expired or not; 0 for an entry without one. It reads one page: enough for
// a test's entries.
func Expiries(tb testing.TB, client Querier, name string) map[string]int64 {
	tb.Helper()
	out, err := client.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String(name),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: audit.PK}},
	})
	if err != nil {
		tb.Fatalf("query the audit entries: %v", err)
	}
	got := make(map[string]int64, len(out.Items))
	for _, item := range out.Items {
		sk, _ := item[state.AttrSK].(*types.AttributeValueMemberS)
		if sk == nil {
			tb.Fatalf("audit item without a sort key: %v", item)
		}
		got[sk.Value] = 0
		if n, ok := item[state.AttrExpiresAt].(*types.AttributeValueMemberN); ok {
			v, err := strconv.ParseInt(n.Value, 10, 64)
			if err != nil {
				tb.Fatalf("audit item %s: expires_at %q", sk.Value, n.Value)
			}
			got[sk.Value] = v
		}
	}
	return got
}
