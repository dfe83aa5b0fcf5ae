package main

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// alarmReporter is the function that posts the dead-letter alarm's state changes. cost-cron is
// the one function outside the event paths whose queues the alarm watches (the interactions work
// invocation and the deploy events), so it can still speak when deploy-notify or the webhook path
// is failing; it already posts account reports to the channel.
const alarmReporter = costCron

// addDeadLetterAlarm creates one alarm over every dead-letter queue (the sum of their visible
// messages, so one alarm costs what one queue's did) and routes its state changes from the default
// event bus, where CloudWatch sends them for free, to alarmReporter.
//
// The alarm's event carries the sum only, not each queue's count, so alarmReporter gets the
// queues in DEAD_LETTER_QUEUES (comma-separated function=queue URL, in functionSpecs order) and
// sqs:GetQueueAttributes on them to say which queue holds how many.
func (s *chatOps) addDeadLetterAlarm() {
	metrics := map[string]awscloudwatch.IMetric{}
	var queues []string
	var queueARNs []*string
	for _, spec := range functionSpecs() {
		dlq, ok := s.dlqs[spec.name]
		if !ok {
			continue
		}
		// The metric's id shows in the alarm's event (configuration.metrics): the function's.
		metrics[strings.ToLower(spec.id[:1])+spec.id[1:]] = dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Period:    awscdk.Duration_Minutes(jsii.Number(5)),
			Statistic: jsii.String("Maximum"),
		})
		queues = append(queues, spec.name+"="+*dlq.QueueUrl())
		queueARNs = append(queueARNs, dlq.QueueArn())
	}
	alarm := awscloudwatch.NewAlarm(s.stack, jsii.String("DeadLetterAlarm"), &awscloudwatch.AlarmProps{
		AlarmDescription: jsii.String("Events failed and wait in a dead-letter queue of the ChatOps suite (" + alarmReporter + " posts which one)"),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("SUM(METRICS())"),
			UsingMetrics: &metrics,
			Label:        jsii.String("Messages in the dead-letter queues"),
			Period:       awscdk.Duration_Minutes(jsii.Number(5)),
		}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})

	reporter := s.functions[alarmReporter]
	reporter.AddEnvironment(jsii.String("DEAD_LETTER_QUEUES"), jsii.String(strings.Join(queues, ",")), nil)
	s.roles[alarmReporter].AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:GetQueueAttributes"),
		Resources: &queueARNs,
	}))

	awsevents.NewRule(s.stack, jsii.String("DeadLetterAlarmRule"), &awsevents.RuleProps{
		Description: jsii.String("The dead-letter alarm going into or out of ALARM, to " + alarmReporter),
		// No EventBus: the default bus, where CloudWatch puts alarm state changes.
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.cloudwatch"),
			DetailType: jsii.Strings("CloudWatch Alarm State Change"),
			Resources:  &[]*string{alarm.AlarmArn()},
			// Into ALARM or out of it; not INSUFFICIENT_DATA <-> OK (the alarm's first evaluation).
			Detail: &map[string]any{"$or": []any{
				map[string]any{"state": map[string]any{"value": []any{"ALARM"}}},
				map[string]any{"previousState": map[string]any{"value": []any{"ALARM"}}},
			}},
		},
		// As the cost schedule's target, the other way into the same function.
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(reporter, &awseventstargets.LambdaFunctionProps{
			RetryAttempts:   jsii.Number(2),
			MaxEventAge:     awscdk.Duration_Hours(jsii.Number(1)),
			DeadLetterQueue: s.dlqs[alarmReporter],
		})},
	})
}

// sendOnlyQueue is a Lambda on-failure destination that grants the function sqs:SendMessage on the
// queue and nothing more: CDK's own SqsDestination grants sqs:GetQueueAttributes and
// sqs:GetQueueUrl too, which Lambda does not need to deliver a failed event. jsii calls it back
// through a pointer.
type sendOnlyQueue struct {
	queue awssqs.IQueue
}

// Bind grants the send and names the queue as the destination.
func (d *sendOnlyQueue) Bind(_ constructs.Construct, fn awslambda.IFunction, _ *awslambda.DestinationOptions) *awslambda.DestinationConfig {
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: &[]*string{d.queue.QueueArn()},
	}))
	return &awslambda.DestinationConfig{Destination: d.queue.QueueArn()}
}
