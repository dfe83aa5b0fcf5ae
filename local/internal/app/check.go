package app

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/deployrun"
)

// valueCheck says what a contract variable's value must look like: the same rules as the
// stack's context check (infra/config.go loadConfig) and the functions' own loadConfig, so
// that a value a function would refuse at start stops the runner before anything starts,
// instead of a function that exits and is started again, over and over.
type valueCheck struct {
	re   *regexp.Regexp
	want string
	// list: the value is comma-separated, each item matching re; empty is fine.
	list bool
	// check, when set, replaces re.
	check func(string) error
}

func valueChecks() map[string]valueCheck {
	snowflake := regexp.MustCompile(`^[0-9]{1,20}$`)
	environment := regexp.MustCompile(`^[A-Za-z0-9._-]{1,255}$`)
	positive := func(s string) error {
		if n, err := strconv.Atoi(s); err != nil || n < 1 {
			return fmt.Errorf("%q is not a positive whole number", s)
		}
		return nil
	}
	return map[string]valueCheck{
		"DISCORD_PUBLIC_KEY":       {re: regexp.MustCompile(`^[0-9a-fA-F]{64}$`), want: "64 hex digits: the application's Public Key (Developer Portal → General Information)"},
		"DISCORD_APPLICATION_ID":   {re: snowflake, want: "a Discord id (digits only): the Application ID (Developer Portal → General Information)"},
		"DISCORD_CHANNEL_ID":       {re: snowflake, want: "a Discord id (digits only; right-click the channel → Copy Channel ID)"},
		"DEPLOY_ROLE_IDS":          {re: snowflake, list: true, want: "Discord role ids, digits only (Server Settings → Roles → right-click → Copy Role ID)"},
		"GITHUB_APP_ID":            {re: regexp.MustCompile(`^[0-9]{1,20}$`), want: "the GitHub App's numeric App ID (the App's settings → General)"},
		"GITHUB_REPOSITORY":        {re: regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`), want: "owner/repo"},
		"DEPLOY_WORKFLOW":          {re: regexp.MustCompile(`^[A-Za-z0-9._-]+\.ya?ml$`), want: "a workflow file name such as deploy.yml"},
		"DEPLOY_ENVIRONMENTS":      {re: environment, list: true, want: "comma-separated environment names"},
		"TWO_PERSON_ENVIRONMENTS":  {re: environment, list: true, want: "comma-separated environment names"},
		"CHATOPS_PARAMETER_PREFIX": {re: regexp.MustCompile(`^(/[A-Za-z0-9._-]+)+$`), want: "an SSM path such as /chatops, without a trailing slash"},
		"CHATOPS_LANGUAGE":         {re: regexp.MustCompile(`^(ko|en)$`), want: "ko or en"},
		"CHATOPS_TABLE":            {re: regexp.MustCompile(`^[A-Za-z0-9._-]{3,255}$`), want: "a DynamoDB table name"},
		"CHATOPS_EVENT_BUS":        {re: regexp.MustCompile(`^[A-Za-z0-9._-]{1,256}$`), want: "an EventBridge bus name"},
		"AUDIT_RETENTION_DAYS":     {check: positive},
		"SCALE_MAX_DESIRED":        {check: positive},
		"MONTHLY_BUDGET_USD":       {re: regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`), want: "an amount in US dollars such as 500 or 1250.50"},
		"ANNOUNCE_BOTS":            {re: regexp.MustCompile(`^(true|false)$`), want: "true or false"},
		"REPORT_TIMEZONE": {check: func(s string) error {
			if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
				return fmt.Errorf("%q is not an IANA time zone such as Asia/Seoul", s)
			}
			return nil
		}},
		"DISCORD_API_URL": {check: checkURL},
		"GITHUB_API_URL":  {check: checkURL},
	}
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// checkContract returns one error for each contract value a function would refuse. An empty
// value is left to resolve, which names the variables a mode needs.
func checkContract(contract map[string]string) []error {
	var errs []error
	checks := valueChecks()
	names := make([]string, 0, len(contract))
	for name := range contract {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v, c := contract[name], checks[name]
		if v == "" || (c.re == nil && c.check == nil) {
			continue
		}
		if c.check != nil {
			if err := c.check(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
			continue
		}
		items := []string{v}
		if c.list {
			items = strings.Split(v, ",")
		}
		for _, item := range items {
			if item = strings.TrimSpace(item); !c.re.MatchString(item) {
				errs = append(errs, fmt.Errorf("%s: %q is not %s", name, item, c.want))
			}
		}
	}
	if two, envs := contract["TWO_PERSON_ENVIRONMENTS"], contract["DEPLOY_ENVIRONMENTS"]; two != "" {
		for _, e := range deployrun.TwoPersonEnvironments(two) { // "none" turns the rule off
			if !slices.Contains(strings.Split(envs, ","), e) {
				errs = append(errs, fmt.Errorf("TWO_PERSON_ENVIRONMENTS: %q is not one of DEPLOY_ENVIRONMENTS (%s)", e, envs))
			}
		}
	}
	return errs
}
