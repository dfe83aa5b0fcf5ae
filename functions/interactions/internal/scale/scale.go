// Package scale is /scale: a preview card of an ECS service's or Auto Scaling group's desired
// count, and the change itself once a member with an allowed role approves it. Only resources
// tagged chatops:scalable=true are changed (the stack's IAM policy says the same), within the
// group's min and max, or up to a ceiling for ECS services, and the resource is read again
// right before the write.
//
// Upstream references:
//   - ECS DescribeServices: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
//   - ECS UpdateService: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html
//   - DescribeAutoScalingGroups: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html
//   - SetDesiredCapacity: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SetDesiredCapacity.html
package scale

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/discord-chatops/chatops/functions/interactions/internal/awserr"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// The consumer-side interfaces, shaped like the SDK clients' methods so that *ecs.Client and
// *autoscaling.Client satisfy them unchanged.
type (
	// ECSAPI reads and changes services.
	ECSAPI interface {
		DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
		UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	}
	// AutoScalingAPI reads and changes Auto Scaling groups.
	AutoScalingAPI interface {
		DescribeAutoScalingGroups(ctx context.Context, in *autoscaling.DescribeAutoScalingGroupsInput, optFns ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error)
		SetDesiredCapacity(ctx context.Context, in *autoscaling.SetDesiredCapacityInput, optFns ...func(*autoscaling.Options)) (*autoscaling.SetDesiredCapacityOutput, error)
	}
)

// TagKey and TagValue mark what /scale may change; the stack's IAM policy allows the writes
// only on resources carrying them.
const (
	TagKey   = "chatops:scalable"
	TagValue = "true"
)

// DefaultMaxDesired is SCALE_MAX_DESIRED when unset: the most tasks /scale gives an ECS service.
const DefaultMaxDesired = 10

// Scaler reads and scales resources. Its clients are used only for the kinds asked for.
type Scaler struct {
	ECS         ECSAPI
	AutoScaling AutoScalingAPI
	// MaxDesired is the ceiling of an ECS service's desired count (SCALE_MAX_DESIRED); ECS
	// services have no min and max of their own. Auto Scaling groups use theirs.
	MaxDesired int32
}

// State is a resource as read just now.
type State struct {
	Target Target
	// Desired is the desired count; Min and Max bound it: the group's, or 0 and the ceiling
	// for an ECS service.
	Desired, Min, Max int32
	// Running counts running tasks or InService instances; Pending, pending tasks (ECS).
	Running, Pending int32
	// Tagged says whether the resource carries TagKey=TagValue.
	Tagged bool
}

// Reasons a change is refused, for callers that branch and for the audit log. The errors
// Read, Check and Apply return wrap them in a *command.Error that says what to do.
var (
	ErrNotFound   = errors.New("not found")
	ErrUntagged   = errors.New("not tagged " + TagKey + "=" + TagValue)
	ErrOutOfRange = errors.New("out of range")
	ErrNoChange   = errors.New("already at the desired count")
	ErrAWSRefused = errors.New("refused by AWS")
)

// Reason is the short reason of a refusal, for the audit log: "untagged", "out-of-range",
// "no-change", "not-found", "aws-refused", or "error".
func Reason(err error) string {
	for _, r := range []struct {
		err  error
		name string
	}{{ErrUntagged, "untagged"}, {ErrOutOfRange, "out-of-range"}, {ErrNoChange, "no-change"}, {ErrNotFound, "not-found"}, {ErrAWSRefused, "aws-refused"}} {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "error"
}

// Read reads t's desired count, bounds, running count and tag. Its refusals are in p's
// language.
func (s *Scaler) Read(ctx context.Context, p *i18n.Printer, t Target) (State, error) {
	switch t.Kind {
	case ECS:
		return s.readService(ctx, p, t)
	case ASG:
		return s.readGroup(ctx, p, t)
	}
	return State{}, fmt.Errorf("unknown kind %q", t.Kind)
}

func (s *Scaler) readService(ctx context.Context, p *i18n.Printer, t Target) (State, error) {
	out, err := s.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{
		Cluster: aws.String(t.Cluster), Services: []string{t.Service}, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags},
	})
	if awserr.NotFound(err) {
		return State{}, notFound(p, t)
	}
	if err != nil {
		return State{}, explainAWS(p, err, command.T("scale.action.read", i18n.Args{"Name": t.Name}), "ecs:DescribeServices", false)
	}
	for _, svc := range out.Services {
		if aws.ToString(svc.Status) != "ACTIVE" { // DRAINING or INACTIVE: deleted
			continue
		}
		st := State{Target: t, Desired: svc.DesiredCount, Min: 0, Max: s.MaxDesired, Running: svc.RunningCount, Pending: svc.PendingCount}
		for _, tag := range svc.Tags {
			st.Tagged = st.Tagged || (aws.ToString(tag.Key) == TagKey && aws.ToString(tag.Value) == TagValue)
		}
		return st, nil
	}
	return State{}, notFound(p, t)
}

func (s *Scaler) readGroup(ctx context.Context, p *i18n.Printer, t Target) (State, error) {
	out, err := s.AutoScaling.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{t.Name}})
	if err != nil {
		return State{}, explainAWS(p, err, command.T("scale.action.read", i18n.Args{"Name": t.Name}), "autoscaling:DescribeAutoScalingGroups", false)
	}
	for _, g := range out.AutoScalingGroups {
		if aws.ToString(g.AutoScalingGroupName) != t.Name || g.Status != nil { // Status is set only while the group is deleted
			continue
		}
		st := State{Target: t, Desired: aws.ToInt32(g.DesiredCapacity), Min: aws.ToInt32(g.MinSize), Max: aws.ToInt32(g.MaxSize)}
		for _, i := range g.Instances {
			if i.LifecycleState == astypes.LifecycleStateInService {
				st.Running++
			}
		}
		for _, tag := range g.Tags {
			st.Tagged = st.Tagged || (aws.ToString(tag.Key) == TagKey && aws.ToString(tag.Value) == TagValue)
		}
		return st, nil
	}
	return State{}, notFound(p, t)
}

// Check says whether st may be set to desired: tagged, within its bounds, and a change. Its
// refusals are in p's language.
func Check(p *i18n.Printer, st State, desired int32) error {
	t := st.Target
	args := i18n.Args{"Name": discord.Quote(t.Name), "Tag": TagKey + "=" + TagValue, "Desired": desired, "Min": st.Min, "Max": st.Max,
		"Unit": t.Unit(p, st.Max)}
	refuse := func(reason error, id string) error { return &command.Error{Message: p.T(id, args), Err: reason} }
	switch {
	case !st.Tagged:
		return refuse(ErrUntagged, "scale.check.untagged")
	case t.Kind == ECS && desired > st.Max:
		return refuse(ErrOutOfRange, "scale.check.ceiling")
	case desired < st.Min || desired > st.Max:
		return refuse(ErrOutOfRange, "scale.check.range")
	case desired == st.Desired:
		return refuse(ErrNoChange, "scale.check.nochange")
	}
	return nil
}

// Apply reads t again, checks the change against what it reads, and sets the desired count.
// It returns the state before the change. Setting the same count twice is harmless, and a
// second Apply finds ErrNoChange and writes nothing.
func (s *Scaler) Apply(ctx context.Context, p *i18n.Printer, t Target, desired int32) (State, error) {
	st, err := s.Read(ctx, p, t)
	if err != nil {
		return State{}, err
	}
	if err := Check(p, st, desired); err != nil {
		return st, err
	}
	var permission string
	switch t.Kind {
	case ECS:
		permission = "ecs:UpdateService"
		_, err = s.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(t.Cluster), Service: aws.String(t.Service), DesiredCount: aws.Int32(desired)})
	case ASG:
		permission = "autoscaling:SetDesiredCapacity"
		// HonorCooldown false: the change was asked for and approved by people, now.
		_, err = s.AutoScaling.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String(t.Name),
			DesiredCapacity: aws.Int32(desired), HonorCooldown: aws.Bool(false)})
	}
	if err != nil {
		return st, explainAWS(p, err, command.T("scale.action.scale", i18n.Args{"Name": t.Name}), permission, true)
	}
	return st, nil
}

func notFound(p *i18n.Printer, t Target) error {
	id := "scale.notfound.asg"
	if t.Kind == ECS {
		id = "scale.notfound.ecs"
	}
	return &command.Error{Message: p.T(id, i18n.Args{"Name": discord.Quote(t.Name)}), Err: ErrNotFound}
}

// explainAWS turns a failed AWS call into a message for the user. A denied write is the stack's
// tag condition: the resource lost its tag, or the policy was changed. A busy group is
// particular to Auto Scaling; the rest is awserr's. A denial wraps ErrAWSRefused. The two
// messages of its own are in p's language.
func explainAWS(p *i18n.Printer, err error, action command.Text, permission string, write bool) error {
	code := awserr.Code(err)
	if awserr.Denied(err) {
		err = errors.Join(ErrAWSRefused, err)
	}
	switch {
	case awserr.Denied(err) && write:
		return &command.Error{Message: p.T("scale.aws.deniedwrite", i18n.Args{"Code": code, "Tag": TagKey + "=" + TagValue}), Err: err}
	case awserr.HasCode(err, "ScalingActivityInProgress", "ResourceContention"):
		return &command.Error{Message: p.T("scale.aws.busy", i18n.Args{"Action": action.In(p), "Code": code}), Err: err}
	}
	return awserr.Explain(err, action, permission)
}
