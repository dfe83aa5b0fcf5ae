package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/local/internal/caller"
	"github.com/discord-chatops/chatops/shared/discord"
)

// definitions are the commands make register sends (testdata/commands.json).
func definitions(t *testing.T) []discord.Command {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "commands.json"))
	if err != nil {
		t.Fatal(err)
	}
	var defs []discord.Command
	if err := json.Unmarshal(b, &defs); err != nil {
		t.Fatal(err)
	}
	return defs
}

// TestParseCommand: a typed command becomes the options a Discord client sends, with the
// registered types; what a client would not send is refused with what is wrong.
func TestParseCommand(t *testing.T) {
	t.Parallel()
	defs := definitions(t)
	tests := []struct {
		text     string
		wantName string
		want     []caller.Option
		wantErr  []string
	}{
		{text: " /scale service:ecs target:demo/web desired:3 ", wantName: "scale", want: []caller.Option{
			{Name: "service", Value: "ecs"}, {Name: "target", Value: "demo/web"}, {Name: "desired", Value: int64(3)}}},
		{text: "/help", wantName: "help"},
		// A string option keeps a number as a string, as Discord sends it.
		{text: "/assign number:7 assignee:@octocat repo:acme/shop", wantName: "assign", want: []caller.Option{
			{Name: "number", Value: int64(7)}, {Name: "assignee", Value: "@octocat"}, {Name: "repo", Value: "acme/shop"}}},
		{text: "/status service:ec2 target:12", wantName: "status", want: []caller.Option{
			{Name: "service", Value: "ec2"}, {Name: "target", Value: "12"}}},
		// Values with spaces: up to the next option, or quoted.
		{text: "/status service:ec2 target:Name=web server 1", wantName: "status", want: []caller.Option{
			{Name: "service", Value: "ec2"}, {Name: "target", Value: "Name=web server 1"}}},
		{text: `/deploy ref:"release 1.4 target:x" environment:dev`, wantName: "deploy", want: []caller.Option{
			{Name: "ref", Value: "release 1.4 target:x"}, {Name: "environment", Value: "dev"}}},
		{text: "/stats", wantErr: []string{"/stats is not a registered command", "/status"}},
		{text: "/status service:ec2 target:app=web region:eu", wantErr: []string{`/status has no option "region"`, "quote a value"}},
		{text: "/status servise:ec2 target:x", wantErr: []string{`/status has no option "servise"`, "service (required)"}},
		{text: "/scale service:asg target:demo-workers desired:three", wantErr: []string{`option desired of /scale: "three" is not a whole number`}},
		{text: "/status service:rds target:x", wantErr: []string{`option service of /status: "rds" is not one of its choices: ec2, ecs, eks`}},
		{text: "/deploy", wantErr: []string{"/deploy needs option environment"}},
		{text: "/scale service:asg", wantErr: []string{"/scale needs option target", "/scale needs option desired"}},
		{text: "/status service:ec2 service:ecs target:x", wantErr: []string{"option service is given twice"}},
		{text: "/status service ec2", wantErr: []string{"want option:value"}},
		{text: `/deploy environment:dev ref:"open`, wantErr: []string{"the quote is not closed"}},
		{text: "status", wantErr: []string{"want a command such as"}},
		{text: "", wantErr: []string{"want a command such as"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			name, opts, err := parseCommand(tt.text, defs)
			if len(tt.wantErr) > 0 {
				errorSays(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if name != tt.wantName {
				t.Errorf("name %q, want %q", name, tt.wantName)
			}
			if diff := cmp.Diff(tt.want, opts); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}
