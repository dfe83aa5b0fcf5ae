// Package statustest seeds a moto_server with what the /status tests read: instances, an ECS
// service and an EKS cluster, with metrics published as AWS and the CloudWatch agent publish
// them.
package statustest

import (
	"context"
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
)

// World is what Seed creates: three instances (web-1 with the CloudWatch agent, web-2
// without, db-1 stopped), an ECS service and an EKS cluster without Container Insights.
type World struct {
	// Web1, Web2 and DB1 are the instance ids of web-1, web-2 and db-1.
	Web1, Web2, DB1 string
	// Now is the time the metrics lead up to: the last datapoint of each is a minute before.
	Now time.Time
}

// Seed creates, in the moto_server cfg points at, three instances (web-1 with the CloudWatch
// agent, web-2 without, db-1 stopped), the ECS service prod/api and the EKS cluster prod-eks
// without Container Insights. It publishes metrics as the services and the agent do: AWS/EC2
// CPUUtilization by InstanceId; CWAgent mem_used_percent by InstanceId, ImageId and
// InstanceType (the agent's default append_dimensions); AWS/ECS by ClusterName and
// ServiceName. cwOpts must make the CloudWatch client speak a protocol moto understands
// (status.WithJSONProtocol).
func Seed(t testing.TB, cfg aws.Config, cwOpts ...func(*cloudwatch.Options)) World {
	t.Helper()
	ctx := context.Background()
	w := World{Now: time.Now().UTC()}
	ec2c := ec2.NewFromConfig(cfg)
	cw := cloudwatch.NewFromConfig(cfg, cwOpts...)

	images, err := ec2c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	if err != nil || len(images.Images) == 0 {
		t.Fatalf("describe images: %v (%d images)", err, len(images.Images))
	}
	imageID := aws.ToString(images.Images[0].ImageId)
	run := func(name string) string {
		out, err := ec2c.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String(imageID), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}, {Key: aws.String("team"), Value: aws.String("web")}}}},
		})
		if err != nil {
			t.Fatalf("run instance %s: %v", name, err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	w.Web1, w.Web2, w.DB1 = run("web-1"), run("web-2"), run("db-1")
	if _, err := ec2c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{w.DB1}}); err != nil {
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
				Unit: cwtypes.StandardUnitPercent, Timestamp: aws.Time(w.Now.Add(-time.Duration(len(values)-i) * time.Minute))})
		}
		if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace), MetricData: data}); err != nil {
			t.Fatalf("put %s %s: %v", namespace, name, err)
		}
	}
	put("AWS/EC2", "CPUUtilization", dim("InstanceId", w.Web1), 10, 20, 30, 40)
	put("CWAgent", "mem_used_percent", dim("InstanceId", w.Web1, "ImageId", imageID, "InstanceType", string(ec2types.InstanceTypeT3Micro)), 50, 60, 70)
	put("AWS/EC2", "CPUUtilization", dim("InstanceId", w.Web2), 95, 91)
	// Another agent metric, on another instance, must not be taken for web-2's.
	put("CWAgent", "mem_used_percent", dim("InstanceId", "i-00000000000000000", "ImageId", imageID, "InstanceType", "m5.large"), 1)

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
