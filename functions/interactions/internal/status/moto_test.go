package status

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/mototest"
)

// world is what the moto tests seed: three instances (web-1 with the CloudWatch agent, web-2
// without, db-1 stopped), an ECS service and an EKS cluster without Container Insights.
type world struct {
	reader           *Reader
	web1, web2, db1  string
	now              time.Time
	imageID          string
	cw               *cloudwatch.Client
	instanceTypeWeb1 string
}

// seed publishes metrics as the services and the agent do: AWS/EC2 CPUUtilization by
// InstanceId; CWAgent mem_used_percent by InstanceId, ImageId and InstanceType (the agent's
// default append_dimensions); AWS/ECS by ClusterName and ServiceName.
func seed(t *testing.T) world {
	t.Helper()
	s := mototest.Start(t)
	cfg := s.Config(t)
	ctx := context.Background()
	w := world{now: time.Now().UTC()}
	ec2c := ec2.NewFromConfig(cfg)
	w.cw = cloudwatch.NewFromConfig(cfg, WithJSONProtocol)
	w.reader = &Reader{EC2: ec2c, ECS: ecs.NewFromConfig(cfg), EKS: eks.NewFromConfig(cfg), CloudWatch: w.cw}

	images, err := ec2c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	if err != nil || len(images.Images) == 0 {
		t.Fatalf("describe images: %v (%d images)", err, len(images.Images))
	}
	w.imageID = aws.ToString(images.Images[0].ImageId)
	run := func(name string) string {
		out, err := ec2c.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(w.imageID), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}, {Key: aws.String("team"), Value: aws.String("web")}}}},
		})
		if err != nil {
			t.Fatalf("run instance %s: %v", name, err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	w.web1, w.web2, w.db1 = run("web-1"), run("web-2"), run("db-1")
	w.instanceTypeWeb1 = string(ec2types.InstanceTypeT3Micro)
	if _, err := ec2c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{w.db1}}); err != nil {
		t.Fatalf("stop db-1: %v", err)
	}

	dim := func(kv ...string) []cwtypes.Dimension {
		var ds []cwtypes.Dimension
		for i := 0; i < len(kv); i += 2 {
			ds = append(ds, cwtypes.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return ds
	}
	put := func(namespace, name string, dims []cwtypes.Dimension, values ...float64) {
		var data []cwtypes.MetricDatum
		for i, v := range values { // the last value is a minute old, the others one a minute before
			data = append(data, cwtypes.MetricDatum{MetricName: aws.String(name), Dimensions: dims, Value: aws.Float64(v),
				Unit: cwtypes.StandardUnitPercent, Timestamp: aws.Time(w.now.Add(-time.Duration(len(values)-i) * time.Minute))})
		}
		if _, err := w.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace), MetricData: data}); err != nil {
			t.Fatalf("put %s %s: %v", namespace, name, err)
		}
	}
	put("AWS/EC2", "CPUUtilization", dim("InstanceId", w.web1), 10, 20, 30, 40)
	put("CWAgent", "mem_used_percent", dim("InstanceId", w.web1, "ImageId", w.imageID, "InstanceType", w.instanceTypeWeb1), 50, 60, 70)
	put("AWS/EC2", "CPUUtilization", dim("InstanceId", w.web2), 95, 91)
	// Another agent metric, on another instance, must not be taken for web-2's.
	put("CWAgent", "mem_used_percent", dim("InstanceId", "i-00000000000000000", "ImageId", w.imageID, "InstanceType", "m5.large"), 1)

	ecsc := ecs.NewFromConfig(cfg)
	if _, err := ecsc.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("prod")}); err != nil {
		t.Fatalf("create cluster: %v", err)
	}
	if _, err := ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("api"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("api"), Image: aws.String("api:1"), Memory: aws.Int32(512)}}}); err != nil {
		t.Fatalf("register task definition: %v", err)
	}
	if _, err := ecsc.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("api"),
		TaskDefinition: aws.String("api"), DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate}); err != nil {
		t.Fatalf("create service: %v", err)
	}
	put("AWS/ECS", "CPUUtilization", dim("ClusterName", "prod", "ServiceName", "api"), 12, 14)
	put("AWS/ECS", "MemoryUtilization", dim("ClusterName", "prod", "ServiceName", "api"), 33, 35)

	if _, err := eks.NewFromConfig(cfg).CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("prod-eks"),
		RoleArn:            aws.String("arn:aws:iam::123456789012:role/eks"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1"}}}); err != nil {
		t.Fatalf("create EKS cluster: %v", err)
	}
	return w
}

// brief is what a test checks of a resource: its identity and what each metric says.
type brief struct {
	ID, Name, State string
	CPU, Memory     string
}

func briefOf(rep Report) []brief {
	var out []brief
	for _, r := range rep.Resources {
		out = append(out, brief{ID: r.ID, Name: r.Name, State: r.State,
			CPU: field(r.CPU, Summarize(r.CPU, rep.End), rep.End), Memory: field(r.Memory, Summarize(r.Memory, rep.End), rep.End)})
	}
	return out
}

const noAgent = "unavailable: the CloudWatch agent is not installed or not publishing mem_used_percent on this instance"

func TestReadMoto(t *testing.T) {
	t.Parallel()
	w := seed(t)
	spark := func(p string) string { return "···········" + p } // data in the last 5 minutes only
	web1 := brief{ID: w.web1, Name: "web-1", State: "running",
		CPU:    "**40.0%** now\n" + spark("▃") + "\nmin 10.0% · avg 25.0% · max 40.0%",
		Memory: "**70.0%** now\n" + spark("▅") + "\nmin 50.0% · avg 60.0% · max 70.0%"}
	web2 := brief{ID: w.web2, Name: "web-2", State: "running",
		CPU:    "**91.0%** now\n" + spark("█") + "\nmin 91.0% · avg 93.0% · max 95.0%",
		Memory: noAgent}
	db1 := brief{ID: w.db1, Name: "db-1", State: "stopped", CPU: "no data in the last hour", Memory: noAgent}
	tests := []struct {
		name, service, target string
		want                  []brief
		total                 int
		notFound              []string
	}{
		{"by id", "ec2", w.web1, []brief{web1}, 1, nil},
		{"by ids, one unknown", "ec2", w.web2 + ",i-0fffffffffffffff0", []brief{web2}, 1, []string{"i-0fffffffffffffff0"}},
		{"by Name tag, bare word", "ec2", "web-1", []brief{web1}, 1, nil},
		{"by tag with wildcard", "ec2", "Name=web-*", []brief{web1, web2}, 2, nil},
		{"by another tag, stopped included", "ec2", "team=web", []brief{db1, web1, web2}, 3, nil},
		{"ecs service", "ecs", "prod/api", []brief{{ID: "prod/api", Name: "api", State: "0/2 tasks running, 2 pending",
			CPU:    "**14.0%** now\n" + spark("▂") + "\nmin 12.0% · avg 13.0% · max 14.0%",
			Memory: "**35.0%** now\n" + spark("▃") + "\nmin 33.0% · avg 34.0% · max 35.0%"}}, 1, nil},
		{"eks without Container Insights", "eks", "prod-eks", []brief{{ID: "prod-eks", Name: "prod-eks", State: "ACTIVE",
			CPU:    "unavailable: Container Insights is not enabled on this cluster (no ContainerInsights metrics)",
			Memory: "unavailable: Container Insights is not enabled on this cluster (no ContainerInsights metrics)"}}, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, err := ParseTarget(tt.service, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := w.reader.Read(context.Background(), target, w.now)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(tt.want, briefOf(rep)); diff != "" {
				t.Errorf("resources mismatch (-want +got):\n%s", diff)
			}
			if rep.Total != tt.total || !cmp.Equal(rep.NotFound, tt.notFound) {
				t.Errorf("Total = %d, NotFound = %v; want %d, %v", rep.Total, rep.NotFound, tt.total, tt.notFound)
			}
		})
	}
}

func TestReadMotoNotFound(t *testing.T) {
	t.Parallel()
	w := seed(t)
	tests := []struct{ service, target, want string }{
		{"ec2", "Name=nothing-*", "No EC2 instance has the tag `Name=nothing-*` (terminated instances are not listed). Check the spelling and case, use * as a wildcard, or give an instance id."},
		{"ec2", "i-0fffffffffffffff0", "No EC2 instance `i-0fffffffffffffff0` in this account and Region. Check the id."},
		{"ecs", "prod/nope", "No ECS service `prod/nope` in this account and Region. Write it as `cluster/service` and check both names."},
		{"ecs", "nocluster/api", "No ECS service `nocluster/api` in this account and Region. Write it as `cluster/service` and check both names."},
		{"eks", "nope", "No EKS cluster `nope` in this account and Region. Check the name."},
	}
	for _, tt := range tests {
		t.Run(tt.service+" "+tt.target, func(t *testing.T) {
			target, err := ParseTarget(tt.service, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.reader.Read(context.Background(), target, w.now)
			var e *command.Error
			if !errors.As(err, &e) {
				t.Fatalf("Read error = %v, want a *command.Error", err)
			}
			if e.Message != tt.want {
				t.Errorf("message\n got %s\nwant %s", e.Message, tt.want)
			}
		})
	}
}
