package status

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/functions/interactions/internal/status/statustest"
	"github.com/discord-chatops/chatops/shared/mototest"
)

// seed starts moto_server, seeds it and returns a Reader aimed at it.
func seed(t *testing.T) (statustest.World, *Reader) {
	t.Helper()
	cfg := mototest.Start(t).Config(t)
	w := statustest.Seed(t, cfg, WithJSONProtocol)
	return w, &Reader{EC2: ec2.NewFromConfig(cfg), ECS: ecs.NewFromConfig(cfg), EKS: eks.NewFromConfig(cfg),
		CloudWatch: cloudwatch.NewFromConfig(cfg, WithJSONProtocol)}
}

// brief is what a test checks of a resource: its identity and what each metric says.
type brief struct {
	ID, Name, State string
	CPU, Memory     string
}

func briefOf(rep Report) []brief {
	en := english()
	var out []brief
	for _, r := range rep.Resources {
		out = append(out, brief{ID: r.ID, Name: r.Name, State: r.State.In(en),
			CPU: field(en, r.CPU, Summarize(r.CPU, rep.End), rep.End), Memory: field(en, r.Memory, Summarize(r.Memory, rep.End), rep.End)})
	}
	return out
}

const noAgent = "unavailable: the CloudWatch agent is not installed or not publishing mem_used_percent on this instance"

func TestReadMoto(t *testing.T) {
	t.Parallel()
	w, reader := seed(t)
	spark := func(p string) string { return "···········" + p } // data in the last 5 minutes only
	web1 := brief{ID: w.Web1, Name: "web-1", State: "running",
		CPU:    "**40.0%** now\n" + spark("▃") + "\nmin 10.0% · avg 25.0% · max 40.0%",
		Memory: "**70.0%** now\n" + spark("▅") + "\nmin 50.0% · avg 60.0% · max 70.0%"}
	web2 := brief{ID: w.Web2, Name: "web-2", State: "running",
		CPU:    "**91.0%** now\n" + spark("█") + "\nmin 91.0% · avg 93.0% · max 95.0%",
		Memory: noAgent}
	db1 := brief{ID: w.DB1, Name: "db-1", State: "stopped", CPU: "no data in the last hour", Memory: noAgent}
	tests := []struct {
		name, service, target string
		want                  []brief
		total                 int
		notFound              []string
	}{
		{"by id", "ec2", w.Web1, []brief{web1}, 1, nil},
		{"by ids, one unknown", "ec2", w.Web2 + ",i-0fffffffffffffff0", []brief{web2}, 1, []string{"i-0fffffffffffffff0"}},
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
			rep, err := reader.Read(context.Background(), target, w.Now)
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
	w, reader := seed(t)
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
			_, err = reader.Read(context.Background(), target, w.Now)
			var e *command.Error
			if !errors.As(err, &e) {
				t.Fatalf("Read error = %v, want a *command.Error", err)
			}
			if e.In(english()) != tt.want {
				t.Errorf("message\n got %s\nwant %s", e.In(english()), tt.want)
			}
		})
	}
}
