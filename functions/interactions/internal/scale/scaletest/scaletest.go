// Package scaletest seeds a moto_server with what the /scale tests change: ECS services and
// Auto Scaling groups, tagged chatops:scalable=true or not.
package scaletest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// What Seed creates.
const (
	// Cluster holds the ECS services Web (tagged, 2 tasks desired) and Worker (untagged, 1).
	Cluster = "prod"
	Web     = "prod/web"
	Worker  = "prod/worker"
	// WebASG is tagged, min 1, desired 2, max 6; BatchASG is untagged, min 0, desired 1, max 3.
	WebASG   = "web-asg"
	BatchASG = "batch-asg"
)

// Seed creates, in the moto_server cfg points at, the ECS cluster prod with the services web
// (tagged chatops:scalable=true, desired 2) and worker (untagged, desired 1), a launch template,
// and the Auto Scaling groups web-asg (tagged, min 1, desired 2, max 6) and batch-asg (untagged,
// min 0, desired 1, max 3).
func Seed(t testing.TB, cfg aws.Config) {
	t.Helper()
	ctx := context.Background()
	ecsc := ecs.NewFromConfig(cfg)
	if _, err := ecsc.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(Cluster)}); err != nil {
		t.Fatalf("create cluster: %v", err)
	}
	if _, err := ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("web:1"), Memory: aws.Int32(512)}}}); err != nil {
		t.Fatalf("register task definition: %v", err)
	}
	service := func(name string, desired int32, tags ...ecstypes.Tag) {
		if _, err := ecsc.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(Cluster), ServiceName: aws.String(name),
			TaskDefinition: aws.String("web"), DesiredCount: aws.Int32(desired), LaunchType: ecstypes.LaunchTypeFargate, Tags: tags}); err != nil {
			t.Fatalf("create service %s: %v", name, err)
		}
	}
	service("web", 2, ecstypes.Tag{Key: aws.String("chatops:scalable"), Value: aws.String("true")}, ecstypes.Tag{Key: aws.String("team"), Value: aws.String("web")})
	service("worker", 1, ecstypes.Tag{Key: aws.String("team"), Value: aws.String("web")})

	ec2c := ec2.NewFromConfig(cfg)
	images, err := ec2c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	if err != nil || len(images.Images) == 0 {
		t.Fatalf("describe images: %v", err)
	}
	if _, err := ec2c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: images.Images[0].ImageId, InstanceType: ec2types.InstanceTypeT3Micro}}); err != nil {
		t.Fatalf("create launch template: %v", err)
	}
	asc := autoscaling.NewFromConfig(cfg)
	group := func(name string, lo, desired, hi int32, tags ...astypes.Tag) {
		if _, err := asc.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(name),
			MinSize: aws.Int32(lo), DesiredCapacity: aws.Int32(desired), MaxSize: aws.Int32(hi), AvailabilityZones: []string{"us-east-1a"},
			LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web"), Version: aws.String("$Latest")},
			Tags:           tags}); err != nil {
			t.Fatalf("create group %s: %v", name, err)
		}
	}
	group(WebASG, 1, 2, 6, astypes.Tag{Key: aws.String("chatops:scalable"), Value: aws.String("true"), PropagateAtLaunch: aws.Bool(false)})
	group(BatchASG, 0, 1, 3, astypes.Tag{Key: aws.String("team"), Value: aws.String("batch"), PropagateAtLaunch: aws.Bool(false)})
}

// Desired reads the desired count of an ECS service (cluster/service) or an Auto Scaling group
// straight from moto, for tests to check what changed.
func Desired(t testing.TB, cfg aws.Config, ecsService, group string) int32 {
	t.Helper()
	ctx := context.Background()
	if group != "" {
		out, err := autoscaling.NewFromConfig(cfg).DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{group}})
		if err != nil || len(out.AutoScalingGroups) != 1 {
			t.Fatalf("describe group %s: %v", group, err)
		}
		return aws.ToInt32(out.AutoScalingGroups[0].DesiredCapacity)
	}
	out, err := ecs.NewFromConfig(cfg).DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(Cluster), Services: []string{ecsService}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe service %s: %v", ecsService, err)
	}
	return out.Services[0].DesiredCount
}
