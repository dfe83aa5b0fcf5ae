package main

import (
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/announce"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/google/go-cmp/cmp"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	base := map[string]string{
		"DISCORD_CHANNEL_ID": "1100000000000000001",
		"CHATOPS_EVENT_BUS":  "chatops-events",
		"CHATOPS_TABLE":      "chatops-state",
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr []string // every one must appear in the error
	}{
		{
			name: "defaults",
			env:  base,
			want: config{
				DiscordAPIURL: "https://discord.com/api/v10", ParameterPrefix: "/chatops",
				ChannelID: "1100000000000000001", EventBus: "chatops-events", Table: "chatops-state",
				RepoChannels: map[string]string{}, Language: i18n.Korean,
				Reminders: reminderConfig{Location: zone(t, "Asia/Seoul"), Threshold: 24 * time.Hour},
			},
		},
		{
			name: "everything set",
			env: with(base, map[string]string{
				"DISCORD_API_URL":          "http://127.0.0.1:9999/api/v10/",
				"CHATOPS_PARAMETER_PREFIX": "/team/chatops",
				"ANNOUNCE_BOTS":            "true",
				"IGNORE_AUTHORS":           " alice, bob ,,",
				"IGNORE_LABELS":            "wip,do not announce",
				"REPO_CHANNELS":            "Octo-Org/API=1200000000000000002, octo-org/web = 1200000000000000003",
				"CHATOPS_LANGUAGE":         " EN ",
				"GITHUB_APP_ID":            "424242",
				"GITHUB_API_URL":           "https://ghe.example.com/api/v3",
				"GITHUB_REPOSITORY":        "octo-org/api",
				"REPORT_TIMEZONE":          "Europe/Berlin",
				"REVIEW_REMINDER_HOURS":    "48",
			}),
			want: config{
				DiscordAPIURL: "http://127.0.0.1:9999/api/v10", ParameterPrefix: "/team/chatops",
				ChannelID: "1100000000000000001", EventBus: "chatops-events", Table: "chatops-state",
				Rules: announce.Rules{
					AnnounceBots:  true,
					IgnoreAuthors: []string{"alice", "bob"},
					IgnoreLabels:  []string{"wip", "do not announce"},
				},
				RepoChannels: map[string]string{"octo-org/api": "1200000000000000002", "octo-org/web": "1200000000000000003"},
				Language:     i18n.English,
				Reminders: reminderConfig{AppID: 424242, GitHubAPIURL: "https://ghe.example.com/api/v3", Repository: "octo-org/api",
					Location: zone(t, "Europe/Berlin"), Threshold: 48 * time.Hour},
			},
		},
		{
			name:    "nothing set names every gap",
			env:     map[string]string{},
			wantErr: []string{"DISCORD_CHANNEL_ID: required", "CHATOPS_EVENT_BUS: required", "CHATOPS_TABLE: required"},
		},
		{
			name: "malformed values",
			env: with(base, map[string]string{
				"DISCORD_API_URL":       "discord.com/api",
				"DISCORD_CHANNEL_ID":    "#general",
				"ANNOUNCE_BOTS":         "sometimes",
				"REPO_CHANNELS":         "octo-org/api=123,octo-org=456,octo-org/web:789,a/b/c=1,x/y=chan",
				"CHATOPS_LANGUAGE":      "korean",
				"GITHUB_APP_ID":         "app",
				"GITHUB_REPOSITORY":     "octo-org",
				"REPORT_TIMEZONE":       "KST",
				"REVIEW_REMINDER_HOURS": "0",
			}),
			wantErr: []string{
				`DISCORD_API_URL "discord.com/api"`, `DISCORD_CHANNEL_ID "#general"`, `ANNOUNCE_BOTS "sometimes"`,
				`CHATOPS_LANGUAGE: language "korean"`,
				`"octo-org=456"`, `"octo-org/web:789"`, `"a/b/c=1"`, `"x/y=chan"`,
				`GITHUB_APP_ID "app"`, `GITHUB_REPOSITORY "octo-org"`, `REPORT_TIMEZONE "KST"`, `REVIEW_REMINDER_HOURS "0"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadConfig(func(k string) string { return tt.env[k] })
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, want one naming %q", tt.wantErr)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			byName := cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })
			if diff := cmp.Diff(tt.want, got, byName); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChannelFor(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{
			"DISCORD_CHANNEL_ID": "1", "CHATOPS_EVENT_BUS": "b", "CHATOPS_TABLE": "t", "REPO_CHANNELS": "Octo-Org/API=2",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	for repo, want := range map[string]string{"octo-org/api": "2", "OCTO-ORG/Api": "2", "octo-org/web": "1", "": "1"} {
		if got := cfg.channelFor(repo); got != want {
			t.Errorf("channelFor(%q) = %q, want %q", repo, got, want)
		}
	}
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func with(base, more map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}
