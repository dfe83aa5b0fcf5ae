package scale

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

func TestParseTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		service, target string
		want            Target
		wantErr         string
	}{
		{"ecs", "prod/web", Target{Kind: ECS, Name: "prod/web", Cluster: "prod", Service: "web"}, ""},
		{"ecs", " prod/web ", Target{Kind: ECS, Name: "prod/web", Cluster: "prod", Service: "web"}, ""},
		{"asg", "web-asg", Target{Kind: ASG, Name: "web-asg"}, ""},
		{"asg", "My Group (blue)", Target{Kind: ASG, Name: "My Group (blue)"}, ""},
		{"ecs", "web", Target{}, "Write an ECS target as `cluster/service`, for example `prod/api` (not `web`)."},
		{"ecs", "prod/web/x", Target{}, "Write an ECS target as `cluster/service`, for example `prod/api` (not `prod/web/x`)."},
		{"ecs", "prod/", Target{}, "Write an ECS target as `cluster/service`, for example `prod/api` (not `prod/`)."},
		{"asg", "", Target{}, "Give the Auto Scaling group's name, for example `web-asg` (not ``)."},
		{"asg", "arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x", Target{}, "Give the Auto Scaling group's name"},
		{"ec2", "i-1", Target{}, "`/scale` scales `ecs` services or `asg` Auto Scaling groups, not `ec2`."},
	}
	for _, tt := range tests {
		got, err := ParseTarget(english().Printer, tt.service, tt.target)
		var e *command.Error
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ParseTarget(%q, %q) = %+v, %v; want %+v", tt.service, tt.target, got, err, tt.want)
		case tt.wantErr != "" && (!errors.As(err, &e) || len(e.Message) < len(tt.wantErr) || e.Message[:len(tt.wantErr)] != tt.wantErr):
			t.Errorf("ParseTarget(%q, %q) error %v, want one starting %q", tt.service, tt.target, err, tt.wantErr)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ecs := State{Target: Target{Kind: ECS, Name: "prod/web"}, Desired: 2, Max: 10, Tagged: true}
	asg := State{Target: Target{Kind: ASG, Name: "web-asg"}, Desired: 2, Min: 1, Max: 6, Tagged: true}
	untagged := asg
	untagged.Tagged = false
	tests := []struct {
		name    string
		st      State
		desired int32
		want    error // nil: allowed
	}{
		{"ecs up", ecs, 10, nil},
		{"ecs to zero", ecs, 0, nil},
		{"ecs above the ceiling", ecs, 11, ErrOutOfRange},
		{"asg at max", asg, 6, nil},
		{"asg at min", asg, 1, nil},
		{"asg above max", asg, 7, ErrOutOfRange},
		{"asg below min", asg, 0, ErrOutOfRange},
		{"same count", asg, 2, ErrNoChange},
		{"untagged, even in range", untagged, 3, ErrUntagged},
	}
	for _, tt := range tests {
		err := Check(english().Printer, tt.st, tt.desired)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: Check = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestParseClick checks that a click is read back from its card, and that a card the bot did
// not make, or whose fields were changed, is refused rather than guessed at.
func TestParseClick(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r := Proposal{Target: Target{Kind: ECS, Name: "prod/web", Cluster: "prod", Service: "web"}, Desired: 4, RequesterID: "42", At: at}
	en := english()
	card := Preview(en.Printer, r, State{Target: r.Target, Desired: 2, Max: 10, Tagged: true})
	click := func(customID string, change func(*discord.Message)) discord.Interaction {
		m := card
		m.Embeds = []discord.Embed{card.Embeds[0]}
		m.Embeds[0].Fields = append([]discord.EmbedField(nil), card.Embeds[0].Fields...)
		if change != nil {
			change(&m)
		}
		return discord.Interaction{Component: &discord.ComponentData{CustomID: customID}, Message: &m}
	}
	got, err := parseClick(en.Catalog, click(r.customID(ApprovePrefix), nil))
	if err != nil || got != r {
		t.Errorf("parseClick = %+v, %v; want %+v", got, err, r)
	}
	setField := func(name, value string) func(*discord.Message) {
		return func(m *discord.Message) { setField(en, &m.Embeds[0], name, value) }
	}
	for name, in := range map[string]discord.Interaction{
		"no time":          click("scale:approve:42", nil),
		"bad time":         click("scale:approve:42:soon", nil),
		"no requester":     click("scale:approve::1772445600", nil),
		"desired changed":  click(r.customID(ApprovePrefix), setField(fieldDesired, "-1")),
		"target changed":   click(r.customID(ApprovePrefix), setField(fieldTarget, "web")),
		"no embed":         click(r.customID(ApprovePrefix), func(m *discord.Message) { m.Embeds = nil }),
		"another's button": click("deploy:approve:42:1772445600", nil),
	} {
		if _, err := parseClick(en.Catalog, in); !errors.Is(err, errBadCard) {
			t.Errorf("%s: parseClick error %v, want errBadCard", name, err)
		}
	}
}

// TestExplainAWS checks what /scale adds to awserr: a denied write is the tag condition, a busy
// group is its own message, and every denial counts as aws-refused in the audit log.
func TestExplainAWS(t *testing.T) {
	t.Parallel()
	answer := func(code string) error {
		return &smithy.GenericAPIError{Code: code, Message: "arn:aws:iam::123456789012:role/x"}
	}
	tests := []struct {
		name    string
		err     error
		write   bool
		message string
		reason  string
	}{
		{"denied write", answer("AccessDeniedException"), true,
			"AWS refused (AccessDeniedException): the stack only allows scaling resources tagged chatops:scalable=true. Check the tag; if it is there, ask whoever deployed the bot to check its IAM role.", "aws-refused"},
		{"denied read", answer("AccessDeniedException"), false,
			"I'm not allowed to read web-asg: the stack grants this function autoscaling:DescribeAutoScalingGroups, so its IAM role was changed or the call was blocked by a policy (AccessDeniedException). Ask whoever deployed the bot to check.", "aws-refused"},
		{"busy group", answer("ScalingActivityInProgress"), true,
			"AWS could not read web-asg now: the group is busy with another scaling activity (ScalingActivityInProgress). Try again in a minute.", "error"},
		{"throttled", answer("Throttling"), false,
			"AWS is throttling requests, so I couldn't read web-asg (Throttling). Try again in a minute.", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := explainAWS(english().Printer, tt.err, command.T("scale.action.read", i18n.Args{"Name": "web-asg"}), "autoscaling:DescribeAutoScalingGroups", tt.write)
			var ce *command.Error
			if !errors.As(err, &ce) || ce.In(english().Printer) != tt.message { // awserr's explanations are printed at the edge
				t.Errorf("explainAWS = %v, want the message\n%q", err, tt.message)
			}
			if got := Reason(err); got != tt.reason {
				t.Errorf("Reason = %q, want %q", got, tt.reason)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("explainAWS = %v, which does not wrap AWS's answer", err)
			}
		})
	}
}

// TestCardInEitherLanguage checks that a card made in one language reads back, and takes its
// status, when the channel speaks the other: a card open while CHATOPS_LANGUAGE changes.
func TestCardInEitherLanguage(t *testing.T) {
	t.Parallel()
	c := catalog()
	r := Proposal{Target: Target{Kind: ASG, Name: "web-asg"}, Desired: 3, RequesterID: "42", At: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	for _, made := range i18n.Languages() {
		for _, now := range i18n.Languages() {
			card := Preview(c.Printer(made), r, State{Target: r.Target, Desired: 2, Min: 1, Max: 6, Tagged: true})
			got, err := parseClick(c, discord.Interaction{Component: &discord.ComponentData{CustomID: r.customID(ApprovePrefix)}, Message: &card})
			if err != nil || got != r {
				t.Errorf("card in %s read as %+v, %v", made, got, err)
			}
			tx := approval.Texts{Catalog: c, Printer: c.Printer(now)}
			out := update(tx, &card, "done", discord.ColorGreen, "", done)
			if n := len(out.Embeds[0].Fields); n != len(card.Embeds[0].Fields) || tx.Field(out.Embeds[0], fieldStatus) != "done" {
				t.Errorf("card in %s, channel in %s: fields %+v, want the status replaced", made, now, out.Embeds[0].Fields)
			}
		}
	}
}
