package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/discord-chatops/chatops/local/internal/demo"
	"github.com/discord-chatops/chatops/local/suite"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

// errorSays checks that err is an error whose message has each of want in it.
func errorSays(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %s", err, w)
		}
	}
}

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
			name: "demo names its own state table and passes the stack's defaults",
			o:    Options{Demo: true, Discord: Record, GitHub: Record},
			env:  map[string]string{"CHATOPS_TABLE": "team-table"},
			want: map[string]string{"CHATOPS_TABLE": demo.Table, "CHATOPS_LANGUAGE": "ko", "AUDIT_RETENTION_DAYS": "400",
				"MONTHLY_BUDGET_USD": "", "DEAD_LETTER_QUEUES": ""},
		},
		{
			name: "the user's options reach the functions",
			o:    Options{Demo: true, Discord: Record, GitHub: Record},
			env: map[string]string{"CHATOPS_LANGUAGE": "en", "AUDIT_RETENTION_DAYS": "30", "MONTHLY_BUDGET_USD": "250",
				"TWO_PERSON_ENVIRONMENTS": "prod", "DEAD_LETTER_QUEUES": "cost-cron=https://sqs.example/q"},
			want: map[string]string{"CHATOPS_LANGUAGE": "en", "AUDIT_RETENTION_DAYS": "30", "MONTHLY_BUDGET_USD": "250",
				"TWO_PERSON_ENVIRONMENTS": "prod", "DEAD_LETTER_QUEUES": ""},
		},
		{
			name:    "demo makes its own table, so --table is a mistake",
			o:       Options{Demo: true, Discord: Record, GitHub: Record, Table: "chatops-prod"},
			wantErr: []string{"--table=chatops-prod"},
		},
		{
			name: "real mode takes --table over CHATOPS_TABLE",
			o:    Options{Discord: Record, GitHub: Record, Table: "from-flag"},
			env:  map[string]string{"CHATOPS_TABLE": "from-env", "DEAD_LETTER_QUEUES": "cost-cron=https://sqs.example/q"},
			want: map[string]string{"CHATOPS_TABLE": "from-flag", "DEAD_LETTER_QUEUES": "cost-cron=https://sqs.example/q"},
		},
		{
			name: "real mode takes CHATOPS_TABLE, or leaves the table for Start to find",
			o:    Options{Discord: Record, GitHub: Record},
			env:  map[string]string{"CHATOPS_TABLE": "from-env"},
			want: map[string]string{"CHATOPS_TABLE": "from-env"},
		},
		{
			name:    "real mode names every missing variable",
			o:       Options{Discord: Real, GitHub: Real},
			wantErr: []string{"DISCORD_PUBLIC_KEY", "DISCORD_APPLICATION_ID", "DISCORD_CHANNEL_ID", "GITHUB_APP_ID", "GITHUB_REPOSITORY"},
		},
		{
			name: "real mode takes the user's values",
			o:    Options{Discord: Real, GitHub: Real},
			env: map[string]string{"DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32), "DISCORD_APPLICATION_ID": "1", "DISCORD_CHANNEL_ID": "2",
				"GITHUB_APP_ID": "3", "GITHUB_REPOSITORY": "o/r", "CHATOPS_PARAMETER_PREFIX": "/team"},
			want: map[string]string{"DISCORD_API_URL": "https://discord.com/api/v10", "GITHUB_API_URL": "https://api.github.com",
				"DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32), "GITHUB_REPOSITORY": "o/r", "CHATOPS_PARAMETER_PREFIX": "/team"},
		},
		{
			// One error naming every malformed value, before anything starts: a function given
			// one would exit at start and be started again, over and over.
			name: "real mode refuses malformed values, each named",
			o:    Options{Discord: Real, GitHub: Real},
			env: map[string]string{"DISCORD_PUBLIC_KEY": "not-a-key", "DISCORD_APPLICATION_ID": "my-bot", "DISCORD_CHANNEL_ID": "#ops",
				"GITHUB_APP_ID": "app", "GITHUB_REPOSITORY": "shop", "DEPLOY_ROLE_IDS": "123, admins", "REPORT_TIMEZONE": "KST",
				"CHATOPS_LANGUAGE": "ja", "AUDIT_RETENTION_DAYS": "-1", "SCALE_MAX_DESIRED": "many", "MONTHLY_BUDGET_USD": "$500",
				"TWO_PERSON_ENVIRONMENTS": "staging", "CHATOPS_PARAMETER_PREFIX": "chatops/", "DISCORD_API_URL": "discord.com"},
			wantErr: []string{`DISCORD_PUBLIC_KEY: "not-a-key" is not 64 hex digits`, `DISCORD_APPLICATION_ID: "my-bot" is not a Discord id`,
				`DISCORD_CHANNEL_ID: "#ops"`, `GITHUB_APP_ID: "app"`, `GITHUB_REPOSITORY: "shop" is not owner/repo`,
				`DEPLOY_ROLE_IDS: "admins"`, `REPORT_TIMEZONE: "KST"`, `CHATOPS_LANGUAGE: "ja" is not ko or en`,
				`AUDIT_RETENTION_DAYS: "-1"`, `SCALE_MAX_DESIRED: "many"`, `MONTHLY_BUDGET_USD: "$500"`,
				`TWO_PERSON_ENVIRONMENTS: "staging" is not one of DEPLOY_ENVIRONMENTS`, `CHATOPS_PARAMETER_PREFIX: "chatops/"`,
				`DISCORD_API_URL: "discord.com"`},
		},
		{
			name:    "demo mode checks the user's options too",
			o:       Options{Demo: true, Discord: Record, GitHub: Record},
			env:     map[string]string{"CHATOPS_LANGUAGE": "kr", "REPORT_TIMEZONE": "Asia/Seul"},
			wantErr: []string{`CHATOPS_LANGUAGE: "kr"`, `REPORT_TIMEZONE: "Asia/Seul"`},
		},
		{
			name:    "demo with the real Discord needs its bot token for moto's SSM",
			o:       Options{Demo: true, Discord: Real, GitHub: Record},
			env:     map[string]string{"DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32), "DISCORD_APPLICATION_ID": "1", "DISCORD_CHANNEL_ID": "2"},
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
				errorSays(t, err, tt.wantErr)
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
	s := settings{contract: map[string]string{"DISCORD_PUBLIC_KEY": "ab", "CHATOPS_EVENT_BUS": "bus", "DISCORD_CHANNEL_ID": "2",
		"CHATOPS_TABLE": "t", "DEAD_LETTER_QUEUES": "cost-cron=q"}}
	want := map[string][]string{
		"interactions":   {"CHATOPS_TABLE=t", "DISCORD_PUBLIC_KEY=ab"},
		"github-webhook": {"CHATOPS_EVENT_BUS=bus", "CHATOPS_TABLE=t", "DISCORD_CHANNEL_ID=2"},
		"deploy-notify":  {"CHATOPS_TABLE=t", "DISCORD_CHANNEL_ID=2"},
		"cost-cron":      {"CHATOPS_TABLE=t", "DEAD_LETTER_QUEUES=cost-cron=q", "DISCORD_CHANNEL_ID=2"},
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

// TestContractVarsFollowTheStack reads the stack's environment table (infra/config.go
// environmentTable) and checks that contractVars gives each variable to the same functions, so
// that the local runner starts the functions as the stack does.
func TestContractVarsFollowTheStack(t *testing.T) {
	t.Parallel()
	want := stackEnvironment(t, filepath.Join("..", "..", "..", "infra", "config.go"))
	// The resources the stack creates set three more (infra/stack.go newStack, infra/failures.go
	// addDeadLetterAlarm), outside the table.
	want["CHATOPS_TABLE"] = suite.Names()
	want["CHATOPS_EVENT_BUS"] = []string{suite.GitHubWebhook}
	want["DEAD_LETTER_QUEUES"] = []string{suite.CostCron}
	sorted := cmpopts.SortSlices(func(a, b string) bool { return a < b })
	if diff := cmp.Diff(want, contractVars(), sorted); diff != "" {
		t.Errorf("contractVars against the stack's environment table (-stack +local):\n%s", diff)
	}
}

// stackEnvironment parses the rows of environmentTable in the stack's config.go: each envVar's
// name and the functions of its readBy (the function constants, or all).
func stackEnvironment(t *testing.T, file string) map[string][]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	var table *ast.FuncDecl
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if v, ok := spec.(*ast.ValueSpec); ok && d.Tok == token.CONST && len(v.Values) == len(v.Names) {
					for i, n := range v.Names {
						if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[n.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		case *ast.FuncDecl:
			if d.Name.Name == "environmentTable" {
				table = d
			}
		}
	}
	if table == nil {
		t.Fatalf("%s: no environmentTable", file)
	}
	functions := func(e ast.Expr) []string {
		if id, ok := e.(*ast.Ident); ok && id.Name == "all" {
			return suite.Names()
		}
		var fns []string
		for _, el := range e.(*ast.CompositeLit).Elts {
			fn, ok := consts[el.(*ast.Ident).Name]
			if !ok {
				t.Fatalf("%s: readBy names %s, not a function constant", file, el.(*ast.Ident).Name)
			}
			fns = append(fns, fn)
		}
		return fns
	}
	env := map[string][]string{}
	ast.Inspect(table.Body, func(n ast.Node) bool {
		row, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		var name string
		var readBy []string
		for _, el := range row.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				return true // the []envVar itself
			}
			switch kv.Key.(*ast.Ident).Name {
			case "name":
				name, _ = strconv.Unquote(kv.Value.(*ast.BasicLit).Value)
			case "readBy":
				readBy = functions(kv.Value)
			}
		}
		if name != "" {
			env[name] = readBy
		}
		return false
	})
	if len(env) < 10 {
		t.Fatalf("%s: read %d rows of environmentTable, want the whole table", file, len(env))
	}
	return env
}
