package scale

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/scale/scaletest"
	"github.com/discord-chatops/chatops/shared/mototest"
)

func TestReadMoto(t *testing.T) {
	t.Parallel()
	cfg := mototest.Start(t).Config(t)
	scaletest.Seed(t, cfg)
	s := &Scaler{ECS: ecs.NewFromConfig(cfg), AutoScaling: autoscaling.NewFromConfig(cfg), MaxDesired: 10}
	for _, tt := range []struct {
		service, target string
		want            State
	}{
		{"ecs", "prod/web", State{Desired: 2, Min: 0, Max: 10, Pending: 2, Tagged: true}},
		{"ecs", "prod/worker", State{Desired: 1, Min: 0, Max: 10, Pending: 1}},
		{"asg", "web-asg", State{Desired: 2, Min: 1, Max: 6, Running: 2, Tagged: true}},
		{"asg", "batch-asg", State{Desired: 1, Min: 0, Max: 3, Running: 1}},
	} {
		en := english().Printer
		target, err := ParseTarget(en, tt.service, tt.target)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Read(context.Background(), en, target)
		if err != nil {
			t.Fatalf("Read %s: %v", tt.target, err)
		}
		tt.want.Target = target
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Read %s mismatch (-want +got):\n%s", tt.target, diff)
		}
	}
}
