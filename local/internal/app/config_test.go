package app

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/local/internal/demo"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		o       Options
		env     map[string]string
		want    map[string]string // a selection of the contract
		wantErr []string          // each must appear in the error
	}{
		{
			name: "demo with the recorders needs nothing",
			o:    Options{Demo: true, Discord: Record, GitHub: Record},
			want: map[string]string{"DISCORD_PUBLIC_KEY": demo.Signer().PublicKeyHex(), "DISCORD_CHANNEL_ID": demo.ChannelID,
				"GITHUB_REPOSITORY": demo.Repository, "DEPLOY_ROLE_IDS": demo.DeployRoleID, "CHATOPS_PARAMETER_PREFIX": "/chatops"},
		},
		{
			name: "demo keeps its parameter prefix",
			o:    Options{Demo: true, Discord: Record, GitHub: Record},
			env:  map[string]string{"CHATOPS_PARAMETER_PREFIX": "/team", "DEPLOY_ENVIRONMENTS": "staging,prod"},
			want: map[string]string{"CHATOPS_PARAMETER_PREFIX": "/chatops", "DEPLOY_ENVIRONMENTS": "staging,prod"},
		},
		{
			name:    "real mode names every missing variable",
			o:       Options{Discord: Real, GitHub: Real},
			wantErr: []string{"DISCORD_PUBLIC_KEY", "DISCORD_APPLICATION_ID", "DISCORD_CHANNEL_ID", "GITHUB_APP_ID", "GITHUB_REPOSITORY"},
		},
		{
			name: "real mode takes the user's values",
			o:    Options{Discord: Real, GitHub: Real},
			env: map[string]string{"DISCORD_PUBLIC_KEY": "ab", "DISCORD_APPLICATION_ID": "1", "DISCORD_CHANNEL_ID": "2",
				"GITHUB_APP_ID": "3", "GITHUB_REPOSITORY": "o/r", "CHATOPS_PARAMETER_PREFIX": "/team"},
			want: map[string]string{"DISCORD_API_URL": "https://discord.com/api/v10", "GITHUB_API_URL": "https://api.github.com",
				"DISCORD_PUBLIC_KEY": "ab", "GITHUB_REPOSITORY": "o/r", "CHATOPS_PARAMETER_PREFIX": "/team"},
		},
		{
			name:    "demo with the real Discord needs its bot token for moto's SSM",
			o:       Options{Demo: true, Discord: Real, GitHub: Record},
			env:     map[string]string{"DISCORD_PUBLIC_KEY": "ab", "DISCORD_APPLICATION_ID": "1", "DISCORD_CHANNEL_ID": "2"},
			wantErr: []string{"DISCORD_BOT_TOKEN"},
		},
		{
			name:    "unknown mode",
			o:       Options{Discord: "fake", GitHub: Record},
			wantErr: []string{`--discord="fake"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := resolve(tt.o, env(tt.env))
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, want one naming %q", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %s", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for k := range tt.want {
				got[k] = s.contract[k]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("contract (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFunctionEnv(t *testing.T) {
	t.Parallel()
	s := settings{contract: map[string]string{"DISCORD_PUBLIC_KEY": "ab", "CHATOPS_EVENT_BUS": "bus", "DISCORD_CHANNEL_ID": "2"}}
	want := map[string][]string{
		"interactions":   {"DISCORD_PUBLIC_KEY=ab"},
		"github-webhook": {"CHATOPS_EVENT_BUS=bus", "DISCORD_CHANNEL_ID=2"},
		"deploy-notify":  {"DISCORD_CHANNEL_ID=2"},
		"cost-cron":      {"DISCORD_CHANNEL_ID=2"},
	}
	if diff := cmp.Diff(want, s.functionEnv()); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}

func TestAWSPassThrough(t *testing.T) {
	t.Parallel()
	got := awsPassThrough([]string{"AWS_PROFILE=team", "AWS_REGION=ap-northeast-2", "AWS_LAMBDA_FUNCTION_NAME=x",
		"AWS_ENDPOINT_URL_LAMBDA=http://x", "HOME=/root", "GITHUB_TOKEN=secret"})
	if diff := cmp.Diff([]string{"AWS_PROFILE=team", "AWS_REGION=ap-northeast-2"}, got); diff != "" {
		t.Errorf("passed (-want +got):\n%s", diff)
	}
}

func TestParseCommand(t *testing.T) {
	t.Parallel()
	name, opts, err := parseCommand(" /scale service:ecs target:demo/web desired:3 ")
	if err != nil {
		t.Fatal(err)
	}
	if name != "scale" || len(opts) != 3 || opts[1].Value != "demo/web" || opts[2].Value != int64(3) {
		t.Errorf("parsed %q %+v", name, opts)
	}
	for _, bad := range []string{"", "status", "/", "/status service"} {
		if _, _, err := parseCommand(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
