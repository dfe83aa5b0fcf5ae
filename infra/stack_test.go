package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"
)

// synth builds the stack from cdk.json's context plus overrides (given as strings, the way
// `-c key=value` gives them) with bundling skipped, and returns its template as JSON and the
// cdk-nag findings (errors and warnings of the AwsSolutions pack).
func synth(t *testing.T, overrides map[string]string) (template, []string) {
	t.Helper()
	stack := synthStack(t, overrides)
	tmpl := template(*assertions.Template_FromStack(stack, nil).ToJSON())
	annotations := assertions.Annotations_FromStack(stack)
	return tmpl, findings(t, annotations)
}

// synthStack builds the stack from cdk.json's context plus overrides, bundling skipped.
func synthStack(t *testing.T, overrides map[string]string) awscdk.Stack {
	t.Helper()
	ctx := cdkJSONContext(t)
	for k, v := range overrides {
		ctx[k] = v
	}
	// No bundling: no go build, no asset fingerprint; the tests check the template.
	ctx["aws:cdk:bundling-stacks"] = []any{}

	functionsDir, err := filepath.Abs(filepath.Join("..", "functions"))
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
	cfg, err := loadConfig(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		t.Fatal(err)
	}
	return newStack(app, "Test", stackProps{config: cfg, functionsDir: functionsDir})
}

// findings are the cdk-nag findings of annotations (errors and warnings of the AwsSolutions
// pack), each as JSON.
func findings(t *testing.T, annotations assertions.Annotations) []string {
	t.Helper()
	nagFinding := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-"))
	errs := annotations.FindError(jsii.String("*"), nagFinding)
	warnings := annotations.FindWarning(jsii.String("*"), nagFinding)
	var found []string
	for _, m := range append(*errs, *warnings...) {
		// The message type is deprecated in favour of a package the Go bindings do not have;
		// its JSON says everything (level, construct path, rule and message).
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, string(b))
	}
	return found
}

// cdkJSONContext returns the context of the repository's cdk.json.
func cdkJSONContext(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdkJSON); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	return cdkJSON.Context
}

// template is a synthesized CloudFormation template.
type template map[string]any

// resources returns the resources of one type by logical id.
func (tm template) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tm["Resources"].(map[string]any) {
		if r := r.(map[string]any); r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// id returns the logical id CDK gave the construct at path prefix (the id plus an 8-digit hash).
func (tm template) id(t *testing.T, prefix string) string {
	t.Helper()
	re := regexp.MustCompile("^" + prefix + "[0-9A-F]{8}$")
	var ids []string
	for id := range tm["Resources"].(map[string]any) {
		if re.MatchString(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("logical ids for %s: %v, want exactly one", prefix, ids)
	}
	return ids[0]
}

// props returns the properties of the resource prefix names.
func (tm template) props(t *testing.T, prefix string) map[string]any {
	t.Helper()
	r := tm["Resources"].(map[string]any)[tm.id(t, prefix)].(map[string]any)
	p, _ := r["Properties"].(map[string]any)
	return p
}

// lambdaTarget is an EventBridge rule's only target: the function fn, retried retries times for
// up to an hour, then the function's dead-letter queue.
func lambdaTarget(t *testing.T, tm template, fn string, retries float64) any {
	t.Helper()
	return map[string]any{
		"Id":               "Target0",
		"Arn":              getAtt(tm.id(t, fn), "Arn"),
		"DeadLetterConfig": map[string]any{"Arn": getAtt(tm.id(t, fn+"DeadLetterQueue"), "Arn")},
		"RetryPolicy":      map[string]any{"MaximumEventAgeInSeconds": 3600.0, "MaximumRetryAttempts": retries},
	}
}

func getAtt(id, attr string) any { return map[string]any{"Fn::GetAtt": []any{id, attr}} }
func ref(id string) any          { return map[string]any{"Ref": id} }

// arn is the Fn::Join CDK writes for an ARN of the stack's account and Region.
func arn(service, resource string) any {
	return map[string]any{"Fn::Join": []any{"", []any{
		"arn:", ref("AWS::Partition"), ":" + service + ":", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":" + resource,
	}}}
}

func TestStack(t *testing.T) {
	tm, findings := synth(t, nil)

	t.Run("cdk-nag AwsSolutions has no unsuppressed findings", func(t *testing.T) {
		if len(findings) > 0 {
			t.Errorf("%d findings:\n%s", len(findings), strings.Join(findings, "\n"))
		}
	})

	t.Run("cdk-nag suppressions: exactly these, each with a reason", func(t *testing.T) {
		hash := regexp.MustCompile("[0-9A-F]{8}$")
		got := map[string][]string{}
		for id, r := range tm["Resources"].(map[string]any) {
			meta, _ := r.(map[string]any)["Metadata"].(map[string]any)
			nag, _ := meta["cdk_nag"].(map[string]any)
			rules, _ := nag["rules_to_suppress"].([]any)
			for _, rule := range rules {
				rule := rule.(map[string]any)
				if reason, _ := rule["reason"].(string); len(reason) < 40 {
					t.Errorf("%s: suppression of %v has no real reason: %q", id, rule["id"], reason)
				}
				name := hash.ReplaceAllString(id, "")
				got[name] = append(got[name], rule["id"].(string))
			}
		}
		want := map[string][]string{
			"ApiPOSTgithub":                        {"AwsSolutions-APIG4"},
			"ApiPOSTinteractions":                  {"AwsSolutions-APIG4"},
			"CostCronDeadLetterQueue":              {"AwsSolutions-SQS3"},
			"DeployNotifyDeadLetterQueue":          {"AwsSolutions-SQS3"},
			"InteractionsDeadLetterQueue":          {"AwsSolutions-SQS3"},
			"InteractionsRoleDefaultPolicy":        {"AwsSolutions-IAM5"},
			"CostCronRoleDefaultPolicy":            {"AwsSolutions-IAM5"},
			"CostReportSchedulerRoleDefaultPolicy": {"AwsSolutions-IAM5"},

			// The review reminder's (github-webhook's asynchronous invocations, its schedule).
			"GithubWebhookDeadLetterQueue":             {"AwsSolutions-SQS3"},
			"ReviewReminderSchedulerRoleDefaultPolicy": {"AwsSolutions-IAM5"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("suppressions by resource (-want +got):\n%s", diff)
		}
	})

	t.Run("resource counts", func(t *testing.T) {
		want := map[string]int{
			"AWS::Lambda::Function":          4,
			"AWS::Lambda::EventInvokeConfig": 4,
			"AWS::Lambda::Permission":        4, // two API routes, two rules; Scheduler uses its role
			"AWS::IAM::Role":                 6,
			"AWS::Logs::LogGroup":            5,
			"AWS::SQS::Queue":                4,
			"AWS::CloudWatch::Alarm":         1, // one over all dead-letter queues
			"AWS::DynamoDB::Table":           1,
			"AWS::ApiGatewayV2::Api":         1,
			"AWS::ApiGatewayV2::Route":       2,
			"AWS::ApiGatewayV2::Stage":       1,
			"AWS::Events::EventBus":          1,
			"AWS::Events::Rule":              2, // deploy events; the dead-letter alarm's state changes
			"AWS::Scheduler::Schedule":       2, // the cost report; the review reminder
			"AWS::SSM::Parameter":            0, // SecureStrings are created with the CLI
		}
		for typ, n := range want {
			if got := len(tm.resources(typ)); got != n {
				t.Errorf("%s: %d resources, want %d", typ, got, n)
			}
		}
	})

	t.Run("functions", func(t *testing.T) {
		tests := []struct {
			id      string
			timeout float64
		}{
			{"Interactions", 40},
			{"GithubWebhook", 30},
			{"CostCron", 60},
			{"DeployNotify", 30},
		}
		for _, tt := range tests {
			got := tm.props(t, tt.id)
			want := map[string]any{
				"Runtime":       "provided.al2023",
				"Architectures": []any{"arm64"},
				"Handler":       "bootstrap",
				"MemorySize":    128.0,
				"Timeout":       tt.timeout,
				"Role":          getAtt(tm.id(t, tt.id+"Role"), "Arn"),
				"LoggingConfig": map[string]any{"LogGroup": ref(tm.id(t, tt.id+"Logs"))},
			}
			for k, v := range want {
				if diff := cmp.Diff(v, got[k]); diff != "" {
					t.Errorf("%s %s (-want +got):\n%s", tt.id, k, diff)
				}
			}
		}
	})

	t.Run("environments", func(t *testing.T) {
		common := map[string]any{
			"DISCORD_API_URL":          "https://discord.com/api/v10",
			"CHATOPS_PARAMETER_PREFIX": "/chatops",
			"CHATOPS_TABLE":            ref(tm.id(t, "StateTable")),
			"CHATOPS_LANGUAGE":         "ko",
		}
		queueURL := func(id string) any { return ref(tm.id(t, id+"DeadLetterQueue")) }
		with := func(vars map[string]any) map[string]any {
			m := maps.Clone(common)
			maps.Copy(m, vars)
			return m
		}
		tests := map[string]map[string]any{
			"Interactions": with(map[string]any{
				"GITHUB_API_URL":          "https://api.github.com",
				"DISCORD_PUBLIC_KEY":      "",
				"DISCORD_APPLICATION_ID":  "",
				"GITHUB_APP_ID":           "",
				"GITHUB_REPOSITORY":       "",
				"DEPLOY_WORKFLOW":         "deploy.yml",
				"DEPLOY_ENVIRONMENTS":     "dev,prod",
				"DEPLOY_ROLE_IDS":         "",
				"TWO_PERSON_ENVIRONMENTS": "prod",
				"SCALE_MAX_DESIRED":       "10",
				"REPORT_TIMEZONE":         "Asia/Seoul",
				"AUDIT_RETENTION_DAYS":    "400",
			}),
			"GithubWebhook": with(map[string]any{
				"GITHUB_API_URL":     "https://api.github.com",
				"DISCORD_CHANNEL_ID": "",
				"CHATOPS_EVENT_BUS":  ref(tm.id(t, "Bus")),
				"ANNOUNCE_BOTS":      "false",
				"IGNORE_AUTHORS":     "",
				"IGNORE_LABELS":      "",
				"REPO_CHANNELS":      "",
				// The review reminder's.
				"GITHUB_APP_ID":         "",
				"GITHUB_REPOSITORY":     "",
				"REPORT_TIMEZONE":       "Asia/Seoul",
				"REVIEW_REMINDER_HOURS": "24",
			}),
			"CostCron": with(map[string]any{
				"DISCORD_CHANNEL_ID": "",
				"REPORT_TIMEZONE":    "Asia/Seoul",
				"DEAD_LETTER_QUEUES": map[string]any{"Fn::Join": []any{"", []any{
					"interactions=", queueURL("Interactions"),
					",github-webhook=", queueURL("GithubWebhook"),
					",cost-cron=", queueURL("CostCron"),
					",deploy-notify=", queueURL("DeployNotify"),
				}}},
			}),
			"DeployNotify": with(map[string]any{
				"GITHUB_API_URL":         "https://api.github.com",
				"DISCORD_APPLICATION_ID": "",
				"DISCORD_CHANNEL_ID":     "",
				"GITHUB_APP_ID":          "",
				"DEPLOY_WORKFLOW":        "deploy.yml",
				"AUDIT_RETENTION_DAYS":   "400",
			}),
		}
		for id, want := range tests {
			got := tm.props(t, id)["Environment"].(map[string]any)["Variables"]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s environment (-want +got):\n%s", id, diff)
			}
		}
	})

	t.Run("IAM statements", func(t *testing.T) {
		param := func(name string) any { return arn("ssm", "parameter/chatops/"+name) }
		logs := func(id string) any {
			return map[string]any{"Action": []any{"logs:CreateLogStream", "logs:PutLogEvents"}, "Effect": "Allow", "Resource": getAtt(tm.id(t, id+"Logs"), "Arn")}
		}
		dlqARN := func(id string) any { return getAtt(tm.id(t, id+"DeadLetterQueue"), "Arn") }
		// Lambda's on-failure destination needs only the send.
		dlq := func(id string) any {
			return map[string]any{"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": dlqARN(id)}
		}
		// Each function's own item kinds of the state table, by the leading (partition) key.
		table := func(actions []any, leadingKeys ...any) any {
			var action any = actions
			if len(actions) == 1 {
				action = actions[0] // CloudFormation's one action is a string
			}
			return map[string]any{
				"Action": action, "Effect": "Allow", "Resource": getAtt(tm.id(t, "StateTable"), "Arn"),
				"Condition": map[string]any{"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": leadingKeys}},
			}
		}
		costExplorer := map[string]any{"Action": []any{"ce:GetCostAndUsage", "ce:GetCostForecast"}, "Effect": "Allow", "Resource": "*"}
		costCronARN := getAtt(tm.id(t, "CostCron"), "Arn")
		webhookARN := getAtt(tm.id(t, "GithubWebhook"), "Arn")
		tests := map[string][]any{
			"InteractionsRoleDefaultPolicy": {
				logs("Interactions"),
				map[string]any{"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": param("github/private-key")},
				dlq("Interactions"),
				map[string]any{"Action": []any{"cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups"}, "Effect": "Allow", "Resource": "*"},
				map[string]any{"Action": []any{"ecs:DescribeServices", "eks:DescribeCluster"}, "Effect": "Allow", "Resource": []any{arn("ecs", "service/*"), arn("eks", "cluster/*")}},
				costExplorer,
				map[string]any{
					"Action": "ecs:UpdateService", "Effect": "Allow", "Resource": arn("ecs", "service/*"),
					"Condition": map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/chatops:scalable": "true"}},
				},
				map[string]any{
					"Action": "autoscaling:SetDesiredCapacity", "Effect": "Allow", "Resource": arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*"),
					"Condition": map[string]any{"StringEquals": map[string]any{"autoscaling:ResourceTag/chatops:scalable": "true"}},
				},
				table([]any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"},
					"approval#*", "work#*", "cost#*", "audit"),
				table([]any{"dynamodb:PutItem", "dynamodb:Query"}, "lock#*"),
				table([]any{"dynamodb:GetItem", "dynamodb:PutItem"}, "releases#*"),
				table([]any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"}, "subscription"),
				table([]any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}, "link#*", "login#*", "device#*"),
			},
			"InteractionsSelfInvoke": {
				map[string]any{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": getAtt(tm.id(t, "Interactions"), "Arn")},
			},
			"GithubWebhookRoleDefaultPolicy": {
				logs("GithubWebhook"),
				map[string]any{"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": []any{param("github/webhook-secret"), param("discord/bot-token"), param("github/private-key")}},
				dlq("GithubWebhook"),
				map[string]any{"Action": "events:PutEvents", "Effect": "Allow", "Resource": getAtt(tm.id(t, "Bus"), "Arn")},
				table([]any{"dynamodb:PutItem", "dynamodb:DeleteItem"}, "delivery#*"),
				table([]any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"}, "pr#*", "issue#*"),
				table([]any{"dynamodb:Query"}, "subscription"),
				// The review reminder's claim of each channel and day, nothing else.
				table([]any{"dynamodb:PutItem", "dynamodb:DeleteItem"}, "remind#*"),
				table([]any{"dynamodb:GetItem"}, "login#*"),
			},
			"CostCronRoleDefaultPolicy": {
				logs("CostCron"),
				map[string]any{"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": param("discord/bot-token")},
				dlq("CostCron"),
				costExplorer,
				table([]any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}, "report#*", "cost#*"),
				// Each queue's count for the dead-letter alarm's post: the alarm's event has the sum only.
				map[string]any{"Action": "sqs:GetQueueAttributes", "Effect": "Allow", "Resource": []any{
					dlqARN("Interactions"), dlqARN("GithubWebhook"), dlqARN("CostCron"), dlqARN("DeployNotify"),
				}},
			},
			"DeployNotifyRoleDefaultPolicy": {
				logs("DeployNotify"),
				map[string]any{"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": param("discord/bot-token")},
				dlq("DeployNotify"),
				table([]any{"dynamodb:PutItem", "dynamodb:DeleteItem"},
					"event#*", "run#*", "audit"),
				table([]any{"dynamodb:GetItem"}, "approval#*"),
				table([]any{"dynamodb:DeleteItem"}, "lock#*"),
			},
			"CostReportSchedulerRoleDefaultPolicy": {
				map[string]any{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": []any{
					costCronARN, map[string]any{"Fn::Join": []any{"", []any{costCronARN, ":*"}}},
				}},
				map[string]any{"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": getAtt(tm.id(t, "CostCronDeadLetterQueue"), "Arn")},
			},
			"ReviewReminderSchedulerRoleDefaultPolicy": {
				map[string]any{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": []any{
					webhookARN, map[string]any{"Fn::Join": []any{"", []any{webhookARN, ":*"}}},
				}},
				map[string]any{"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": getAtt(tm.id(t, "GithubWebhookDeadLetterQueue"), "Arn")},
			},
		}
		if got, want := len(tm.resources("AWS::IAM::Policy")), len(tests); got != want {
			t.Errorf("%d IAM policies, want %d", got, want)
		}
		for id, want := range tests {
			got := tm.props(t, id)["PolicyDocument"].(map[string]any)["Statement"]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s statements (-want +got):\n%s", id, diff)
			}
		}
	})

	t.Run("roles carry no managed policies", func(t *testing.T) {
		for id, r := range tm.resources("AWS::IAM::Role") {
			if mp := r["Properties"].(map[string]any)["ManagedPolicyArns"]; mp != nil {
				t.Errorf("%s has managed policies %v", id, mp)
			}
		}
	})

	t.Run("HTTP API routes", func(t *testing.T) {
		integrationTarget := map[string]string{}
		for id, r := range tm.resources("AWS::ApiGatewayV2::Integration") {
			p := r["Properties"].(map[string]any)
			integrationTarget[id] = fmt.Sprint(p["IntegrationUri"])
		}
		got := map[string]string{}
		for _, r := range tm.resources("AWS::ApiGatewayV2::Route") {
			p := r["Properties"].(map[string]any)
			// Target is {"Fn::Join": ["", ["integrations/", {"Ref": integration}]]}.
			target := p["Target"].(map[string]any)["Fn::Join"].([]any)[1].([]any)[1].(map[string]any)["Ref"].(string)
			got[p["RouteKey"].(string)] = integrationTarget[target]
			if p["AuthorizationType"] != "NONE" {
				t.Errorf("%s: authorization %v, want NONE (the functions verify signatures)", p["RouteKey"], p["AuthorizationType"])
			}
		}
		want := map[string]string{
			"POST /interactions": fmt.Sprint(getAtt(tm.id(t, "Interactions"), "Arn")),
			"POST /github":       fmt.Sprint(getAtt(tm.id(t, "GithubWebhook"), "Arn")),
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("routes -> integration URIs (-want +got):\n%s", diff)
		}
	})

	t.Run("HTTP API stage", func(t *testing.T) {
		got := tm.props(t, "DefaultStage")
		want := map[string]any{
			"ApiId":      ref(tm.id(t, "Api")),
			"StageName":  "$default",
			"AutoDeploy": true,
			"DefaultRouteSettings": map[string]any{
				"ThrottlingRateLimit":  10.0,
				"ThrottlingBurstLimit": 20.0,
			},
			"AccessLogSettings": map[string]any{
				"DestinationArn": getAtt(tm.id(t, "ApiAccessLogs"), "Arn"),
				"Format":         accessLogFormat,
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stage (-want +got):\n%s", diff)
		}
		if !json.Valid([]byte(accessLogFormat)) {
			t.Errorf("access log format is not JSON: %s", accessLogFormat)
		}
		if api := tm.props(t, "Api"); api["ProtocolType"] != "HTTP" {
			t.Errorf("API protocol %v, want HTTP", api["ProtocolType"])
		}
	})

	t.Run("async invocations", func(t *testing.T) {
		tests := []struct {
			id       string
			retries  float64
			maxAgeS  float64
			function string
		}{
			{"InteractionsEventInvokeConfig", 2, 900, "Interactions"},
			{"CostCronEventInvokeConfig", 1, 3600, "CostCron"},
			{"DeployNotifyEventInvokeConfig", 2, 3600, "DeployNotify"},
		}
		for _, tt := range tests {
			want := map[string]any{
				"FunctionName":             ref(tm.id(t, tt.function)),
				"Qualifier":                "$LATEST",
				"MaximumRetryAttempts":     tt.retries,
				"MaximumEventAgeInSeconds": tt.maxAgeS,
				"DestinationConfig": map[string]any{"OnFailure": map[string]any{
					"Destination": getAtt(tm.id(t, tt.function+"DeadLetterQueue"), "Arn"),
				}},
			}
			if diff := cmp.Diff(want, tm.props(t, tt.id)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.id, diff)
			}
		}
	})

	t.Run("dead-letter queues are encrypted and TLS-only", func(t *testing.T) {
		tlsOnly := map[string]bool{}
		for _, r := range tm.resources("AWS::SQS::QueuePolicy") {
			p := r["Properties"].(map[string]any)
			for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				s := s.(map[string]any)
				if s["Effect"] == "Deny" && cmp.Equal(s["Condition"], map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}) {
					tlsOnly[fmt.Sprint(p["Queues"].([]any)[0])] = true
				}
			}
		}
		for _, fn := range []string{"Interactions", "CostCron", "DeployNotify"} {
			id := tm.id(t, fn+"DeadLetterQueue")
			if p := tm.props(t, fn+"DeadLetterQueue"); p["SqsManagedSseEnabled"] != true {
				t.Errorf("%s: SqsManagedSseEnabled = %v, want true", id, p["SqsManagedSseEnabled"])
			}
			if !tlsOnly[fmt.Sprint(ref(id))] {
				t.Errorf("%s: no policy denying requests without TLS", id)
			}
		}
	})

	t.Run("one alarm over every dead-letter queue", func(t *testing.T) {
		queue := func(metricID, fn string) any {
			return map[string]any{
				"Id": metricID, "ReturnData": false,
				"MetricStat": map[string]any{
					"Metric": map[string]any{
						"Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
						"Dimensions": []any{map[string]any{"Name": "QueueName", "Value": getAtt(tm.id(t, fn+"DeadLetterQueue"), "QueueName")}},
					},
					"Period": 300.0, "Stat": "Maximum",
				},
			}
		}
		want := map[string]any{
			"AlarmDescription":   "Events failed and wait in a dead-letter queue of the ChatOps suite (cost-cron posts which one)",
			"ComparisonOperator": "GreaterThanOrEqualToThreshold",
			"EvaluationPeriods":  1.0,
			"Threshold":          1.0,
			"TreatMissingData":   "notBreaching",
			"Metrics": []any{
				map[string]any{"Id": "expr_1", "Expression": "SUM(METRICS())", "Label": "Messages in the dead-letter queues", "ReturnData": true},
				queue("costCron", "CostCron"),
				queue("deployNotify", "DeployNotify"),
				queue("githubWebhook", "GithubWebhook"),
				queue("interactions", "Interactions"),
			},
		}
		if diff := cmp.Diff(want, tm.props(t, "DeadLetterAlarm")); diff != "" {
			t.Errorf("alarm (-want +got):\n%s", diff)
		}
		// Every queue of the stack is in the sum, and the alarm has no action of its own: its
		// state changes reach the channel through the rule below.
		if got, want := len(tm.resources("AWS::SQS::Queue")), len(want["Metrics"].([]any))-1; got != want {
			t.Errorf("%d queues, %d in the alarm", got, want)
		}
	})

	t.Run("dead-letter alarm rule to cost-cron", func(t *testing.T) {
		want := map[string]any{
			"Description": "The dead-letter alarm going into or out of ALARM, to cost-cron",
			"State":       "ENABLED",
			// No EventBusName: the default bus, where CloudWatch sends alarm state changes.
			"EventPattern": map[string]any{
				"source":      []any{"aws.cloudwatch"},
				"detail-type": []any{"CloudWatch Alarm State Change"},
				"resources":   []any{getAtt(tm.id(t, "DeadLetterAlarm"), "Arn")},
				"detail": map[string]any{"$or": []any{
					map[string]any{"state": map[string]any{"value": []any{"ALARM"}}},
					map[string]any{"previousState": map[string]any{"value": []any{"ALARM"}}},
				}},
			},
			"Targets": []any{lambdaTarget(t, tm, "CostCron", 2)},
		}
		if diff := cmp.Diff(want, tm.props(t, "DeadLetterAlarmRule")); diff != "" {
			t.Errorf("rule (-want +got):\n%s", diff)
		}
		var principals []string
		for _, r := range tm.resources("AWS::Lambda::Permission") {
			p := r["Properties"].(map[string]any)
			if cmp.Equal(p["SourceArn"], getAtt(tm.id(t, "DeadLetterAlarmRule"), "Arn")) {
				principals = append(principals, fmt.Sprint(p["Principal"], " ", p["FunctionName"]))
			}
		}
		if diff := cmp.Diff([]string{fmt.Sprint("events.amazonaws.com ", getAtt(tm.id(t, "CostCron"), "Arn"))}, principals); diff != "" {
			t.Errorf("invoke permissions of the rule (-want +got):\n%s", diff)
		}
	})

	t.Run("state table", func(t *testing.T) {
		want := map[string]any{
			"Type":                "AWS::DynamoDB::Table",
			"DeletionPolicy":      "Retain",
			"UpdateReplacePolicy": "Retain",
			"Properties": map[string]any{
				"AttributeDefinitions": []any{
					map[string]any{"AttributeName": "pk", "AttributeType": "S"},
					map[string]any{"AttributeName": "sk", "AttributeType": "S"},
				},
				"KeySchema": []any{
					map[string]any{"AttributeName": "pk", "KeyType": "HASH"},
					map[string]any{"AttributeName": "sk", "KeyType": "RANGE"},
				},
				"BillingMode":                      "PAY_PER_REQUEST",
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
				"TimeToLiveSpecification":          map[string]any{"AttributeName": "expires_at", "Enabled": true},
			},
		}
		if diff := cmp.Diff(want, tm["Resources"].(map[string]any)[tm.id(t, "StateTable")]); diff != "" {
			t.Errorf("table (-want +got):\n%s", diff)
		}
	})

	t.Run("no unused grants", func(t *testing.T) {
		// Calls no function makes (checked against functions/ when they were removed).
		unused := []string{"ecs:DescribeClusters", "sqs:GetQueueUrl"}
		for id, r := range tm.resources("AWS::IAM::Policy") {
			for _, st := range r["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				st := st.(map[string]any)
				actions, ok := st["Action"].([]any)
				if !ok {
					actions = []any{st["Action"]}
				}
				for _, a := range actions {
					if slices.Contains(unused, a.(string)) {
						t.Errorf("%s grants %s", id, a)
					}
					// Only cost-cron reads queue attributes (for the alarm's post).
					if a == "sqs:GetQueueAttributes" && !strings.HasPrefix(id, "CostCronRoleDefaultPolicy") {
						t.Errorf("%s grants %s", id, a)
					}
					if strings.HasPrefix(a.(string), "dynamodb:") && st["Condition"] == nil {
						t.Errorf("%s grants %s without dynamodb:LeadingKeys", id, a)
					}
				}
			}
		}
	})

	t.Run("deploy events rule", func(t *testing.T) {
		want := map[string]any{
			"Description":  "GitHub workflow_run and deployment_status events to deploy-notify",
			"EventBusName": ref(tm.id(t, "Bus")),
			"State":        "ENABLED",
			"EventPattern": map[string]any{
				"source":      []any{"chatops.github"},
				"detail-type": []any{"workflow_run", "deployment_status"},
			},
			"Targets": []any{lambdaTarget(t, tm, "DeployNotify", 3)},
		}
		if diff := cmp.Diff(want, tm.props(t, "DeployEventsRule")); diff != "" {
			t.Errorf("rule (-want +got):\n%s", diff)
		}
	})

	// Each schedule invokes its function with its input, in the report's zone, through a role
	// of its own that only Scheduler of this account may assume; failures go to the
	// function's dead-letter queue after an hour of retries.
	for _, sc := range []struct{ id, function, description, expression, input string }{
		{"CostReport", "CostCron", "Daily AWS cost report to Discord", "cron(0 9 * * ? *)", "{}"},
		{"ReviewReminder", "GithubWebhook", "Weekday reminder of the pull requests waiting for review, to Discord",
			"cron(0 10 ? * MON-FRI *)", `{"reminder":"reviews"}`},
	} {
		t.Run(sc.id+" schedule", func(t *testing.T) {
			want := map[string]any{
				"Description":                sc.description,
				"FlexibleTimeWindow":         map[string]any{"Mode": "OFF"},
				"ScheduleExpression":         sc.expression,
				"ScheduleExpressionTimezone": "Asia/Seoul",
				"State":                      "ENABLED",
				"Target": map[string]any{
					"Arn":              getAtt(tm.id(t, sc.function), "Arn"),
					"RoleArn":          getAtt(tm.id(t, sc.id+"SchedulerRole"), "Arn"),
					"Input":            sc.input,
					"RetryPolicy":      map[string]any{"MaximumEventAgeInSeconds": 3600.0, "MaximumRetryAttempts": 2.0},
					"DeadLetterConfig": map[string]any{"Arn": getAtt(tm.id(t, sc.function+"DeadLetterQueue"), "Arn")},
				},
			}
			if diff := cmp.Diff(want, tm.props(t, sc.id+"Schedule")); diff != "" {
				t.Errorf("schedule (-want +got):\n%s", diff)
			}
			trust := tm.props(t, sc.id+"SchedulerRole")["AssumeRolePolicyDocument"].(map[string]any)["Statement"]
			wantTrust := []any{map[string]any{
				"Action":    "sts:AssumeRole",
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "scheduler.amazonaws.com"},
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")}},
			}}
			if diff := cmp.Diff(wantTrust, trust); diff != "" {
				t.Errorf("scheduler role trust (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("log groups keep 30 days", func(t *testing.T) {
		for id, r := range tm.resources("AWS::Logs::LogGroup") {
			if got := r["Properties"].(map[string]any)["RetentionInDays"]; got != 30.0 {
				t.Errorf("%s: RetentionInDays %v, want 30", id, got)
			}
		}
	})

	t.Run("outputs", func(t *testing.T) {
		endpoint := getAtt(tm.id(t, "Api"), "ApiEndpoint")
		want := map[string]any{
			"InteractionsEndpointUrl":         map[string]any{"Fn::Join": []any{"", []any{endpoint, "/interactions"}}},
			"GithubWebhookUrl":                map[string]any{"Fn::Join": []any{"", []any{endpoint, "/github"}}},
			"InteractionsDeadLetterQueueName": getAtt(tm.id(t, "InteractionsDeadLetterQueue"), "QueueName"),
			"CostCronDeadLetterQueueName":     getAtt(tm.id(t, "CostCronDeadLetterQueue"), "QueueName"),
			"DeployNotifyDeadLetterQueueName": getAtt(tm.id(t, "DeployNotifyDeadLetterQueue"), "QueueName"),
			"InteractionsFunctionName":        map[string]any{"Ref": tm.id(t, "Interactions")},
			"TableName":                       ref(tm.id(t, "StateTable")),

			"GithubWebhookDeadLetterQueueName": getAtt(tm.id(t, "GithubWebhookDeadLetterQueue"), "QueueName"),
		}
		got := map[string]any{}
		for name, o := range tm["Outputs"].(map[string]any) {
			got[name] = o.(map[string]any)["Value"]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("outputs (-want +got):\n%s", diff)
		}
	})
}

// TestStackContext synthesizes with overrides, as `-c key=value` strings, and checks that they
// reach the template.
func TestStackContext(t *testing.T) {
	tm, findings := synth(t, map[string]string{
		"monthlyBudgetUsd":      "1250.50",
		"throttleRateLimit":     "2.5",
		"throttleBurstLimit":    "5",
		"costSchedule":          "cron(30 8 ? * MON-FRI *)",
		"reportTimezone":        "Europe/Berlin",
		"parameterPrefix":       "/team/chatops",
		"logRetentionDays":      "7",
		"deployEnvironments":    "dev, staging ,prod",
		"twoPersonEnvironments": "staging,prod",
		"discordApplicationId":  "123456789012345678",
		"announceBots":          "true",
		"repoChannels":          "octo-org/api=111111111111111111,octo-org/web=222222222222222222",
		"auditRetentionDays":    "90",
		"language":              "en",
		"githubClientId":        "Iv23liAbCdEf0123",
	})
	if len(findings) > 0 {
		t.Errorf("cdk-nag findings:\n%s", strings.Join(findings, "\n"))
	}

	env := func(id string) map[string]any {
		return tm.props(t, id)["Environment"].(map[string]any)["Variables"].(map[string]any)
	}
	tests := []struct {
		function, name string
		want           any
	}{
		{"Interactions", "MONTHLY_BUDGET_USD", "1250.50"},
		{"CostCron", "MONTHLY_BUDGET_USD", "1250.50"},
		{"CostCron", "REPORT_TIMEZONE", "Europe/Berlin"},
		{"Interactions", "CHATOPS_PARAMETER_PREFIX", "/team/chatops"},
		{"Interactions", "DEPLOY_ENVIRONMENTS", "dev,staging,prod"},
		{"Interactions", "TWO_PERSON_ENVIRONMENTS", "staging,prod"},
		{"Interactions", "DISCORD_APPLICATION_ID", "123456789012345678"},
		{"DeployNotify", "DISCORD_APPLICATION_ID", "123456789012345678"},
		{"GithubWebhook", "ANNOUNCE_BOTS", "true"},
		{"GithubWebhook", "REPO_CHANNELS", "octo-org/api=111111111111111111,octo-org/web=222222222222222222"},
		{"GithubWebhook", "MONTHLY_BUDGET_USD", nil},
		{"Interactions", "GITHUB_CLIENT_ID", "Iv23liAbCdEf0123"},
		{"DeployNotify", "GITHUB_CLIENT_ID", nil},
		{"DeployNotify", "MONTHLY_BUDGET_USD", nil},
		{"Interactions", "AUDIT_RETENTION_DAYS", "90"},
		{"DeployNotify", "AUDIT_RETENTION_DAYS", "90"},
		{"CostCron", "AUDIT_RETENTION_DAYS", nil},
		{"GithubWebhook", "AUDIT_RETENTION_DAYS", nil},
		{"Interactions", "CHATOPS_LANGUAGE", "en"},
		{"GithubWebhook", "CHATOPS_LANGUAGE", "en"},
		{"CostCron", "CHATOPS_LANGUAGE", "en"},
		{"DeployNotify", "CHATOPS_LANGUAGE", "en"},
	}
	for _, tt := range tests {
		if got := env(tt.function)[tt.name]; got != tt.want {
			t.Errorf("%s %s = %v, want %v", tt.function, tt.name, got, tt.want)
		}
	}

	stage := tm.props(t, "DefaultStage")["DefaultRouteSettings"]
	if diff := cmp.Diff(map[string]any{"ThrottlingRateLimit": 2.5, "ThrottlingBurstLimit": 5.0}, stage); diff != "" {
		t.Errorf("throttle (-want +got):\n%s", diff)
	}
	schedule := tm.props(t, "CostReportSchedule")
	if schedule["ScheduleExpression"] != "cron(30 8 ? * MON-FRI *)" || schedule["ScheduleExpressionTimezone"] != "Europe/Berlin" {
		t.Errorf("schedule %v in %v", schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"])
	}
	statements := tm.props(t, "CostCronRoleDefaultPolicy")["PolicyDocument"].(map[string]any)["Statement"].([]any)
	ssm := map[string]any{"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": arn("ssm", "parameter/team/chatops/discord/bot-token")}
	if !slices.ContainsFunc(statements, func(s any) bool { return cmp.Equal(s, ssm) }) {
		t.Errorf("cost-cron statements %v lack %v", statements, ssm)
	}
	for id, r := range tm.resources("AWS::Logs::LogGroup") {
		if got := r["Properties"].(map[string]any)["RetentionInDays"]; got != 7.0 {
			t.Errorf("%s: RetentionInDays %v, want 7", id, got)
		}
	}
}
