package app

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/local/internal/demo"
)

// TestDemoState checks what the demo created in moto before the functions started: the state
// table CHATOPS_TABLE names, with the stack's key schema and TTL, and the dead-letter queues
// DEAD_LETTER_QUEUES names for cost-cron, one per asynchronously invoked function.
func TestDemoState(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	cfg, err := e2e.local.AWSConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := e2e.local.Contract["CHATOPS_TABLE"]
	if name != demo.Table {
		t.Errorf("CHATOPS_TABLE = %q, want %q", name, demo.Table)
	}
	db := dynamodb.NewFromConfig(cfg)
	table, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]dbtypes.KeyType{}
	for _, k := range table.Table.KeySchema {
		keys[aws.ToString(k.AttributeName)] = k.KeyType
	}
	if diff := cmp.Diff(map[string]dbtypes.KeyType{"pk": dbtypes.KeyTypeHash, "sk": dbtypes.KeyTypeRange}, keys); diff != "" {
		t.Errorf("key schema (-want +got):\n%s", diff)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d.TimeToLiveStatus != dbtypes.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "expires_at" {
		t.Errorf("TTL %s on %q, want ENABLED on expires_at", d.TimeToLiveStatus, aws.ToString(d.AttributeName))
	}

	queues := e2e.local.Contract["DEAD_LETTER_QUEUES"]
	var functions []string
	for _, q := range strings.Split(queues, ",") {
		fn, url, _ := strings.Cut(q, "=")
		functions = append(functions, fn)
		if _, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url)}); err != nil {
			t.Errorf("%s's queue %q: %v", fn, url, err)
		}
	}
	if diff := cmp.Diff([]string{"interactions", "cost-cron", "deploy-notify"}, functions); diff != "" {
		t.Errorf("DEAD_LETTER_QUEUES %q (-want +got):\n%s", queues, diff)
	}
}
