package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr []string // each must appear in the error
	}{
		{"defaults", map[string]string{"DISCORD_CHANNEL_ID": "1100000000000000009", "CHATOPS_TABLE": "chatops-state"}, config{
			discordAPIURL: rest.DefaultBaseURL, parameterPrefix: "/chatops", channelID: "1100000000000000009", deployWorkflow: "deploy.yml",
			table: "chatops-state", language: i18n.Korean, auditRetention: 400 * 24 * time.Hour,
		}, nil},
		{"everything set", map[string]string{
			"DISCORD_API_URL": "http://127.0.0.1:8080/api/v10/", "CHATOPS_PARAMETER_PREFIX": "/chatops-dev",
			"DISCORD_APPLICATION_ID": "1290000000000000001", "DISCORD_CHANNEL_ID": "1100000000000000009",
			"DEPLOY_WORKFLOW": "release.yaml", "GITHUB_APP_ID": "12345", "GITHUB_API_URL": "https://ghe.example.com/api/v3",
			"CHATOPS_TABLE": "ChatOps-StateTable-1A2B3C", "CHATOPS_LANGUAGE": "en", "AUDIT_RETENTION_DAYS": "30",
		}, config{
			discordAPIURL: "http://127.0.0.1:8080/api/v10", parameterPrefix: "/chatops-dev", applicationID: "1290000000000000001",
			channelID: "1100000000000000009", deployWorkflow: "release.yaml", table: "ChatOps-StateTable-1A2B3C", language: i18n.English,
			auditRetention: 30 * 24 * time.Hour,
		}, nil},
		{"every gap named", map[string]string{
			"DISCORD_API_URL": "discord.com", "DISCORD_APPLICATION_ID": "app", "DEPLOY_WORKFLOW": ".github/workflows/deploy.yml",
			"CHATOPS_LANGUAGE": "ja", "AUDIT_RETENTION_DAYS": "0",
		}, config{}, []string{"DISCORD_API_URL", "DISCORD_CHANNEL_ID is not set", "DISCORD_APPLICATION_ID", "DEPLOY_WORKFLOW", "CHATOPS_TABLE is not set",
			`CHATOPS_LANGUAGE: language "ja"`, "AUDIT_RETENTION_DAYS"}},
		{"channel not an id", map[string]string{"DISCORD_CHANNEL_ID": "#deploys", "CHATOPS_TABLE": "t"}, config{}, []string{"DISCORD_CHANNEL_ID"}},
		{"workflow not a YAML file", map[string]string{"DISCORD_CHANNEL_ID": "1", "DEPLOY_WORKFLOW": "Deploy", "CHATOPS_TABLE": "t"}, config{}, []string{"DEPLOY_WORKFLOW"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(func(k string) string { return tt.env[k] })
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("loadConfig: %v", err)
			}
			if len(tt.wantErr) > 0 && err == nil {
				t.Fatal("loadConfig: no error")
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}
