// Package demo sets up the demo world the local runner starts with --demo, in a moto_server:
// a few EC2 instances with CPU and CloudWatch agent memory metrics, an ECS service and an Auto
// Scaling group that /scale may change (tagged chatops:scalable=true), an EKS cluster without
// Container Insights, a month of Cost Explorer results, the suite's three secrets in SSM, the
// state table (CHATOPS_TABLE) and the dead-letter queues the stack would create.
// It also holds the demo's fixed identities: the Discord application and its Ed25519 key, the
// GitHub App and its key, the webhook secret.
package demo

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/discord-chatops/chatops/shared/costreport"
	"github.com/discord-chatops/chatops/shared/costreport/costreporttest"
	"github.com/discord-chatops/chatops/shared/discord/signature/signaturetest"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
)

// The demo's identities and settings. None is a secret: they exist only in the local moto_server.
const (
	ApplicationID   = "1290000000000000001"
	GuildID         = "1100000000000000001"
	ChannelID       = "1100000000000000002"
	DeployRoleID    = "1100000000000000010"
	OtherRoleID     = "1100000000000000011"
	GitHubAppID     = "424242"
	Repository      = "acme/shop"
	Workflow        = "deploy.yml"
	Environments    = "dev,prod"
	EventBus        = "chatops-local"
	ParameterPrefix = "/chatops"
	BotToken        = "demo-bot-token"
	WebhookSecret   = "demo-webhook-secret"
	Timezone        = "Asia/Seoul"
	// Table is the state table (CHATOPS_TABLE) Seed creates in moto with the stack's schema.
	Table = "chatops-local"
	// Language and AuditRetentionDays are the stack's defaults (cdk.json: language,
	// auditRetentionDays), for CHATOPS_LANGUAGE and AUDIT_RETENTION_DAYS.
	Language           = "ko"
	AuditRetentionDays = "400"
	// SignerSeed makes the demo's Discord Ed25519 key; DISCORD_PUBLIC_KEY is its public half.
	SignerSeed byte = 0x44
	// ECSCluster and ECSService are the service /status ecs and /scale ecs find.
	ECSCluster = "demo"
	ECSService = "web"
	// ECSDesired is how many tasks the service runs, all of them running.
	ECSDesired = 2
	// AutoScalingGroup is the group /scale asg finds.
	AutoScalingGroup = "demo-workers"
	// EKSCluster has no Container Insights: /status eks says so.
	EKSCluster = "demo-eks"
)

// Signer signs requests as the demo's Discord application.
func Signer() *signaturetest.Signer { return signaturetest.NewSigner(SignerSeed) }

// GitHubKey generates the demo GitHub App's private key, returned with its PEM encoding (PKCS #1,
// as GitHub hands them out). A new one each run: the local GitHub checks JWTs against it.
func GitHubKey() (*rsa.PrivateKey, []byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, fmt.Errorf("generate GitHub App key: %w", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), nil
}

// World is what Seed created.
type World struct {
	// Instances maps each instance's Name tag to its id: web-1 and web-2 (running, tagged
	// app=web, with the CloudWatch agent on web-1 only), batch-1 (stopped, app=batch).
	Instances map[string]string
	// Now is when the metrics end: the last datapoint of each is a minute before.
	Now time.Time
	// DeadLetterQueues is DEAD_LETTER_QUEUES as the stack sets it for cost-cron: function=queue
	// URL for each function invoked asynchronously, in the stack's order.
	DeadLetterQueues string
}

// deadLetterQueueFunctions are the functions the stack gives a dead-letter queue (those invoked
// asynchronously: infra/stack.go functionSpecs), in its order.
func deadLetterQueueFunctions() []string {
	return []string{"interactions", "cost-cron", "deploy-notify"}
}

// WithJSONProtocol makes a CloudWatch client speak AWS JSON 1.0, which moto serves, instead of
// the SDK's default CBOR, which it does not (getmoto/moto#9195).
func WithJSONProtocol(o *cloudwatch.Options) {
	o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
}

// Poster posts to moto's own API; *mototest.Server is one.
type Poster interface {
	Post(path, body string) error
}

// Seed creates the demo world in the moto_server that cfg points at, and queues its Cost
// Explorer results through moto. The three secrets go to SSM under ParameterPrefix.
func Seed(ctx context.Context, cfg aws.Config, moto Poster, githubKeyPEM []byte, botToken, webhookSecret string, now time.Time) (World, error) {
	w := World{Instances: map[string]string{}, Now: now.UTC()}
	// The table first: every function needs it from its first request.
	if err := state.CreateTable(ctx, dynamodb.NewFromConfig(cfg), Table); err != nil {
		return w, err
	}
	var err error
	if w.DeadLetterQueues, err = seedDeadLetterQueues(ctx, sqs.NewFromConfig(cfg)); err != nil {
		return w, err
	}
	if err := seedSecrets(ctx, ssm.NewFromConfig(cfg), botToken, string(githubKeyPEM), webhookSecret); err != nil {
		return w, err
	}
	if err := seedEC2(ctx, ec2.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg, WithJSONProtocol), &w); err != nil {
		return w, err
	}
	if err := seedECS(ctx, ecs.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg, WithJSONProtocol), w.Now); err != nil {
		return w, err
	}
	if err := seedAutoScaling(ctx, autoscaling.NewFromConfig(cfg), ec2.NewFromConfig(cfg)); err != nil {
		return w, err
	}
	if _, err := eks.NewFromConfig(cfg).CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(EKSCluster),
		RoleArn:            aws.String("arn:aws:iam::123456789012:role/demo-eks"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-demo"}}}); err != nil {
		return w, fmt.Errorf("create EKS cluster: %w", err)
	}
	if err := SeedCosts(moto, now); err != nil {
		return w, err
	}
	return w, nil
}

// seedDeadLetterQueues creates an empty queue for each function the stack gives one and returns
// DEAD_LETTER_QUEUES naming them.
func seedDeadLetterQueues(ctx context.Context, c *sqs.Client) (string, error) {
	var queues []string
	for _, fn := range deadLetterQueueFunctions() {
		out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(Table + "-" + fn + "-dlq")})
		if err != nil {
			return "", fmt.Errorf("create the dead-letter queue of %s: %w", fn, err)
		}
		queues = append(queues, fn+"="+aws.ToString(out.QueueUrl))
	}
	return strings.Join(queues, ","), nil
}

func seedSecrets(ctx context.Context, c *ssm.Client, botToken, githubKeyPEM, webhookSecret string) error {
	for name, value := range map[string]string{
		secrets.DiscordBotToken:     botToken,
		secrets.GitHubPrivateKey:    githubKeyPEM,
		secrets.GitHubWebhookSecret: webhookSecret,
	} {
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(ParameterPrefix + "/" + name),
			Value: aws.String(value), Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true)}); err != nil {
			return fmt.Errorf("put parameter %s: %w", name, err)
		}
	}
	return nil
}

func seedEC2(ctx context.Context, c *ec2.Client, cw *cloudwatch.Client, w *World) error {
	images, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	if err != nil || len(images.Images) == 0 {
		return fmt.Errorf("describe images: %v (%d images)", err, len(images.Images))
	}
	imageID := aws.ToString(images.Images[0].ImageId)
	for _, name := range []string{"web-1", "web-2", "batch-1"} {
		out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(imageID), InstanceType: ec2types.InstanceTypeT3Small, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{
				{Key: aws.String("Name"), Value: aws.String(name)},
				{Key: aws.String("app"), Value: aws.String(appTag(name))},
			}}},
		})
		if err != nil {
			return fmt.Errorf("run instance %s: %w", name, err)
		}
		w.Instances[name] = aws.ToString(out.Instances[0].InstanceId)
	}
	if _, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{w.Instances["batch-1"]}}); err != nil {
		return fmt.Errorf("stop batch-1: %w", err)
	}
	put := metricPutter(ctx, cw, w.Now)
	agentDims := func(id string) []cwtypes.Dimension {
		return dims("InstanceId", id, "ImageId", imageID, "InstanceType", string(ec2types.InstanceTypeT3Small))
	}
	return firstErr(
		put("AWS/EC2", "CPUUtilization", dims("InstanceId", w.Instances["web-1"]), Series(32, 7, 38, 0)...),
		put("CWAgent", "mem_used_percent", agentDims(w.Instances["web-1"]), Series(64, 2, 67, 1)...),
		put("AWS/EC2", "CPUUtilization", dims("InstanceId", w.Instances["web-2"]), Series(81, 9, 88, 2)...),
	)
}

// appTag is the app tag of a demo instance: /status ec2 app=web finds both web servers.
func appTag(name string) string {
	app, _, _ := strings.Cut(name, "-")
	return app
}

func seedECS(ctx context.Context, c *ecs.Client, cw *cloudwatch.Client, now time.Time) error {
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(ECSCluster)}); err != nil {
		return fmt.Errorf("create ECS cluster: %w", err)
	}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(ECSService),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String(ECSService), Image: aws.String("acme/shop:1.4.2"), Memory: aws.Int32(512)}}}); err != nil {
		return fmt.Errorf("register task definition: %w", err)
	}
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(ECSCluster), ServiceName: aws.String(ECSService),
		TaskDefinition: aws.String(ECSService), DesiredCount: aws.Int32(ECSDesired), LaunchType: ecstypes.LaunchTypeFargate,
		PropagateTags: ecstypes.PropagateTagsService,
		Tags:          []ecstypes.Tag{{Key: aws.String("chatops:scalable"), Value: aws.String("true")}}}); err != nil {
		return fmt.Errorf("create ECS service: %w", err)
	}
	// moto starts a service with no task running (0/2, beside CPU readings); an update of the
	// desired count makes that many run, as a settled service has.
	if _, err := c.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(ECSCluster), Service: aws.String(ECSService),
		DesiredCount: aws.Int32(ECSDesired)}); err != nil {
		return fmt.Errorf("settle ECS service: %w", err)
	}
	put := metricPutter(ctx, cw, now)
	return firstErr(
		put("AWS/ECS", "CPUUtilization", dims("ClusterName", ECSCluster, "ServiceName", ECSService), Series(23, 4, 27, 3)...),
		put("AWS/ECS", "MemoryUtilization", dims("ClusterName", ECSCluster, "ServiceName", ECSService), Series(45, 1.5, 47, 4)...),
	)
}

func seedAutoScaling(ctx context.Context, c *autoscaling.Client, ec2c *ec2.Client) error {
	images, err := ec2c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	if err != nil || len(images.Images) == 0 {
		return fmt.Errorf("describe images: %v", err)
	}
	if _, err := c.CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: aws.String(AutoScalingGroup), ImageId: images.Images[0].ImageId, InstanceType: aws.String("t3.small"),
	}); err != nil {
		return fmt.Errorf("create launch configuration: %w", err)
	}
	if _, err := c.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName:    aws.String(AutoScalingGroup),
		LaunchConfigurationName: aws.String(AutoScalingGroup),
		MinSize:                 aws.Int32(1), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(2),
		AvailabilityZones: []string{"us-east-1a"},
		Tags: []astypes.Tag{{Key: aws.String("chatops:scalable"), Value: aws.String("true"),
			ResourceId: aws.String(AutoScalingGroup), ResourceType: aws.String("auto-scaling-group"), PropagateAtLaunch: aws.Bool(false)}},
	}); err != nil {
		return fmt.Errorf("create Auto Scaling group: %w", err)
	}
	return nil
}

// costLine is one of the demo account's services and what it costs a day.
type costLine struct {
	service string
	daily   float64
}

func costLines() []costLine {
	return []costLine{
		{"Amazon Elastic Compute Cloud - Compute", 41.20},
		{"Amazon Relational Database Service", 18.75},
		{"Amazon Elastic Container Service", 9.40},
		{"Amazon Simple Storage Service", 3.15},
		{"AWS Lambda", 0.42},
	}
}

// SeedCosts queues, in moto, the Cost Explorer answer for a report made at now in the demo's
// time zone (and the next two days', so a run that crosses midnight still has one): this month
// to date and the same days of last month, a little cheaper.
func SeedCosts(moto Poster, now time.Time) error {
	loc, err := time.LoadLocation(Timezone)
	if err != nil {
		return fmt.Errorf("load %s: %w", Timezone, err)
	}
	lines := costLines()
	names := make([]string, len(lines))
	daily := map[string]float64{}
	for i, l := range lines {
		names[i], daily[l.service] = l.service, l.daily
	}
	var results []map[string]any
	for d := range 3 {
		local := now.In(loc).AddDate(0, 0, d)
		today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
		period, previous := costreport.Periods(today)
		results = append(results, costreporttest.UsageResult(previous.Start, period.End, names, func(s string, day time.Time) float64 {
			f := daily[s] * (1 + 0.03*float64(day.Day()%5))
			if day.Before(period.Start) {
				f *= 0.9
			}
			return f
		}))
	}
	body, err := json.Marshal(map[string]any{"results": results})
	if err != nil {
		return err
	}
	if err := moto.Post("/moto-api/static/ce/cost-and-usage-results", string(body)); err != nil {
		return fmt.Errorf("queue Cost Explorer results: %w", err)
	}
	return nil
}

// SeriesLength is how many one-minute datapoints each demo metric has: the hour /status
// draws, so that its sparkline is full.
const SeriesLength = 60

// Series is an hour of a metric, one value a minute, oldest first: a day-like drift around
// base of about ±swing, different for each seed, ending on last (what /status shows as now).
func Series(base, swing, last float64, seed int) []float64 {
	v := make([]float64, SeriesLength)
	for i := range v {
		x := float64(i + 7*seed)
		f := base + swing*math.Sin(x*2*math.Pi/41) + swing/3*math.Sin(x*2*math.Pi/9)
		v[i] = math.Round(max(0, min(100, f))*10) / 10
	}
	v[len(v)-1] = last
	return v
}

func dims(kv ...string) []cwtypes.Dimension {
	var ds []cwtypes.Dimension
	for i := 0; i+1 < len(kv); i += 2 {
		ds = append(ds, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return ds
}

// metricPutter publishes values as one datapoint a minute, the last one a minute before now.
func metricPutter(ctx context.Context, cw *cloudwatch.Client, now time.Time) func(namespace, name string, d []cwtypes.Dimension, values ...float64) error {
	return func(namespace, name string, d []cwtypes.Dimension, values ...float64) error {
		var data []cwtypes.MetricDatum
		for i, v := range values {
			data = append(data, cwtypes.MetricDatum{MetricName: aws.String(name), Dimensions: d, Value: aws.Float64(v),
				Unit: cwtypes.StandardUnitPercent, Timestamp: aws.Time(now.Add(-time.Duration(len(values)-i) * time.Minute))})
		}
		// Ten at a time: moto answers a call with the hour's sixty at once with HTTP 500.
		for batch := range slices.Chunk(data, 10) {
			if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace), MetricData: batch}); err != nil {
				return fmt.Errorf("put %s %s: %w", namespace, name, err)
			}
		}
		return nil
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
