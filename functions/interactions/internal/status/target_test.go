package status

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

func TestParseTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, service, target string
		want                  Target
	}{
		{"one instance id", "ec2", "i-0123456789abcdef0", Target{Kind: EC2, InstanceIDs: []string{"i-0123456789abcdef0"}}},
		{"old short id", "ec2", "i-12345678", Target{Kind: EC2, InstanceIDs: []string{"i-12345678"}}},
		{"several ids, spaces and a duplicate", "EC2", " i-0123456789abcdef0, i-0123456789abcdef1 ,i-0123456789abcdef0",
			Target{Kind: EC2, InstanceIDs: []string{"i-0123456789abcdef0", "i-0123456789abcdef1"}}},
		{"tag", "ec2", "team=payments", Target{Kind: EC2, TagKey: "team", TagValues: []string{"payments"}}},
		{"tag with several values and a wildcard", "ec2", "Name=web-*,api", Target{Kind: EC2, TagKey: "Name", TagValues: []string{"web-*", "api"}}},
		{"tag value with =", "ec2", "expr=a=b", Target{Kind: EC2, TagKey: "expr", TagValues: []string{"a=b"}}},
		{"bare word is a Name tag", "ec2", "web-1", Target{Kind: EC2, TagKey: "Name", TagValues: []string{"web-1"}}},
		{"ecs service", "ecs", "prod/api", Target{Kind: ECS, Services: []ECSService{{"prod", "api"}}}},
		{"ecs services", "ecs", "prod/api, prod/web", Target{Kind: ECS, Services: []ECSService{{"prod", "api"}, {"prod", "web"}}}},
		{"eks cluster", "eks", "prod-eks", Target{Kind: EKS, Clusters: []string{"prod-eks"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTarget(tt.service, tt.target)
			if err != nil {
				t.Fatalf("ParseTarget(%q, %q): %v", tt.service, tt.target, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseTarget(%q, %q) mismatch (-want +got):\n%s", tt.service, tt.target, diff)
			}
		})
	}
}

func TestParseTargetRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, service, target, want string
	}{
		{"empty", "ec2", "  ", "Give a target: an instance id (`i-0123456789abcdef0`, several comma-separated), a tag as `key=value`, or a Name tag value."},
		{"unknown service", "rds", "db-1", "`rds` is not a service I can read: choose ec2, ecs or eks"},
		{"bad instance id", "ec2", "i-xyz", "`i-xyz` is not an EC2 instance id: they look like `i-0123456789abcdef0`"},
		{"instance id of 9 hex digits", "ec2", "i-123456789", "`i-123456789` is not an EC2 instance id: they look like `i-0123456789abcdef0`"},
		{"mixed id and word", "ec2", "i-0123456789abcdef0,web", "`web` is not an EC2 instance id: they look like `i-0123456789abcdef0`"},
		{"tag without key", "ec2", "=web", "`=web` is not a tag filter I can use: write it as `key=value`, for example `Name=web-1`"},
		{"tag without value", "ec2", "Name=", "Give at least one tag value"},
		{"ecs without slash", "ecs", "api", "`api` is not an ECS service: write it as `cluster/service`, for example `prod/api`"},
		{"ecs with two slashes", "ecs", "a/b/c", "`a/b/c` is not an ECS service: write it as `cluster/service`, for example `prod/api`"},
		{"ecs name over 255", "ecs", "a/" + strings.Repeat("s", 256), discord.Quote("a/"+strings.Repeat("s", 256)) + " is not an ECS service: write it as `cluster/service`, for example `prod/api`"},
		{"eks name over 100", "eks", strings.Repeat("e", 101), discord.Quote(strings.Repeat("e", 101)) + " is not an EKS cluster name: letters, digits, - and _, up to 100"},
		{"eks bad name", "eks", "prod eks", "`prod eks` is not an EKS cluster name: letters, digits, - and _, up to 100"},
		{"backticks cannot break out", "eks", "a`b", "`a'b` is not an EKS cluster name: letters, digits, - and _, up to 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTarget(tt.service, tt.target)
			var e *command.Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseTarget(%q, %q) error = %v, want a *command.Error", tt.service, tt.target, err)
			}
			if e.In(english()) != tt.want {
				t.Errorf("ParseTarget(%q, %q) message\n got %s\nwant %s", tt.service, tt.target, e.In(english()), tt.want)
			}
		})
	}
}

// TestRefusalsGolden writes what /status tells a member of a target it cannot read, and of one
// that matches nothing, in each language, to testdata/golden/refusals.<lang>.txt.
func TestRefusalsGolden(t *testing.T) {
	t.Parallel()
	c := texts()
	targets := [][2]string{
		{"ec2", " "}, {"ecs", ""}, {"eks", ""}, {"rds", "db-1"}, {"ec2", "i-xyz"}, {"ec2", "=web"}, {"ec2", "Name="},
		{"ecs", "api"}, {"ecs", ","}, {"eks", "prod eks"}, {"eks", ", ,"}, {"ec2", "i-0123456789abcdef0,,"},
	}
	var many []string
	for i := range maxTargetItems + 1 {
		many = append(many, fmt.Sprintf("web-%d", i))
	}
	targets = append(targets, [2]string{"ec2", strings.Join(many, ",")})
	missing := []Target{
		{Kind: EC2, TagKey: "Name", TagValues: []string{"web-*"}},
		{Kind: EC2, InstanceIDs: []string{"i-0123456789abcdef0"}},
		{Kind: ECS, Services: []ECSService{{"prod", "api"}}},
		{Kind: EKS, Clusters: []string{"prod-eks"}},
	}
	for _, lang := range i18n.Languages() {
		p := c.Printer(lang)
		var b strings.Builder
		for _, st := range targets {
			if _, err := ParseTarget(st[0], st[1]); err != nil {
				fmt.Fprintf(&b, "%s %q: %s\n", st[0], st[1], message(p, err))
			}
		}
		for _, tg := range missing {
			fmt.Fprintf(&b, "not found %s: %s\n", tg, message(p, notFound(tg, []string{tg.String()})))
		}
		fmt.Fprintf(&b, "not a command.Error: %s\n", message(p, errors.New("x")))
		for _, s := range []Resource{
			serviceResource("prod", ecstypes.Service{ServiceName: aws.String("api"), RunningCount: 0, DesiredCount: 2, PendingCount: 2, Status: aws.String("DRAINING")}),
			serviceResource("prod", ecstypes.Service{ServiceName: aws.String("api"), RunningCount: 2, DesiredCount: 2, Status: aws.String("ACTIVE")}),
		} {
			fmt.Fprintf(&b, "ECS state: %s\n", s.State.In(p))
		}
		if strings.Contains(b.String(), "[status.") {
			t.Errorf("a text is missing from the catalog:\n%s", b.String())
		}
		golden(t, filepath.Join("testdata", "golden", "refusals."+string(lang)+".txt"), []byte(b.String()))
	}
}
