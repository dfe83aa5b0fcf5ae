package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// The SSM SecureString parameters of the contract, relative to the parameter prefix. CloudFormation
// cannot create SecureString parameters: docs/DEPLOY.md gives the `aws ssm put-parameter` commands.
const (
	botTokenParameter      = "discord/bot-token"
	privateKeyParameter    = "github/private-key"
	webhookSecretParameter = "github/webhook-secret"
)

// interactionsWorkRetryAttempts is how many times Lambda retries a failed work invocation of
// interactions (the async self-invocation). It was 0 because a retried /deploy approval would
// dispatch the workflow twice; 2 is right only together with the idempotent work invocation
// (issue 14: a work claim per interaction and step in the state table), and the two are merged
// together. Set it back to 0 if the work is not idempotent.
const interactionsWorkRetryAttempts = 2

// asyncPolicy bounds the retries of an asynchronous invocation; what is still failing after it
// goes to the function's dead-letter queue.
type asyncPolicy struct {
	retryAttempts float64
	maxEventAge   time.Duration
}

// functionSpec is what the stack knows about one function beyond its environment.
type functionSpec struct {
	name        string
	id          string // construct id prefix
	description string
	memoryMB    float64
	timeout     time.Duration
	// parameters are the secrets the function reads, relative to the prefix.
	parameters []string
	// async is set for functions invoked asynchronously (by themselves, EventBridge or Scheduler).
	async *asyncPolicy
}

// functionSpecs lists the four functions. 128 MB is enough for each: they are small Go binaries
// that wait on the network; none has shown a need for more.
func functionSpecs() []functionSpec {
	return []functionSpec{{
		name: interactions, id: "Interactions",
		description: "Discord interactions: verifies and acknowledges within 3 s, then does the slow work in an async self-invocation",
		// The acknowledgement must reach Discord within 3 s (the handler's own deadline); the
		// async self-invocation has ~30 s of work, with headroom for one slow GitHub or Cost
		// Explorer call. API Gateway cuts synchronous calls at 30 s whatever this says.
		memoryMB: 128, timeout: 40 * time.Second,
		// Only the GitHub App key: its Discord calls go through the interaction webhook, which
		// takes the interaction's token, not the bot's.
		parameters: []string{privateKeyParameter},
		// A failed invocation lands in the dead-letter queue; the interaction token, and so the
		// card, is dead after 15 minutes, which bounds the event age.
		async: &asyncPolicy{retryAttempts: interactionsWorkRetryAttempts, maxEventAge: 15 * time.Minute},
	}, {
		name: githubWebhook, id: "GithubWebhook",
		description: "GitHub App webhooks: verifies, announces PRs and issues, forwards workflow_run and deployment_status to the bus",
		// GitHub gives up on a delivery after 10 s, and the handler answers within 8 s whatever
		// this says; the review reminder (invoked by its schedule) lists the open pull requests
		// of each repository and posts once per channel, with 10 s per GitHub call.
		memoryMB: 128, timeout: 30 * time.Second,
		// The App key for the reminder's GitHub calls, read on the first reminder only.
		parameters: []string{webhookSecretParameter, botTokenParameter, privateKeyParameter},
		// Only the reminder is invoked asynchronously: a failed one is retried (each channel's
		// claim keeps the retry from posting twice), then lands in the dead-letter queue.
		async: &asyncPolicy{retryAttempts: 2, maxEventAge: time.Hour},
	}, {
		name: costCron, id: "CostCron",
		description: "Daily AWS cost report to Discord (EventBridge Scheduler)",
		// A few paged Cost Explorer calls (us-east-1) and one Discord post.
		memoryMB: 128, timeout: 60 * time.Second,
		parameters: []string{botTokenParameter},
		async:      &asyncPolicy{retryAttempts: 1, maxEventAge: time.Hour},
	}, {
		name: deployNotify, id: "DeployNotify",
		description: "Deploy run and deployment status updates on the Discord approval card (EventBridge rule)",
		memoryMB:    128, timeout: 30 * time.Second,
		// It makes no GitHub calls: everything it reports is in the event.
		parameters: []string{botTokenParameter},
		async:      &asyncPolicy{retryAttempts: 2, maxEventAge: time.Hour},
	}}
}

// stackProps configures newStack.
type stackProps struct {
	awscdk.StackProps
	config config
	// functionsDir is the absolute path of the repository's functions/ folder.
	functionsDir string
}

// chatOps holds what the stack builds, for the parts that wire resources together.
type chatOps struct {
	stack     awscdk.Stack
	config    config
	functions map[string]awslambda.Function
	roles     map[string]awsiam.Role
	dlqs      map[string]awssqs.Queue
}

// newStack builds the whole suite in one stack and checks it with cdk-nag's AwsSolutions pack,
// so that every synth (the CLI's, the tests') reports findings.
func newStack(scope constructs.Construct, id string, props stackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	s := &chatOps{
		stack:     stack,
		config:    props.config,
		functions: map[string]awslambda.Function{},
		roles:     map[string]awsiam.Role{},
		dlqs:      map[string]awssqs.Queue{},
	}

	bus := awsevents.NewEventBus(stack, jsii.String("Bus"), &awsevents.EventBusProps{
		Description: jsii.String("GitHub events for the ChatOps suite (source chatops.github)"),
	})

	table := s.addStateTable()
	for _, spec := range functionSpecs() {
		env := s.config.environment(spec.name)
		env["CHATOPS_TABLE"] = *table.TableName()
		if spec.name == githubWebhook {
			env["CHATOPS_EVENT_BUS"] = *bus.EventBusName()
		}
		s.addFunction(spec, env, filepath.Join(props.functionsDir, spec.name))
	}

	s.grantFeatures(bus)
	s.grantTable(table)
	s.addDeadLetterAlarm()
	s.addAPI()
	s.addDeployEvents(bus)
	s.addCostSchedule()
	s.addReviewReminderSchedule()

	if len(s.config.unset) > 0 {
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("chatops:unset-context"), jsii.String(fmt.Sprintf(
			"context %s is empty: the stack synthesizes, but the suite cannot work until it is set (docs/DEPLOY.md)",
			strings.Join(s.config.unset, ", "))))
	}
	for _, w := range s.config.warnings {
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("chatops:config"), jsii.String(w))
	}
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return stack
}

// addFunction creates a function with its own role, log group and, when it is invoked
// asynchronously, a dead-letter queue.
func (s *chatOps) addFunction(spec functionSpec, env map[string]string, sourceDir string) {
	logGroup := awslogs.NewLogGroup(s.stack, jsii.String(spec.id+"Logs"), &awslogs.LogGroupProps{
		Retention: s.config.logRetention,
	})
	// A role of our own instead of CDK's default, which carries the AWS managed
	// AWSLambdaBasicExecutionRole (logs on every log group): this one writes only to its group.
	role := awsiam.NewRole(s.stack, jsii.String(spec.id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Execution role of the " + spec.name + " function"),
	})
	logGroup.GrantWrite(role)

	fn := newGoFunction(s.stack, spec.id, goFunctionProps{
		sourceDir:   sourceDir,
		description: spec.description,
		memoryMB:    spec.memoryMB,
		timeout:     spec.timeout,
		environment: env,
		role:        role,
		logGroup:    logGroup,
	})

	parameterARNs := make([]*string, len(spec.parameters))
	for i, name := range spec.parameters {
		parameterARNs[i] = s.parameterARN(name)
	}
	// The functions read their secrets with one GetParameters call (shared/secrets). The
	// parameters use the AWS managed key aws/ssm, whose key policy lets SSM decrypt for any
	// principal of the account allowed to read the parameter: no kms:Decrypt here.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ssm:GetParameters"),
		Resources: &parameterARNs,
	}))

	if spec.async != nil {
		dlq := s.deadLetterQueue(spec)
		fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
			RetryAttempts: jsii.Number(spec.async.retryAttempts),
			MaxEventAge:   awscdk.Duration_Seconds(jsii.Number(spec.async.maxEventAge.Seconds())),
			OnFailure:     &sendOnlyQueue{queue: dlq},
		})
	}
	s.functions[spec.name] = fn
	s.roles[spec.name] = role
}

// parameterARN is the ARN of one of the contract's SSM parameters.
func (s *chatOps) parameterARN(name string) *string {
	return s.stack.FormatArn(&awscdk.ArnComponents{
		Service:  jsii.String("ssm"),
		Resource: jsii.String("parameter"),
		// The prefix starts with a slash, which the ARN already has after "parameter".
		ResourceName: jsii.String(strings.TrimPrefix(s.config.parameterPrefix, "/") + "/" + name),
		ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}

// deadLetterQueue creates the encrypted queue that receives what a function could not process.
// One alarm watches all of them: see addDeadLetterAlarm.
func (s *chatOps) deadLetterQueue(spec functionSpec) awssqs.Queue {
	dlq := awssqs.NewQueue(s.stack, jsii.String(spec.id+"DeadLetterQueue"), &awssqs.QueueProps{
		// SQS-managed keys: EventBridge and Scheduler cannot send to a queue encrypted with the
		// AWS managed aws/sqs key, and a customer managed key costs more than this suite does.
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(dlq, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-SQS3"),
		Reason: jsii.String("This queue is itself a dead-letter queue: the on-failure destination of the " + spec.name + " function and the DLQ of its EventBridge rule or schedule target."),
	}}, jsii.Bool(false))
	awscdk.NewCfnOutput(s.stack, jsii.String(spec.id+"DeadLetterQueueName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Dead-letter queue of " + spec.name),
		Value:       dlq.QueueName(),
	})
	s.dlqs[spec.name] = dlq
	return dlq
}

// grantFeatures gives each function the AWS calls its features make, and nothing else.
func (s *chatOps) grantFeatures(bus awsevents.EventBus) {
	costExplorer := awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		// Cost Explorer has no resource-level permissions.
		Actions:   jsii.Strings("ce:GetCostAndUsage", "ce:GetCostForecast"),
		Resources: jsii.Strings("*"),
	})

	in := s.roles[interactions]
	// /status and /scale previews. None of these calls has resource-level permissions except the
	// ECS and EKS describes, which are kept to this account and Region.
	in.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings(
			"cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
			"ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups",
		),
		Resources: jsii.Strings("*"),
	}))
	in.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ecs:DescribeServices", "eks:DescribeCluster"),
		Resources: &[]*string{s.arn("ecs", "service/*"), s.arn("eks", "cluster/*")},
	}))
	in.AddToPrincipalPolicy(costExplorer)
	// /scale applies a change only to what its owners tagged chatops:scalable=true.
	in.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ecs:UpdateService"),
		Resources: &[]*string{s.arn("ecs", "service/*")},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:ResourceTag/chatops:scalable": "true"},
		},
	}))
	in.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("autoscaling:SetDesiredCapacity"),
		Resources: &[]*string{s.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*")},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"autoscaling:ResourceTag/chatops:scalable": "true"},
		},
	}))
	// The self-invocation. A statement in the role's default policy would make the function
	// depend on a policy that names the function (a cycle); a separate policy does not.
	awsiam.NewPolicy(s.stack, jsii.String("InteractionsSelfInvoke"), &awsiam.PolicyProps{
		Roles: &[]awsiam.IRole{in},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("lambda:InvokeFunction"),
			Resources: &[]*string{s.functions[interactions].FunctionArn()},
		})},
	})

	s.roles[costCron].AddToPrincipalPolicy(costExplorer)

	s.roles[githubWebhook].AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("events:PutEvents"),
		Resources: &[]*string{bus.EventBusArn()},
	}))

	suppressWildcards(in, "The read-only calls of /status, /cost and the /scale preview target whatever the team names in the command; CloudWatch, EC2, Auto Scaling and Cost Explorer describes have no resource-level permissions, ECS and EKS ones are limited to this account and Region. The /scale writes are limited to resources tagged chatops:scalable=true.",
		"Resource::*",
		"Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/*",
		"Resource::arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:cluster/*",
		"Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*",
	)
	suppressWildcards(s.roles[costCron], "Cost Explorer GetCostAndUsage and GetCostForecast have no resource-level permissions.", "Resource::*")
}

// suppressWildcards records why a role's default policy needs the wildcard resources listed;
// call it once the policy has all its statements. Any other wildcard is still a finding.
func suppressWildcards(role awsiam.Role, reason string, resources ...string) {
	appliesTo := make([]any, len(resources))
	for i, r := range resources {
		appliesTo[i] = r
	}
	cdknag.NagSuppressions_AddResourceSuppressions(role.Node().FindChild(jsii.String("DefaultPolicy")), &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String(reason),
		AppliesTo: &appliesTo,
	}}, jsii.Bool(true))
}

// arn is an ARN of this account and Region.
func (s *chatOps) arn(service, resource string) *string {
	return jsii.String(fmt.Sprintf("arn:%s:%s:%s:%s:%s", *awscdk.Aws_PARTITION(), service, *awscdk.Aws_REGION(), *awscdk.Aws_ACCOUNT_ID(), resource))
}

// addAPI creates the HTTP API: two routes, a throttled $default stage with access logs, and the
// URLs to give Discord and GitHub.
func (s *chatOps) addAPI() {
	api := awsapigatewayv2.NewHttpApi(s.stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description: jsii.String("Discord interactions and GitHub App webhooks"),
		// HttpApi has no throttle option: the stage is created below.
		CreateDefaultStage: jsii.Bool(false),
	})
	routes := []struct{ path, function, id string }{
		{"/interactions", interactions, "Interactions"},
		{"/github", githubWebhook, "GithubWebhook"},
	}
	for _, r := range routes {
		added := api.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(r.path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
			Integration: awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(r.id+"Integration"), s.functions[r.function], nil),
		})
		for _, route := range *added {
			cdknag.NagSuppressions_AddResourceSuppressions(route, &[]*cdknag.NagPackSuppression{{
				Id:     jsii.String("AwsSolutions-APIG4"),
				Reason: jsii.String("Discord and GitHub cannot send IAM, JWT or Lambda-authorizer credentials; the function verifies every request's signature (Ed25519 for Discord, HMAC-SHA256 for GitHub) on the raw body before doing anything."),
			}}, jsii.Bool(false))
		}
	}

	accessLogs := awslogs.NewLogGroup(s.stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention: s.config.logRetention,
	})
	awsapigatewayv2.NewHttpStage(s.stack, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(s.config.throttleRateLimit),
			BurstLimit: jsii.Number(s.config.throttleBurstLimit),
		},
		AccessLogSettings: &accessLogSettings{
			destination: awsapigatewayv2.NewLogGroupLogDestination(accessLogs),
			format:      awsapigateway.AccessLogFormat_Custom(jsii.String(accessLogFormat)),
		},
	})

	awscdk.NewCfnOutput(s.stack, jsii.String("InteractionsEndpointUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("Discord Developer Portal > your application > General Information > Interactions Endpoint URL"),
		Value:       jsii.String(*api.ApiEndpoint() + "/interactions"),
	})
	awscdk.NewCfnOutput(s.stack, jsii.String("GithubWebhookUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("GitHub App settings > Webhook URL"),
		Value:       jsii.String(*api.ApiEndpoint() + "/github"),
	})
	awscdk.NewCfnOutput(s.stack, jsii.String("InteractionsFunctionName"), &awscdk.CfnOutputProps{
		Description: jsii.String("make register reads the slash commands' configuration from this function's environment"),
		Value:       s.functions[interactions].FunctionName(),
	})
}

// accessLogFormat is one JSON object per request, with the HTTP API context variables
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html).
// No headers, bodies or query strings: they would carry signatures and interaction tokens.
const accessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",` +
	`"requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey",` +
	`"status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength",` +
	`"responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",` +
	`"integrationStatus":"$context.integrationStatus","integrationError":"$context.integrationErrorMessage",` +
	`"errorMessage":"$context.error.message"}`

// accessLogSettings implements awsapigatewayv2.IAccessLogSettings, an interface jsii calls back
// through a pointer.
type accessLogSettings struct {
	destination awsapigatewayv2.IAccessLogDestination
	format      awsapigateway.AccessLogFormat
}

// Destination is where the stage writes its access logs.
func (a *accessLogSettings) Destination() awsapigatewayv2.IAccessLogDestination {
	return a.destination
}

// Format is the access log line format.
func (a *accessLogSettings) Format() awsapigateway.AccessLogFormat { return a.format }

// addDeployEvents routes the GitHub deploy events on the bus to deploy-notify.
func (s *chatOps) addDeployEvents(bus awsevents.EventBus) {
	awsevents.NewRule(s.stack, jsii.String("DeployEventsRule"), &awsevents.RuleProps{
		Description: jsii.String("GitHub workflow_run and deployment_status events to deploy-notify"),
		EventBus:    bus,
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("chatops.github"),
			DetailType: jsii.Strings("workflow_run", "deployment_status"),
		},
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(s.functions[deployNotify], &awseventstargets.LambdaFunctionProps{
			RetryAttempts:   jsii.Number(3),
			MaxEventAge:     awscdk.Duration_Hours(jsii.Number(1)),
			DeadLetterQueue: s.dlqs[deployNotify],
		})},
	})
}

// addCostSchedule invokes cost-cron with {} on the configured schedule, in the report's time zone.
func (s *chatOps) addCostSchedule() {
	s.addSchedule(scheduleSpec{
		id: "CostReport", function: costCron, input: map[string]any{},
		expression:      s.config.costSchedule,
		description:     "Daily AWS cost report to Discord",
		roleDescription: "EventBridge Scheduler: invoke cost-cron, send failures to its dead-letter queue",
	})
}

// reviewReminderInput is what the review reminder's schedule sends github-webhook, which tells
// it from an API Gateway request (functions/github-webhook/reminders.go).
var reviewReminderInput = map[string]any{"reminder": "reviews"}

// addReviewReminderSchedule invokes github-webhook with {"reminder": "reviews"} on the review
// reminder's schedule, in the report's time zone (the team's).
func (s *chatOps) addReviewReminderSchedule() {
	s.addSchedule(scheduleSpec{
		id: "ReviewReminder", function: githubWebhook, input: reviewReminderInput,
		expression:      s.config.reviewReminderSchedule,
		description:     "Weekday reminder of the pull requests waiting for review, to Discord",
		roleDescription: "EventBridge Scheduler: invoke github-webhook for the review reminders, send failures to its dead-letter queue",
	})
}

// scheduleSpec is one EventBridge Scheduler schedule of the suite: <id>Schedule invokes function
// with input at expression in reportTimezone, assuming <id>SchedulerRole.
type scheduleSpec struct {
	id, function                 string
	input                        map[string]any
	expression                   string
	description, roleDescription string
}

// addSchedule creates the schedule of spec. A post hours late is noise: an hour of retries,
// then the function's dead-letter queue.
func (s *chatOps) addSchedule(spec scheduleSpec) {
	fn := s.functions[spec.function]
	// The role Scheduler assumes, only for schedules of this account (the confused-deputy guard
	// CDK's own default role has too); named here so that its one finding can be explained.
	role := awsiam.NewRole(s.stack, jsii.String(spec.id+"SchedulerRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()}},
		}),
		Description: jsii.String(spec.roleDescription),
	})
	target := awsschedulertargets.NewLambdaInvoke(fn, &awsschedulertargets.ScheduleTargetBaseProps{
		Role:  role,
		Input: awsscheduler.ScheduleTargetInput_FromObject(spec.input),
		// Scheduler retries for 24 hours by default.
		RetryAttempts:   jsii.Number(2),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(1)),
		DeadLetterQueue: s.dlqs[spec.function],
	})
	awsscheduler.NewSchedule(s.stack, jsii.String(spec.id+"Schedule"), &awsscheduler.ScheduleProps{
		Description: jsii.String(spec.description),
		Schedule:    awsscheduler.ScheduleExpression_Expression(jsii.String(spec.expression), awscdk.TimeZone_Of(jsii.String(s.config.reportTimezone))),
		Target:      target,
	})
	fnLogicalID := *s.stack.GetLogicalId(fn.Node().DefaultChild().(awscdk.CfnElement))
	suppressWildcards(role, "CDK's grantInvoke allows the function and its versions and aliases (<arn>:*); the schedule invokes the unqualified function, which publishes no versions.",
		"Resource::<"+fnLogicalID+".Arn>:*")
}
