package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/google/go-cmp/cmp"
)

// validContext is a complete configuration, as cdk.json and `-c` would give it.
func validContext() map[string]any {
	return map[string]any{
		"githubRepository":      "octo-org/app",
		"deployWorkflow":        "deploy.yml",
		"deployEnvironments":    "dev,prod",
		"deployRoleIds":         "111111111111111111,222222222222222222",
		"twoPersonEnvironments": "prod",
		"discordChannelId":      "333333333333333333",
		"discordApplicationId":  "444444444444444444",
		"discordPublicKey":      strings.Repeat("ab", 32),
		"githubAppId":           "123456",
		"githubApiUrl":          "https://api.github.com",
		"discordApiUrl":         "https://discord.com/api/v10",
		"costSchedule":          "cron(0 9 * * ? *)",
		"reportTimezone":        "Asia/Seoul",
		"throttleRateLimit":     10.0,
		"throttleBurstLimit":    20.0,
		"parameterPrefix":       "/chatops",
		"logRetentionDays":      30.0,
		"scaleMaxDesired":       10.0,
		"monthlyBudgetUsd":      "",
		"announceBots":          false,
		"ignoreAuthors":         "dependabot[bot], renovate[bot]",
		"ignoreLabels":          "skip-announce",
		"repoChannels":          "octo-org/app=555555555555555555",
		"auditRetentionDays":    400.0,
		"language":              "ko",
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	ctx := validContext()
	c, err := loadConfig(func(k string) any { return ctx[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(c.unset) != 0 {
		t.Errorf("unset = %v, want none", c.unset)
	}
	if c.logRetention != awslogs.RetentionDays_ONE_MONTH || c.throttleRateLimit != 10 || c.throttleBurstLimit != 20 || c.scaleMaxDesired != 10 {
		t.Errorf("numbers: retention %v, throttle %v/%v, scale %v", c.logRetention, c.throttleRateLimit, c.throttleBurstLimit, c.scaleMaxDesired)
	}
	if diff := cmp.Diff([]string{"dependabot[bot]", "renovate[bot]"}, c.ignoreAuthors); diff != "" {
		t.Errorf("ignoreAuthors (-want +got):\n%s", diff)
	}
}

func TestLoadConfigUnset(t *testing.T) {
	t.Parallel()
	ctx := validContext()
	for _, k := range []string{"githubRepository", "discordChannelId", "discordApplicationId", "discordPublicKey", "githubAppId"} {
		ctx[k] = ""
	}
	c, err := loadConfig(func(k string) any { return ctx[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"githubRepository", "discordChannelId", "discordApplicationId", "discordPublicKey", "githubAppId"}
	if diff := cmp.Diff(want, c.unset); diff != "" {
		t.Errorf("unset (-want +got):\n%s", diff)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key   string
		value any
		want  string
	}{
		{"githubRepository", "no-slash", `githubRepository: "no-slash" is not owner/repo`},
		{"deployWorkflow", ".github/workflows/deploy.yml", "deployWorkflow:"},
		{"deployEnvironments", "", "deployEnvironments: is empty"},
		{"deployEnvironments", "dev,pro d", `deployEnvironments: "pro d"`},
		{"deployRoleIds", "123,admins", `deployRoleIds: "admins"`},
		{"twoPersonEnvironments", "staging", `twoPersonEnvironments: "staging" is not one of deployEnvironments`},
		{"discordChannelId", "general", `discordChannelId: "general" is not a Discord channel id`},
		{"discordApplicationId", "12ab", "discordApplicationId:"},
		{"discordPublicKey", "abcd", "discordPublicKey:"},
		{"githubAppId", "app-1", `githubAppId: "app-1"`},
		{"githubClientId", "Iv1 secret", "githubClientId:"},
		{"githubApiUrl", "http://github.example.com/api/v3", "githubApiUrl:"},
		{"discordApiUrl", "https://discord.com/api/v10/", "discordApiUrl:"},
		{"costSchedule", "0 9 * * *", "costSchedule:"},
		{"costSchedule", "cron(0 9 * * ?)", "costSchedule:"},
		{"reportTimezone", "KST", `reportTimezone: "KST" is not an IANA time zone`},
		{"reviewReminderSchedule", "0 10 * * MON-FRI", "reviewReminderSchedule:"},
		{"reviewReminderSchedule", "cron(0 10 * * MON-FRI *)", "reviewReminderSchedule:"},
		{"reviewReminderHours", "0", "reviewReminderHours:"},
		{"reviewReminderHours", "1.5", "reviewReminderHours:"},
		{"reviewReminderHours", "721", "reviewReminderHours: 721 is more than 720 hours"},
		{"reportTimezone", "Asia/Seul", "reportTimezone:"},
		{"reportTimezone", "Local", "reportTimezone:"},
		{"throttleRateLimit", "fast", `throttleRateLimit: "fast" is not a positive number`},
		{"throttleRateLimit", 0.0, "throttleRateLimit:"},
		{"throttleBurstLimit", "2.5", `throttleBurstLimit: "2.5" is not a whole number`},
		{"parameterPrefix", "chatops", "parameterPrefix:"},
		{"parameterPrefix", "/chatops/", "parameterPrefix:"},
		{"logRetentionDays", 31.0, `logRetentionDays: "31" is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30,`},
		{"scaleMaxDesired", "-1", "scaleMaxDesired:"},
		{"monthlyBudgetUsd", "$500", "monthlyBudgetUsd:"},
		{"announceBots", "yes", `announceBots: "yes" is not true or false`},
		{"repoChannels", "octo-org/app:555", `repoChannels: "octo-org/app:555" is not owner/repo=channelID`},
		{"githubAppId", []any{"1"}, "githubAppId: want a string, number or boolean"},
		{"auditRetentionDays", "0", `auditRetentionDays: "0" is not a positive number`},
		{"auditRetentionDays", "30.5", `auditRetentionDays: "30.5" is not a whole number`},
		{"auditRetentionDays", 1e300, "auditRetentionDays: 1e+300 is more than 36500 days"},
		{"language", "ja", `language: "ja" is not ko or en`},
		{"language", "", `language: "" is not ko or en`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s=%v", tt.key, tt.value), func(t *testing.T) {
			t.Parallel()
			ctx := validContext()
			ctx[tt.key] = tt.value
			_, err := loadConfig(func(k string) any { return ctx[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestLoadConfigAllProblems checks that one error lists every problem, not the first only.
func TestLoadConfigAllProblems(t *testing.T) {
	t.Parallel()
	ctx := validContext()
	ctx["reportTimezone"] = "Mars/Olympus"
	ctx["githubAppId"] = "x"
	ctx["throttleBurstLimit"] = "many"
	_, err := loadConfig(func(k string) any { return ctx[k] })
	if err == nil {
		t.Fatal("no error")
	}
	for _, key := range []string{"reportTimezone:", "githubAppId:", "throttleBurstLimit:"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
}

// TestLoadConfigDefaults checks the keys that may be absent (a cdk.json older than them) and that
// cdk.json's values are the same defaults.
func TestLoadConfigDefaults(t *testing.T) {
	t.Parallel()
	ctx := validContext()
	delete(ctx, "auditRetentionDays")
	delete(ctx, "language")
	c, err := loadConfig(func(k string) any { return ctx[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.auditRetentionDays != 400 || c.language != "ko" {
		t.Errorf("auditRetentionDays %d, language %q; want 400, ko", c.auditRetentionDays, c.language)
	}

	cdkJSON := cdkJSONContext(t)
	for key, want := range contextDefaults() {
		if got := cdkJSON[key]; got != want {
			t.Errorf("cdk.json %s = %v, want the default %v", key, got, want)
		}
	}
}

func TestEnvironmentOptional(t *testing.T) {
	t.Parallel()
	c := config{monthlyBudgetUSD: ""}
	if _, ok := c.environment(costCron)["MONTHLY_BUDGET_USD"]; ok {
		t.Error("MONTHLY_BUDGET_USD set while empty")
	}
	if _, ok := c.environment(interactions)["DEPLOY_ROLE_IDS"]; !ok {
		t.Error("DEPLOY_ROLE_IDS left out while empty; empty means nobody and must be set")
	}
	c.monthlyBudgetUSD = "500"
	if got := c.environment(costCron)["MONTHLY_BUDGET_USD"]; got != "500" {
		t.Errorf("MONTHLY_BUDGET_USD = %q, want 500", got)
	}
}

// TestTwoPersonDefault: an absent or empty twoPersonEnvironments means the functions' default
// (deployrun.DefaultTwoPersonEnvironments, prod), and "none" reaches the function as none, so
// that the stack and the function never disagree about who may approve.
func TestTwoPersonDefault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value any // nil: the key is absent
		want  string
	}{
		{"absent", nil, "prod"},
		{"empty", "", "prod"},
		{"listed", "dev, prod", "dev,prod"},
		{"off", "none", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := validContext()
			delete(ctx, "twoPersonEnvironments")
			if tt.value != nil {
				ctx["twoPersonEnvironments"] = tt.value
			}
			c, err := loadConfig(func(k string) any { return ctx[k] })
			if err != nil {
				t.Fatal(err)
			}
			if got := c.environment(interactions)["TWO_PERSON_ENVIRONMENTS"]; got != tt.want {
				t.Errorf("TWO_PERSON_ENVIRONMENTS = %q, want %q", got, tt.want)
			}
		})
	}
}
