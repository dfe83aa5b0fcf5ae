package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/i18n"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		want     config // checked when wantErrs is empty; report options by zone and budget
		zone     string
		wantErrs []string
	}{
		{
			name: "defaults",
			env:  map[string]string{"DISCORD_CHANNEL_ID": "1300000000000000001", "CHATOPS_TABLE": "chatops-state"},
			want: config{discordAPIURL: "https://discord.com/api/v10", parameterPrefix: "/chatops", channelID: "1300000000000000001", table: "chatops-state", language: i18n.Korean},
			zone: "Asia/Seoul",
		},
		{
			name: "everything set",
			env: map[string]string{
				"DISCORD_API_URL": "http://127.0.0.1:9999/api/v10/", "CHATOPS_PARAMETER_PREFIX": "/team-a",
				"DISCORD_CHANNEL_ID": "42", "REPORT_TIMEZONE": "UTC", "MONTHLY_BUDGET_USD": "500", "CHATOPS_TABLE": "t", "CHATOPS_LANGUAGE": "en",
				"DEAD_LETTER_QUEUES": "interactions=https://sqs.us-east-1.amazonaws.com/123456789012/a, cost-cron=https://sqs.us-east-1.amazonaws.com/123456789012/b",
			},
			want: config{discordAPIURL: "http://127.0.0.1:9999/api/v10", parameterPrefix: "/team-a", channelID: "42", table: "t", language: i18n.English, deadLetters: []deadLetterQueue{
				{name: "interactions", url: "https://sqs.us-east-1.amazonaws.com/123456789012/a"},
				{name: "cost-cron", url: "https://sqs.us-east-1.amazonaws.com/123456789012/b"},
			}},
			zone: "UTC",
		},
		{
			name:     "missing channel and table",
			env:      map[string]string{},
			wantErrs: []string{"DISCORD_CHANNEL_ID is not set", "CHATOPS_TABLE is not set"},
		},
		{
			name:     "a queue without its name",
			env:      map[string]string{"DISCORD_CHANNEL_ID": "42", "CHATOPS_TABLE": "t", "DEAD_LETTER_QUEUES": "https://sqs.us-east-1.amazonaws.com/123456789012/a"},
			wantErrs: []string{`"https://sqs.us-east-1.amazonaws.com/123456789012/a" is not name=queue URL`},
		},
		{
			name:     "a queue that is not a URL",
			env:      map[string]string{"DISCORD_CHANNEL_ID": "42", "CHATOPS_TABLE": "t", "DEAD_LETTER_QUEUES": "interactions=my-dlq"},
			wantErrs: []string{`"my-dlq" is not a queue URL`},
		},
		{
			name: "a queue named twice",
			env: map[string]string{"DISCORD_CHANNEL_ID": "42", "CHATOPS_TABLE": "t",
				"DEAD_LETTER_QUEUES": "interactions=https://sqs.us-east-1.amazonaws.com/1/a,interactions=https://sqs.us-east-1.amazonaws.com/1/b"},
			wantErrs: []string{"interactions is named twice"},
		},
		{
			name: "every gap named at once",
			env: map[string]string{
				"DISCORD_API_URL": "discord.com/api", "DISCORD_CHANNEL_ID": "#general",
				"REPORT_TIMEZONE": "KST", "MONTHLY_BUDGET_USD": "lots", "CHATOPS_LANGUAGE": "kr",
			},
			wantErrs: []string{`DISCORD_API_URL "discord.com/api"`, `DISCORD_CHANNEL_ID "#general"`, `REPORT_TIMEZONE "KST"`, `MONTHLY_BUDGET_USD "lots"`, `CHATOPS_LANGUAGE: language "kr"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(func(k string) string { return tt.env[k] })
			if len(tt.wantErrs) > 0 {
				if err == nil {
					t.Fatal("loadConfig accepted a bad environment")
				}
				for _, w := range tt.wantErrs {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %s", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.discordAPIURL != tt.want.discordAPIURL || got.parameterPrefix != tt.want.parameterPrefix || got.channelID != tt.want.channelID || got.table != tt.want.table || got.language != tt.want.language {
				t.Errorf("config = %+v, want %+v", got, tt.want)
			}
			if diff := cmp.Diff(tt.want.deadLetters, got.deadLetters, cmp.AllowUnexported(deadLetterQueue{})); diff != "" {
				t.Errorf("dead-letter queues (-want +got):\n%s", diff)
			}
			if got.report.Location.String() != tt.zone {
				t.Errorf("zone = %s, want %s", got.report.Location, tt.zone)
			}
		})
	}
}
