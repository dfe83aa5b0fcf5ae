package status

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
)

// The fakes are funcs with the SDK methods' shape.
type (
	fakeEC2 func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error)
	fakeECS func(*ecs.DescribeServicesInput) (*ecs.DescribeServicesOutput, error)
	fakeEKS func(*eks.DescribeClusterInput) (*eks.DescribeClusterOutput, error)
	fakeCW  struct {
		list func(*cloudwatch.ListMetricsInput) (*cloudwatch.ListMetricsOutput, error)
		get  func(*cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error)
	}
)

func (f fakeEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return f(in)
}

func (f fakeECS) DescribeServices(_ context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	return f(in)
}

func (f fakeEKS) DescribeCluster(_ context.Context, in *eks.DescribeClusterInput, _ ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	return f(in)
}

func (f fakeCW) ListMetrics(_ context.Context, in *cloudwatch.ListMetricsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return f.list(in)
}

func (f fakeCW) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	return f.get(in)
}

func instances(n int) *ec2.DescribeInstancesOutput {
	var res ec2types.Reservation
	for i := range n {
		res.Instances = append(res.Instances, ec2types.Instance{
			InstanceId: aws.String(fmt.Sprintf("i-%017x", i)), InstanceType: ec2types.InstanceTypeT3Micro,
			State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning},
			Tags:  []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("web-%02d", n-i))}},
		})
	}
	return &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{res}}
}

// TestReadOneGetMetricData checks that a report of many resources reads all its metrics with
// one GetMetricData call, for the first MaxResources by name, and counts the rest.
func TestReadOneGetMetricData(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		gets  []*cloudwatch.GetMetricDataInput
		lists int
	)
	r := &Reader{
		EC2: fakeEC2(func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) { return instances(12), nil }),
		CloudWatch: fakeCW{
			list: func(in *cloudwatch.ListMetricsInput) (*cloudwatch.ListMetricsOutput, error) {
				mu.Lock()
				lists++
				mu.Unlock()
				id := in.Dimensions[0].Value
				return &cloudwatch.ListMetricsOutput{Metrics: []cwtypes.Metric{{Namespace: in.Namespace, MetricName: in.MetricName,
					Dimensions: []cwtypes.Dimension{{Name: aws.String("InstanceId"), Value: id}, {Name: aws.String("ImageId"), Value: aws.String("ami-1")}}}}}, nil
			},
			get: func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
				gets = append(gets, in)
				return &cloudwatch.GetMetricDataOutput{}, nil
			},
		},
	}
	target, _ := ParseTarget("ec2", "Name=web-*")
	rep, err := r.Read(context.Background(), target, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(gets) != 1 {
		t.Fatalf("%d GetMetricData calls, want 1", len(gets))
	}
	if lists != MaxResources {
		t.Errorf("%d ListMetrics calls, want one per shown instance, %d", lists, MaxResources)
	}
	q := gets[0].MetricDataQueries
	if len(q) != 2*MaxResources {
		t.Fatalf("%d queries, want %d", len(q), 2*MaxResources)
	}
	for i, query := range q {
		if id := aws.ToString(query.Id); id != fmt.Sprintf("m%d", i) {
			t.Errorf("query %d id %q", i, id)
		}
		if p := aws.ToInt32(query.MetricStat.Period); p != 60 {
			t.Errorf("query %d period %d, want 60", i, p)
		}
	}
	if got := len(q[1].MetricStat.Metric.Dimensions); got != 2 {
		t.Errorf("memory query has %d dimensions, want the 2 ListMetrics found", got)
	}
	if d := gets[0].EndTime.Sub(*gets[0].StartTime); d != Window+Period {
		t.Errorf("window %s", d)
	}
	if rep.Total != 12 || len(rep.Resources) != MaxResources || rep.Resources[0].Name != "web-01" {
		t.Errorf("Total %d, %d shown, first %q; want 12, 10, web-01", rep.Total, len(rep.Resources), rep.Resources[0].Name)
	}
	if !strings.Contains(Render(english(), rep).Content, "and 2 more") {
		t.Errorf("content %q does not say how many more", Render(english(), rep).Content)
	}
}

func TestReadAWSErrors(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized (account 123456789012)"}
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException"}
	tests := []struct {
		name, service, target string
		r                     *Reader
		want                  string
	}{
		{"ec2 denied", "ec2", "web", &Reader{EC2: fakeEC2(func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) { return nil, denied })},
			"I'm not allowed to list EC2 instances: the stack grants this function ec2:DescribeInstances, so its IAM role was changed or the call was blocked by a policy (UnauthorizedOperation). Ask whoever deployed the bot to check."},
		{"ecs denied", "ecs", "prod/api", &Reader{ECS: fakeECS(func(*ecs.DescribeServicesInput) (*ecs.DescribeServicesOutput, error) {
			return nil, &smithy.GenericAPIError{Code: "AccessDeniedException"}
		})}, "I'm not allowed to read ECS services: the stack grants this function ecs:DescribeServices, so its IAM role was changed or the call was blocked by a policy (AccessDeniedException). Ask whoever deployed the bot to check."},
		{"eks throttled", "eks", "prod", &Reader{EKS: fakeEKS(func(*eks.DescribeClusterInput) (*eks.DescribeClusterOutput, error) { return nil, throttled })},
			"AWS is throttling requests, so I couldn't read EKS clusters (ThrottlingException). Try again in a minute."},
		{"metrics denied", "ec2", "i-0123456789abcdef0", &Reader{
			EC2: fakeEC2(func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) { return instances(1), nil }),
			CloudWatch: fakeCW{
				list: func(*cloudwatch.ListMetricsInput) (*cloudwatch.ListMetricsOutput, error) {
					return &cloudwatch.ListMetricsOutput{}, nil
				},
				get: func(*cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
					return nil, &smithy.GenericAPIError{Code: "AccessDenied"}
				},
			}}, "I'm not allowed to read CloudWatch metrics: the stack grants this function cloudwatch:GetMetricData, so its IAM role was changed or the call was blocked by a policy (AccessDenied). Ask whoever deployed the bot to check."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target, err := ParseTarget(tt.service, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tt.r.Read(context.Background(), target, end)
			var e *command.Error
			if !errors.As(err, &e) {
				t.Fatalf("Read error = %v, want a *command.Error", err)
			}
			if e.In(english()) != tt.want {
				t.Errorf("message\n got %s\nwant %s", e.In(english()), tt.want)
			}
			if strings.Contains(e.In(english()), "123456789012") {
				t.Errorf("message shows the AWS error text: %s", e.In(english()))
			}
		})
	}
}

func TestReadNetworkErrorIsInternal(t *testing.T) {
	t.Parallel()
	r := &Reader{EC2: fakeEC2(func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) {
		return nil, errors.New("dial tcp: connection refused")
	})}
	target, _ := ParseTarget("ec2", "web")
	_, err := r.Read(context.Background(), target, end)
	var e *command.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("Read error = %v, want an internal (non-*command.Error) error", err)
	}
}
