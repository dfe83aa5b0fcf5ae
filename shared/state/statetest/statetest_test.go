package statetest_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// schema is what a table's description says about its keys, billing and TTL.
type schema struct {
	Attributes  []types.AttributeDefinition
	Keys        []types.KeySchemaElement
	Billing     types.BillingMode
	Status      types.TableStatus
	TTLStatus   types.TimeToLiveStatus
	TTLAttrName string
}

func describe(t *testing.T, client *dynamodb.Client, name string) schema {
	t.Helper()
	ctx := context.Background()
	table, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	s := schema{
		Attributes:  table.Table.AttributeDefinitions,
		Keys:        table.Table.KeySchema,
		Status:      table.Table.TableStatus,
		TTLStatus:   ttl.TimeToLiveDescription.TimeToLiveStatus,
		TTLAttrName: aws.ToString(ttl.TimeToLiveDescription.AttributeName),
	}
	if table.Table.BillingModeSummary != nil {
		s.Billing = table.Table.BillingModeSummary.BillingMode
	}
	return s
}

func TestCreate(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)

	client, name := statetest.Create(t, moto)
	_, other := statetest.Create(t, moto)
	if name == other {
		t.Errorf("two tables in one test share the name %q", name)
	}
	if !regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`).MatchString(name) {
		t.Errorf("%q is not a valid DynamoDB table name", name)
	}

	want := schema{
		Attributes: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		Keys: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		Billing:     types.BillingModePayPerRequest,
		Status:      types.TableStatusActive,
		TTLStatus:   types.TimeToLiveStatusEnabled,
		TTLAttrName: "expires_at",
	}
	if diff := cmp.Diff(want, describe(t, client, name), cmp.AllowUnexported(types.AttributeDefinition{}, types.KeySchemaElement{})); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}

	// A Table from New works on its own table, measuring time by the clock it was given.
	clock := statetest.NewClock(time.Date(2025, 10, 18, 0, 0, 0, 0, time.UTC))
	table := statetest.New(t, moto, clock.Now)
	key := state.Key{PK: "report#1", SK: "2025-10-18"}
	if err := table.Claim(context.Background(), key, time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if err := table.Claim(context.Background(), key, time.Hour, nil); err != nil {
		t.Errorf("claim after the clock passed the TTL: %v", err)
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 10, 18, 9, 0, 0, 0, time.UTC)
	c := statetest.NewClock(at)
	if got := c.Now(); !got.Equal(at) {
		t.Errorf("Now() = %s, want %s", got, at)
	}
	c.Advance(3 * time.Hour)
	if got, want := c.Now(), at.Add(3*time.Hour); !got.Equal(want) {
		t.Errorf("after Advance, Now() = %s, want %s", got, want)
	}
}
