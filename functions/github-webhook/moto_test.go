package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/forward"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/guard"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/state/statetest"
	"github.com/google/go-cmp/cmp"
)

// countingSSM is the real SSM client, counting the GetParameters calls and the names asked for.
type countingSSM struct {
	*ssm.Client
	mu    sync.Mutex
	calls [][]string
}

func (c *countingSSM) GetParameters(ctx context.Context, in *ssm.GetParametersInput, opts ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	c.mu.Lock()
	c.calls = append(c.calls, slices.Sorted(slices.Values(in.Names)))
	c.mu.Unlock()
	return c.Client.GetParameters(ctx, in, opts...)
}

// TestWithMoto runs the handler against a real moto_server: the secrets come from SSM on the
// first delivery and from the cache after, and forwarded events reach an SQS queue through an
// EventBridge rule on the bus, shaped as deploy-notify expects them.
func TestWithMoto(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	moto := mototest.Start(t)
	awsCfg := moto.Config(t)
	ssmClient := &countingSSM{Client: ssm.NewFromConfig(awsCfg)}
	eb := eventbridge.NewFromConfig(awsCfg)
	queue := sqs.NewFromConfig(awsCfg)

	for name, value := range map[string]string{
		"/chatops-test/" + secrets.GitHubWebhookSecret: testSecret,
		"/chatops-test/" + secrets.DiscordBotToken:     testBotToken,
	} {
		if _, err := ssmClient.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeSecureString,
		}); err != nil {
			t.Fatal(err)
		}
	}
	queueURL := busToQueue(t, eb, queue, "chatops-events")

	discord := newFakeDiscord(t)
	cfg := testConfig()
	cfg.ParameterPrefix = "/chatops-test"
	dynamo, tableName := statetest.Create(t, moto)
	cfg.Table = tableName
	records := state.New(dynamo, cfg.Table, time.Now)
	deliveries := guard.New(records, time.Now)
	h := newHandler(cfg, secrets.New(ssmClient, cfg.ParameterPrefix, secretsTTL), forward.New(eb, cfg.EventBus),
		deliveries, records, testDiscordClient(discord.URL), slog.New(slog.NewJSONHandler(t.Output(), nil)))

	run := githubapptest.Payload(t, "workflow_run.completed")
	deploy := githubapptest.Payload(t, "deployment_status.created")
	pr := delivery{event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened")}
	sent := []delivery{
		{event: "workflow_run", body: run, id: "0f4b1a3e-0000-4000-8000-000000000002"},
		pr,
		// Form-encoded: the detail is the decoded payload field, not the form.
		{event: "deployment_status", body: form(deploy), contentType: "application/x-www-form-urlencoded", id: "0f4b1a3e-0000-4000-8000-000000000001"},
	}
	for _, d := range sent {
		resp, err := h.handle(ctx, d.request())
		if err != nil || resp.StatusCode/100 != 2 {
			t.Fatalf("%s: status %d %q, error %v", d.event, resp.StatusCode, resp.Body, err)
		}
	}

	if diff := cmp.Diff([][]string{{"/chatops-test/discord/bot-token", "/chatops-test/github/webhook-secret"}}, ssmClient.calls); diff != "" {
		t.Errorf("GetParameters calls (-want +got): one batched call on the cold start, then the cache:\n%s", diff)
	}
	if n := len(discord.Created("")); n != 1 {
		t.Errorf("%d messages posted, want 1", n)
	}
	claimedAt := time.Now()

	// The claim is in the table as the stack's TTL expects it, and a redelivery posts nothing.
	item, err := dynamo.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: map[string]dbtypes.AttributeValue{
		"pk": &dbtypes.AttributeValueMemberS{Value: "delivery#" + testDelivery}, "sk": &dbtypes.AttributeValueMemberS{Value: "delivery"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var claim struct {
		Event     string `dynamodbav:"event"`
		ExpiresAt int64  `dynamodbav:"expires_at"`
	}
	if err := attributevalue.UnmarshalMap(item.Item, &claim); err != nil || claim.Event != "pull_request" ||
		time.Unix(claim.ExpiresAt, 0).Sub(claimedAt).Round(time.Hour) != guard.TTL {
		t.Errorf("claim %v (%v), want the pull_request's, expires_at epoch seconds 7 days on", item.Item, err)
	}
	if resp, err := h.handle(ctx, pr.request()); err != nil || resp.StatusCode != http.StatusOK || len(discord.Requests()) != 1 {
		t.Errorf("redelivery: status %d %q, error %v, %d Discord requests; want 200 and still one request",
			resp.StatusCode, resp.Body, err, len(discord.Requests()))
	}

	got := receive(t, queue, queueURL, 2)
	want := map[string]json.RawMessage{"workflow_run": run, "deployment_status": deploy}
	for _, ev := range got {
		if ev.Source != "chatops.github" {
			t.Errorf("source %q, want chatops.github", ev.Source)
		}
		payload, ok := want[ev.DetailType]
		if !ok {
			t.Errorf("unexpected detail-type %q", ev.DetailType)
			continue
		}
		delete(want, ev.DetailType)
		if diff := cmp.Diff(decode(t, payload), decode(t, ev.Detail)); diff != "" {
			t.Errorf("%s detail differs from the payload GitHub sent (-want +got):\n%s", ev.DetailType, diff)
		}
	}
	if len(want) != 0 {
		t.Errorf("never arrived: %v", slices.Collect(maps.Keys(want)))
	}

	t.Run("bus missing", func(t *testing.T) {
		h := newHandler(cfg, secrets.New(ssmClient, cfg.ParameterPrefix, secretsTTL), forward.New(eb, "no-such-bus"),
			deliveries, records, testDiscordClient(discord.URL), slog.New(slog.NewJSONHandler(t.Output(), nil)))
		resp, err := h.handle(ctx, delivery{event: "workflow_run", body: run, id: "0f4b1a3e-0000-4000-8000-000000000003"}.request())
		if err != nil || resp.StatusCode != http.StatusBadGateway {
			t.Errorf("status %d, error %v; want 502", resp.StatusCode, err)
		}
	})

	t.Run("wrong secret in SSM", func(t *testing.T) {
		if _, err := ssmClient.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String("/chatops-other/" + secrets.GitHubWebhookSecret), Value: aws.String("another secret"),
			Type: ssmtypes.ParameterTypeSecureString,
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := ssmClient.PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String("/chatops-other/" + secrets.DiscordBotToken), Value: aws.String(testBotToken),
			Type: ssmtypes.ParameterTypeSecureString,
		}); err != nil {
			t.Fatal(err)
		}
		h := newHandler(cfg, secrets.New(ssmClient, "/chatops-other", secretsTTL), forward.New(eb, cfg.EventBus),
			deliveries, records, testDiscordClient(discord.URL), slog.New(slog.NewJSONHandler(t.Output(), nil)))
		resp, err := h.handle(ctx, delivery{event: "workflow_run", body: run}.request())
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("status %d, error %v; want 401", resp.StatusCode, err)
		}
	})
}

// busToQueue creates the bus and an SQS queue that receives, through a rule, the events
// deploy-notify subscribes to. It returns the queue URL.
func busToQueue(t *testing.T, eb *eventbridge.Client, queue *sqs.Client, bus string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
		t.Fatal(err)
	}
	q, err := queue.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("github-events")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := queue.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatal(err)
	}
	pattern := `{"source":["chatops.github"],"detail-type":["workflow_run","deployment_status"]}`
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String("github-to-queue"), EventBusName: aws.String(bus), EventPattern: aws.String(pattern),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String("github-to-queue"), EventBusName: aws.String(bus),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}},
	}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl)
}

// busEvent is an EventBridge event as a rule delivers it to SQS.
type busEvent struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

// receive reads n events from the queue. The first receive normally has them all, as moto
// queues a rule's matches before PutEvents returns; the limit, a minute, only ends the wait for
// an event that never comes, however slowly a loaded moto answers.
func receive(t *testing.T, queue *sqs.Client, url string, n int) []busEvent {
	t.Helper()
	var out []busEvent
	deadline := time.Now().Add(time.Minute)
	for len(out) < n && time.Now().Before(deadline) {
		resp, err := queue.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range resp.Messages {
			var ev busEvent
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatalf("queue message %q: %v", aws.ToString(m.Body), err)
			}
			out = append(out, ev)
		}
	}
	if len(out) != n {
		t.Errorf("%d events arrived on the queue, want %d", len(out), n)
	}
	return out
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %.80q: %v", b, err)
	}
	return v
}
