package main

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/discord-chatops/chatops/shared/deployrun"
)

// The functions of the suite, named as their folders under functions/.
const (
	interactions  = "interactions"
	githubWebhook = "github-webhook"
	costCron      = "cost-cron"
	deployNotify  = "deploy-notify"
)

// config is the stack's configuration, read from CDK context (defaults in cdk.json, overrides
// with `-c key=value`).
type config struct {
	githubRepository      string
	deployWorkflow        string
	deployEnvironments    []string
	deployRoleIDs         []string
	twoPersonEnvironments []string
	discordChannelID      string
	discordApplicationID  string
	discordPublicKey      string
	githubAppID           string
	githubClientID        string
	githubAPIURL          string
	discordAPIURL         string
	costSchedule          string
	reportTimezone        string
	throttleRateLimit     float64
	throttleBurstLimit    float64
	parameterPrefix       string
	logRetention          awslogs.RetentionDays
	scaleMaxDesired       int
	monthlyBudgetUSD      string
	announceBots          bool
	ignoreAuthors         []string
	ignoreLabels          []string
	repoChannels          []string
	auditRetentionDays    int
	language              string

	// reviewReminderSchedule is when github-webhook posts the review reminders (in
	// reportTimezone); reviewReminderHours how long a pull request waits before it is listed.
	reviewReminderSchedule string
	reviewReminderHours    int

	// unset lists the context keys that a deployment needs but that may stay empty for a synth
	// (a fresh clone has no Discord application or GitHub App yet). The stack warns about them.
	unset []string
	// warnings are settings that synthesize and deploy but leave a feature unusable; the stack
	// adds each as a synth warning.
	warnings []string
}

// envVar is one row of the environment table: a variable, its value, and who reads it.
type envVar struct {
	name  string
	value string
	// readBy lists the functions that get the variable.
	readBy []string
	// optional variables are left out when empty, so that a function can tell "unset" apart.
	optional bool
}

// environmentTable is the one place that maps configuration to function environments; it follows
// the table of the runtime contract (docs/CONTRACT.md, "Environment"), plus the variables agreed for
// the features. To add a variable, add a row.
func (c config) environmentTable() []envVar {
	all := []string{interactions, githubWebhook, costCron, deployNotify}
	return []envVar{
		{name: "DISCORD_API_URL", value: c.discordAPIURL, readBy: all},
		{name: "GITHUB_API_URL", value: c.githubAPIURL, readBy: []string{interactions, githubWebhook, deployNotify}},
		{name: "CHATOPS_PARAMETER_PREFIX", value: c.parameterPrefix, readBy: all},
		{name: "DISCORD_PUBLIC_KEY", value: c.discordPublicKey, readBy: []string{interactions}},
		{name: "DISCORD_APPLICATION_ID", value: c.discordApplicationID, readBy: []string{interactions, deployNotify}},
		{name: "DISCORD_CHANNEL_ID", value: c.discordChannelID, readBy: []string{githubWebhook, costCron, deployNotify}},
		{name: "GITHUB_APP_ID", value: c.githubAppID, readBy: []string{interactions, githubWebhook, deployNotify}},
		{name: "GITHUB_CLIENT_ID", value: c.githubClientID, readBy: []string{interactions}, optional: true},
		{name: "GITHUB_REPOSITORY", value: c.githubRepository, readBy: []string{interactions, githubWebhook}},
		{name: "DEPLOY_WORKFLOW", value: c.deployWorkflow, readBy: []string{interactions, deployNotify}},
		{name: "DEPLOY_ENVIRONMENTS", value: strings.Join(c.deployEnvironments, ","), readBy: []string{interactions}},
		{name: "DEPLOY_ROLE_IDS", value: strings.Join(c.deployRoleIDs, ","), readBy: []string{interactions}},
		{name: "TWO_PERSON_ENVIRONMENTS", value: c.twoPersonValue(), readBy: []string{interactions}},
		{name: "SCALE_MAX_DESIRED", value: strconv.Itoa(c.scaleMaxDesired), readBy: []string{interactions}},
		{name: "REPORT_TIMEZONE", value: c.reportTimezone, readBy: []string{interactions, githubWebhook, costCron}},
		{name: "REVIEW_REMINDER_HOURS", value: strconv.Itoa(c.reviewReminderHours), readBy: []string{githubWebhook}},
		{name: "MONTHLY_BUDGET_USD", value: c.monthlyBudgetUSD, readBy: []string{interactions, costCron}, optional: true},
		{name: "ANNOUNCE_BOTS", value: strconv.FormatBool(c.announceBots), readBy: []string{githubWebhook}},
		{name: "IGNORE_AUTHORS", value: strings.Join(c.ignoreAuthors, ","), readBy: []string{githubWebhook}},
		{name: "IGNORE_LABELS", value: strings.Join(c.ignoreLabels, ","), readBy: []string{githubWebhook}},
		{name: "REPO_CHANNELS", value: strings.Join(c.repoChannels, ","), readBy: []string{githubWebhook}},
		{name: "AUDIT_RETENTION_DAYS", value: strconv.Itoa(c.auditRetentionDays), readBy: []string{interactions, deployNotify}},
		{name: "CHATOPS_LANGUAGE", value: c.language, readBy: all},
		// Resources the stack creates, set in newStack: CHATOPS_TABLE (all, the state table),
		// CHATOPS_EVENT_BUS (github-webhook, the bus) and DEAD_LETTER_QUEUES (cost-cron, the
		// queues its dead-letter alarm watches: see addDeadLetterAlarm).
	}
}

// environment returns the variables of one function.
func (c config) environment(function string) map[string]string {
	env := make(map[string]string)
	for _, v := range c.environmentTable() {
		if slices.Contains(v.readBy, function) && (v.value != "" || !v.optional) {
			env[v.name] = v.value
		}
	}
	return env
}

// retentionDays returns the retention periods CloudWatch Logs accepts, by number of days.
func retentionDays() map[int]awslogs.RetentionDays {
	return map[int]awslogs.RetentionDays{
		1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
		7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
		60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
		150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
		400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
		1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
		2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
		3653: awslogs.RetentionDays_TEN_YEARS,
	}
}

// The defaults of the context keys added after the first release, used when a key is absent
// (a cdk.json copied before the key existed). They are the functions' own defaults too.
const (
	defaultAuditRetentionDays = 400
	defaultLanguage           = "ko"
	// maxAuditRetentionDays keeps the audit TTL (epoch seconds) far from any overflow.
	maxAuditRetentionDays = 36500
)

// twoPersonValue is TWO_PERSON_ENVIRONMENTS: always set, "none" when the rule is off, since the
// function reads unset as deployrun.DefaultTwoPersonEnvironments.
func (c config) twoPersonValue() string {
	if len(c.twoPersonEnvironments) == 0 {
		return deployrun.NoTwoPerson
	}
	return strings.Join(c.twoPersonEnvironments, ",")
}

// The review reminder's defaults: at 10:00 on weekdays in reportTimezone, the pull requests
// that have waited a day. The schedule excludes weekends itself, and github-webhook skips a
// Saturday or Sunday in the team's zone whatever the schedule says. REVIEW_REMINDER_HOURS
// accepts at most 30 days.
const (
	defaultReviewReminderSchedule = "cron(0 10 ? * MON-FRI *)"
	defaultReviewReminderHours    = 24
	maxReviewReminderHours        = 720
)

// contextDefaults are the values of absent context keys; every other key must be set (cdk.json
// has them all).
func contextDefaults() map[string]any {
	return map[string]any{
		"auditRetentionDays":    float64(defaultAuditRetentionDays),
		"twoPersonEnvironments": deployrun.DefaultTwoPersonEnvironments,
		"language":              defaultLanguage,
		"githubClientId":        "", // /link's device flow stays off

		"reviewReminderSchedule": defaultReviewReminderSchedule,
		"reviewReminderHours":    float64(defaultReviewReminderHours),
	}
}

// loadConfig reads and checks the configuration. get returns a context value: a string when it
// comes from `-c key=value`, a JSON value (string, number, bool) when it comes from cdk.json, nil
// when absent. The error names every problem, not only the first.
func loadConfig(get func(key string) any) (config, error) {
	var (
		snowflakeRE     = regexp.MustCompile(`^[0-9]{1,20}$`)
		repositoryRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`)
		environmentRE   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,255}$`)
		workflowRE      = regexp.MustCompile(`^[A-Za-z0-9._-]+\.ya?ml$`)
		publicKeyRE     = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
		parameterPathRE = regexp.MustCompile(`^(/[A-Za-z0-9._-]+)+$`)
		budgetRE        = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)
		loginRE         = regexp.MustCompile(`^[A-Za-z0-9\[\]_.-]+$`)
		labelRE         = regexp.MustCompile(`^[^,]+$`)
		languageRE      = regexp.MustCompile(`^(ko|en)$`)
		clientIDRE      = regexp.MustCompile(`^[A-Za-z0-9.]{1,64}$`)
	)
	defaults := contextDefaults()
	p := parser{get: func(key string) any {
		if v := get(key); v != nil {
			return v
		}
		return defaults[key]
	}}
	c := config{
		githubRepository:      p.optional("githubRepository", repositoryRE, "owner/repo"),
		deployWorkflow:        p.match("deployWorkflow", workflowRE, "a workflow file name such as deploy.yml"),
		deployEnvironments:    p.list("deployEnvironments", environmentRE, "environment names", false),
		deployRoleIDs:         p.list("deployRoleIds", snowflakeRE, "Discord role ids", true),
		twoPersonEnvironments: deployrun.TwoPersonEnvironments(p.str("twoPersonEnvironments")),
		discordChannelID:      p.optional("discordChannelId", snowflakeRE, "a Discord channel id"),
		discordApplicationID:  p.optional("discordApplicationId", snowflakeRE, "a Discord application id"),
		discordPublicKey:      p.optional("discordPublicKey", publicKeyRE, "64 hex digits (the application's Ed25519 public key)"),
		githubAppID:           p.optional("githubAppId", snowflakeRE, "a GitHub App id"),
		githubClientID:        p.optionalValue("githubClientId", clientIDRE, "the GitHub App's client id, such as Iv23liAbCdEf"),
		githubAPIURL:          p.httpsURL("githubApiUrl"),
		discordAPIURL:         p.httpsURL("discordApiUrl"),
		costSchedule:          p.schedule("costSchedule"),
		reportTimezone:        p.timezone("reportTimezone"),
		throttleRateLimit:     p.positive("throttleRateLimit", false),
		throttleBurstLimit:    p.positive("throttleBurstLimit", true),
		parameterPrefix:       p.match("parameterPrefix", parameterPathRE, "an SSM path such as /chatops, without a trailing slash"),
		logRetention:          p.retention("logRetentionDays"),
		scaleMaxDesired:       int(p.positive("scaleMaxDesired", true)),
		monthlyBudgetUSD:      p.optionalValue("monthlyBudgetUsd", budgetRE, "an amount in US dollars such as 500 or 1250.50"),
		announceBots:          p.boolean("announceBots"),
		ignoreAuthors:         p.list("ignoreAuthors", loginRE, "GitHub logins", true),
		ignoreLabels:          p.list("ignoreLabels", labelRE, "label names", true),
		repoChannels:          p.repoChannels("repoChannels", repositoryRE, snowflakeRE),
		auditRetentionDays:    p.auditRetention("auditRetentionDays"),
		language:              p.match("language", languageRE, "ko or en"),

		reviewReminderSchedule: p.schedule("reviewReminderSchedule"),
		reviewReminderHours:    p.reminderHours("reviewReminderHours"),
	}
	for _, env := range c.twoPersonEnvironments {
		if !environmentRE.MatchString(env) || !slices.Contains(c.deployEnvironments, env) {
			p.fail("twoPersonEnvironments", "%q is not one of deployEnvironments (%s); %q turns the two-person rule off", env,
				strings.Join(c.deployEnvironments, ","), deployrun.NoTwoPerson)
		}
	}
	c.unset = p.unset
	if len(c.deployRoleIDs) == 0 {
		c.warnings = append(c.warnings, "deployRoleIds is empty: nobody can /deploy, /rollback or /scale. "+
			"Set it to the Discord role ids allowed to (comma-separated; Server Settings → Roles → right-click a role → Copy Role ID)")
	}
	if len(p.problems) > 0 {
		return config{}, fmt.Errorf("invalid CDK context (set it in cdk.json or with -c key=value):\n%w", errors.Join(p.problems...))
	}
	return c, nil
}

// parser reads context values and collects every problem it finds.
type parser struct {
	get      func(key string) any
	problems []error
	unset    []string
}

func (p *parser) fail(key, format string, args ...any) {
	p.problems = append(p.problems, fmt.Errorf("  %s: "+format, append([]any{key}, args...)...))
}

// str returns the value of key as a trimmed string, whatever JSON type it has.
func (p *parser) str(key string) string {
	switch v := p.get(key).(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	default:
		p.fail(key, "want a string, number or boolean, got %T", v)
		return ""
	}
}

func (p *parser) match(key string, re *regexp.Regexp, want string) string {
	v := p.str(key)
	if !re.MatchString(v) {
		p.fail(key, "%q is not %s", v, want)
	}
	return v
}

// optional is a value a deployment needs but a synth does without: empty is recorded in unset.
func (p *parser) optional(key string, re *regexp.Regexp, want string) string {
	if p.str(key) == "" {
		p.unset = append(p.unset, key)
		return ""
	}
	return p.match(key, re, want)
}

// optionalValue is a value that may stay empty for good.
func (p *parser) optionalValue(key string, re *regexp.Regexp, want string) string {
	if p.str(key) == "" {
		return ""
	}
	return p.match(key, re, want)
}

// list reads a comma-separated list, trimming spaces around items.
func (p *parser) list(key string, re *regexp.Regexp, want string, emptyOK bool) []string {
	v := p.str(key)
	if v == "" {
		if !emptyOK {
			p.fail(key, "is empty; want comma-separated %s", want)
		}
		return nil
	}
	var items []string
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if !re.MatchString(item) {
			p.fail(key, "%q is not one of comma-separated %s", item, want)
			continue
		}
		items = append(items, item)
	}
	return items
}

// schedule is an EventBridge Scheduler cron() or rate() expression, checked field by field
// (checkSchedule): a wrong one would otherwise pass synth and fail the deployment.
func (p *parser) schedule(key string) string {
	v := p.str(key)
	if err := checkSchedule(v); err != nil {
		p.fail(key, "%q: %s", v, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return v
}

func (p *parser) httpsURL(key string) string {
	v := p.str(key)
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || strings.HasSuffix(v, "/") {
		p.fail(key, "%q is not an https URL without a trailing slash", v)
	}
	return v
}

func (p *parser) timezone(key string) string {
	v := p.str(key)
	if v == "" || v == "Local" {
		p.fail(key, "%q is not an IANA time zone such as Asia/Seoul", v)
		return v
	}
	if _, err := time.LoadLocation(v); err != nil {
		p.fail(key, "%q is not an IANA time zone such as Asia/Seoul", v)
	}
	return v
}

func (p *parser) positive(key string, integer bool) float64 {
	v := p.str(key)
	n, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil || n <= 0:
		p.fail(key, "%q is not a positive number", v)
	case integer && n != float64(int(n)):
		p.fail(key, "%q is not a whole number", v)
	}
	return n
}

// reminderHours is a whole number of hours, 1 to maxReviewReminderHours.
func (p *parser) reminderHours(key string) int {
	n := p.positive(key, true)
	if n > maxReviewReminderHours {
		p.fail(key, "%v is more than %d hours", n, maxReviewReminderHours)
	}
	return int(n)
}

// auditRetention is a whole number of days, 1 to maxAuditRetentionDays.
func (p *parser) auditRetention(key string) int {
	n := p.positive(key, true)
	if n > maxAuditRetentionDays {
		p.fail(key, "%v is more than %d days", n, maxAuditRetentionDays)
		return 0
	}
	return int(n)
}

func (p *parser) retention(key string) awslogs.RetentionDays {
	v := p.str(key)
	n, err := strconv.Atoi(v)
	all := retentionDays()
	r, ok := all[n]
	if err != nil || !ok {
		days := slices.Sorted(maps.Keys(all))
		valid := make([]string, len(days))
		for i, d := range days {
			valid[i] = strconv.Itoa(d)
		}
		p.fail(key, "%q is not a retention CloudWatch Logs accepts (%s)", v, strings.Join(valid, ", "))
	}
	return r
}

func (p *parser) boolean(key string) bool {
	v := p.str(key)
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(key, "%q is not true or false", v)
	}
	return b
}

// repoChannels reads "owner/repo=channelID,...".
func (p *parser) repoChannels(key string, repositoryRE, snowflakeRE *regexp.Regexp) []string {
	v := p.str(key)
	if v == "" {
		return nil
	}
	var pairs []string
	for pair := range strings.SplitSeq(v, ",") {
		pair = strings.TrimSpace(pair)
		repo, channel, ok := strings.Cut(pair, "=")
		if !ok || !repositoryRE.MatchString(repo) || !snowflakeRE.MatchString(channel) {
			p.fail(key, "%q is not owner/repo=channelID", pair)
			continue
		}
		pairs = append(pairs, pair)
	}
	return pairs
}
