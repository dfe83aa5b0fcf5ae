package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// tableAccess is one grant of a function in the state table: these actions, on items whose
// partition key matches one of the leading-key patterns (IAM StringLike: `*` matches any
// characters, a pattern without it matches exactly that key).
type tableAccess struct {
	actions     []string
	leadingKeys []string
}

// tableAccessByFunction is the one place that says which function touches which item kinds of the
// state table, and how (the item kinds of the state design: the pk prefix names the kind). A
// feature that adds an item kind or a call adds it here; the stack test pins the result. A
// function whose kinds need different actions gets one grant per set of actions, so that no
// kind gets an action its function never calls on it.
func tableAccessByFunction() map[string][]tableAccess {
	return map[string][]tableAccess{
		githubWebhook: {
			// Claims of deliveries (PutItem, DeleteItem to release).
			{actions: []string{"dynamodb:PutItem", "dynamodb:DeleteItem"}, leadingKeys: []string{"delivery#*"}},
			// The records of each pull request and issue, one per channel: the channels that
			// have a message (Query), each read, then created or updated on its version
			// (conditional PutItem). Never deleted: its TTL ends it.
			{actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"}, leadingKeys: []string{"pr#*", "issue#*"}},
			// The repositories' subscriptions (/subscribe), read to choose the channels.
			{actions: []string{"dynamodb:Query"}, leadingKeys: []string{"subscription"}},
			// The review reminder's claim of each channel and day (PutItem, DeleteItem to
			// release after a failed post).
			{actions: []string{"dynamodb:PutItem", "dynamodb:DeleteItem"}, leadingKeys: []string{"remind#*"}},
			// The Discord members who linked the reviewers' GitHub logins (/link), for the reminder's mentions.
			{actions: []string{"dynamodb:GetItem"}, leadingKeys: []string{"login#*"}},
		},
		deployNotify: {
			// Claims of events and run states (PutItem, DeleteItem to release), and the
			// results of deploys in the audit trail (PutItem).
			{actions: []string{"dynamodb:PutItem", "dynamodb:DeleteItem"}, leadingKeys: []string{"event#*", "run#*", "audit"}},
			// Who requested and approved a deploy, for the reply to its card.
			{actions: []string{"dynamodb:GetItem"}, leadingKeys: []string{"approval#*"}},
			// The deploy lock of a finished run, released.
			{actions: []string{"dynamodb:DeleteItem"}, leadingKeys: []string{"lock#*"}},
		},
		costCron: {{
			actions:     []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"},
			leadingKeys: []string{"report#*", "cost#*"},
		}},
		interactions: {
			{
				actions:     []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"},
				leadingKeys: []string{"approval#*", "work#*", "cost#*", "audit"},
			},
			// The deploy lock: taken when a dispatch succeeds, read when a card is made.
			{actions: []string{"dynamodb:PutItem", "dynamodb:Query"}, leadingKeys: []string{"lock#*"}},
			// /rollback's choices: written by a card, read by autocomplete.
			{actions: []string{"dynamodb:GetItem", "dynamodb:PutItem"}, leadingKeys: []string{"releases#*"}},
			// The channels' subscriptions: /subscribe writes, /unsubscribe reads and deletes,
			// /subscriptions queries.
			{actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"}, leadingKeys: []string{"subscription"}},
			// The members' GitHub logins, both ways (/link writes and moves them, /assign reads
			// a member's), and the device codes waiting for their member (/link).
			{actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}, leadingKeys: []string{"link#*", "login#*", "device#*"}},
		},
	}
}

// The state table's key and TTL attributes (CONTRACT.md, CHATOPS_TABLE).
const (
	tablePartitionKey = "pk"
	tableSortKey      = "sk"
	tableTTLAttribute = "expires_at"
)

// addStateTable creates the suite's durable state: one on-demand table with point-in-time recovery
// and a TTL, kept when the stack is deleted (it holds the audit trail), and its name as an output
// for `make local` against a real account.
func (s *chatOps) addStateTable() awsdynamodb.Table {
	table := awsdynamodb.NewTable(s.stack, jsii.String("StateTable"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(tablePartitionKey), Type: awsdynamodb.AttributeType_STRING},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String(tableSortKey), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		TimeToLiveAttribute: jsii.String(tableTTLAttribute),
		RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
	})
	awscdk.NewCfnOutput(s.stack, jsii.String("TableName"), &awscdk.CfnOutputProps{
		Description: jsii.String("The state table (CHATOPS_TABLE); make local against this account uses it"),
		Value:       table.TableName(),
	})
	return table
}

// grantTable gives each function the actions of tableAccessByFunction on the table, only for items
// whose partition key is one of its own kinds.
func (s *chatOps) grantTable(table awsdynamodb.Table) {
	for name, grants := range tableAccessByFunction() {
		for _, access := range grants {
			s.roles[name].AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings(access.actions...),
				Resources: &[]*string{table.TableArn()},
				Conditions: &map[string]any{
					"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": access.leadingKeys},
				},
			}))
		}
	}
}
