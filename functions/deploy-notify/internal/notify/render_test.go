package notify

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/openapitest"
	"github.com/discord-chatops/chatops/shared/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenDir holds this package's golden file beside the handler's; see testdata/README.md.
const goldenDir = "../../testdata/golden"

// testTexts are the package's texts with reports in lang.
func testTexts(lang i18n.Language) *Texts {
	return NewTexts(i18n.NewCatalog(Messages()), lang)
}

func loadSpec(t *testing.T) *openapitest.Spec {
	t.Helper()
	spec, err := openapitest.Extract("message-create.json")
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// TestRender renders one report of every status as the channel message it becomes, in each
// language, checks each against Discord's MessageCreateRequest schema, and compares them all
// with testdata/golden/render.<en|ko>.json.
func TestRender(t *testing.T) {
	t.Parallel()
	started := at("2025-11-20T09:00:00Z")
	base := Report{
		Source:      SourceRun,
		Environment: "prod",
		Ref:         "main",
		SHA:         "3484a3fb816e0859fd6e1cea078d76385ff50625",
		RequestedBy: "alice",
		Repository:  "octo-org/octo-repo",
		RepoURL:     "https://github.com/octo-org/octo-repo",
		URL:         "https://github.com/octo-org/octo-repo/actions/runs/19876543210",
		Time:        started.Add(3*time.Minute + 12*time.Second),
		RunID:       19876543210,
		Attempt:     1,
		RunNumber:   42,
		Started:     started,
	}
	with := func(f func(*Report)) Report {
		r := base
		f(&r)
		return r
	}
	status := func(s string) Report { return with(func(r *Report) { r.Status = s }) }
	deployment := func(state string) Report {
		return Report{
			Source: SourceDeployment, Status: state, Environment: "production", Ref: "v1.4.0",
			SHA: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", RequestedBy: "release-bot[bot]",
			Repository: "octo-org/octo-repo", RepoURL: "https://github.com/octo-org/octo-repo",
			URL: "https://example.com/deploys/881", Time: started, DeploymentID: 145988746,
			DeploymentStatusID: 209916254, Description: "Deployed by *Argo CD*",
		}
	}
	cases := []struct {
		name string
		r    Report
	}{
		{"requested", with(func(r *Report) { r.Status, r.Time = "requested", started })},
		{"in_progress", with(func(r *Report) { r.Status, r.Time = "in_progress", started.Add(5*time.Second) })},
		{"success", status("success")},
		{"failure", status("failure")},
		{"cancelled", status("cancelled")},
		{"timed_out", with(func(r *Report) { r.Status, r.Time = "timed_out", started.Add(6*time.Hour+30*time.Second) })},
		{"action_required", status("action_required")},
		{"startup_failure", status("startup_failure")},
		{"stale", status("stale")},
		{"skipped", status("skipped")},
		{"neutral", status("neutral")},
		{"a conclusion GitHub adds later", status("postponed")},
		{"failure, second attempt", with(func(r *Report) { r.Status, r.Attempt = "failure", 2 })},
		{"failure, environment unknown", with(func(r *Report) { r.Status, r.Environment = "failure", "" })},
		{"markdown in names", with(func(r *Report) { r.Status, r.RequestedBy, r.Ref = "success", "<@123>_*x*", "feat/`tick`" })},
		{"deployment in_progress", deployment("in_progress")},
		{"deployment success", deployment("success")},
		{"deployment failure", deployment("failure")},
		{"deployment error", deployment("error")},
	}
	spec := loadSpec(t)
	for _, lang := range i18n.Languages() {
		p := testTexts(lang).Printer()
		got := map[string]discord.Message{}
		for _, c := range cases {
			m := c.r.Message(p)
			got[c.name] = m
			body, err := json.Marshal(m.Fit())
			if err != nil {
				t.Fatal(err)
			}
			if err := spec.CheckSchema("MessageCreateRequest", body); err != nil {
				t.Errorf("%s %s: body breaks the spec:\n%v", lang, c.name, err)
			}
			if bytes.Contains(body, []byte("[notify.")) {
				t.Errorf("%s %s: a message id instead of its text: %s", lang, c.name, body)
			}
			if n := len(m.Nonce); n == 0 || n > maxNonce || !m.EnforceNonce {
				t.Errorf("%s: nonce %q (%d characters), enforce %v", c.name, m.Nonce, n, m.EnforceNonce)
			}
		}
		compareGolden(t, "render."+string(lang)+".json", got)
	}
}

// TestLooksHaveTexts: the title and footer word of every status are in the catalog in both
// languages (the ids sit in the looks tables, where TestTextsComplete does not see them), and
// no two statuses share a footer word, which is how a card's status is read back.
func TestLooksHaveTexts(t *testing.T) {
	t.Parallel()
	c := i18n.NewCatalog(Messages())
	for _, looks := range []map[string]look{runLooks, deploymentLooks} {
		for _, lang := range i18n.Languages() {
			words := map[string]string{}
			for status, l := range looks {
				for _, id := range []string{l.title, l.status} {
					if c.Message(lang, id) == nil {
						t.Errorf("%s: %s: no message %q", lang, status, id)
					}
				}
				w := c.Printer(lang).T(l.status)
				if other, ok := words[w]; ok {
					t.Errorf("%s: %s and %s both read %q in the footer", lang, status, other, w)
				}
				words[w] = status
			}
		}
	}
}

func compareGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, cmp.Diff(string(want), string(got)))
	}
}

func TestComponents(t *testing.T) {
	t.Parallel()
	en := testTexts(i18n.English).Printer()
	rollback := discord.Button(discord.ButtonDanger, "Roll back", deployrun.RollbackButtonID("prod"))
	link := discord.LinkButton("View run", "https://github.com/o/r/actions/runs/1")
	tests := []struct {
		name string
		r    Report
		want []discord.Component
	}{
		{"running", Report{Source: SourceRun, Status: "in_progress", Environment: "prod", URL: link.URL}, []discord.Component{discord.ActionRow(link)}},
		{"failure", Report{Source: SourceRun, Status: "failure", Environment: "prod", URL: link.URL}, []discord.Component{discord.ActionRow(rollback, link)}},
		{"timed out", Report{Source: SourceRun, Status: "timed_out", Environment: "prod", URL: link.URL}, []discord.Component{discord.ActionRow(rollback, link)}},
		{"startup failure", Report{Source: SourceRun, Status: "startup_failure", Environment: "prod", URL: link.URL}, []discord.Component{discord.ActionRow(link)}},
		{"failure without environment", Report{Source: SourceRun, Status: "failure", URL: link.URL}, []discord.Component{discord.ActionRow(link)}},
		{"failure, environment too long for a custom_id", Report{Source: SourceRun, Status: "failure", Environment: strings.Repeat("e", 90), URL: link.URL}, []discord.Component{discord.ActionRow(link)}},
		{"failure without link", Report{Source: SourceRun, Status: "failure", Environment: "prod"}, []discord.Component{discord.ActionRow(rollback)}},
		{"success without link", Report{Source: SourceRun, Status: "success", Environment: "prod"}, nil},
		{"deployment failure: not the suite's to roll back", Report{Source: SourceDeployment, Status: "failure", Environment: "prod"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.r.Components(en)); diff != "" {
				t.Errorf("Components (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNonce(t *testing.T) {
	t.Parallel()
	runReport := func(id int64, attempt int, status string) Report {
		return Report{Source: SourceRun, RunID: id, Attempt: attempt, Status: status}
	}
	tests := []struct {
		name string
		r    Report
		want string
	}{
		{"requested", runReport(19876543210, 1, "requested"), "dn-94pzawa-1-running"},
		{"in progress shares it", runReport(19876543210, 1, "in_progress"), "dn-94pzawa-1-running"},
		{"success", runReport(19876543210, 1, "success"), "dn-94pzawa-1-success"},
		{"second attempt", runReport(19876543210, 2, "success"), "dn-94pzawa-2-success"},
		{"cancelled", runReport(19876543210, 1, "cancelled"), "dn-94pzawa-1-cancelled"},
		{"long status is hashed", runReport(19876543210, 1, "startup_failure"), "dn-1jesongkulvwj"},
		{"deployment", Report{Source: SourceDeployment, DeploymentID: 145988746, Status: "success"}, "dd-2ex1my-success"},
		{"deployment running states share it", Report{Source: SourceDeployment, DeploymentID: 145988746, Status: "in_progress"}, "dd-2ex1my-in_progress"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.r.Nonce()
			if got != tt.want {
				t.Errorf("Nonce() = %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > maxNonce {
				t.Errorf("Nonce() %q is %d characters, over Discord's %d", got, n, maxNonce)
			}
		})
	}
	// The largest ids still fit: 13 base-36 digits, hashed beyond.
	if n := len(runReport(1<<62, 99, "action_required").Nonce()); n > maxNonce {
		t.Errorf("nonce of %d characters for the largest run id", n)
	}
}

func TestSupersedes(t *testing.T) {
	t.Parallel()
	texts := testTexts(i18n.Korean) // reads the footers of every language, whichever it writes
	r := Report{Source: SourceRun, RunID: 100, Attempt: 2, Status: "in_progress"}
	tests := []struct {
		footer string
		want   bool
	}{
		{"run 100 · attempt 2 · requested", true},
		{"run 100 · attempt 2 · in_progress", false}, // duplicate
		{"run 100 · attempt 2 · failure", false},     // in_progress arriving after completed
		{"run 100 · attempt 1 · failure", true},      // a re-run
		{"run 100 · attempt 3 · requested", false},   // an older attempt
		{"run 99 · attempt 5 · success", true},       // a later run on the same card
		{"run 101 · attempt 1 · requested", false},
		{"run 100 · attempt 2 · postponed", false}, // a conclusion GitHub adds later is done
		{"실행 100 · 시도 2 · 요청됨", true},
		{"실행 100 · 시도 2 · 진행 중", false},
		{"실행 100 · 시도 2 · 실패", false},
		{"실행 100 · 시도 1 · 실패", true},
		{"실행 101 · 시도 1 · 요청됨", false},
		{"실행 100 · 시도 2 · postponed", false},
	}
	for _, tt := range tests {
		t.Run(tt.footer, func(t *testing.T) {
			t.Parallel()
			s, ok := texts.statusOf(discord.Embed{Footer: &discord.EmbedFooter{Text: tt.footer}})
			if !ok {
				t.Fatalf("statusOf(%q) not recognised", tt.footer)
			}
			if got := r.supersedes(s); got != tt.want {
				t.Errorf("supersedes(%q) = %v, want %v", tt.footer, got, tt.want)
			}
		})
	}
	for _, footer := range []string{
		"", "correlation 7f3c2a", "run x · attempt 1 · success", "deployment 1 · status 2 · success", "run 1 · attempt 1 · success and more",
		"실행 1 · 시도 1 · 성공 그리고", "배포 1 · 상태 2 · 성공", "실행 1 · attempt 1 · success",
	} {
		if _, ok := texts.statusOf(discord.Embed{Footer: &discord.EmbedFooter{Text: footer}}); ok {
			t.Errorf("statusOf(%q) recognised a status embed", footer)
		}
	}
	if _, ok := texts.statusOf(discord.Embed{Title: "Deploy request"}); ok {
		t.Error("statusOf recognised an embed without a footer")
	}
	// What Embed writes, statusOf reads, for every status in every language: the run by its
	// number, or by its id when GitHub gave no number.
	for _, lang := range i18n.Languages() {
		p := testTexts(lang).Printer()
		for status := range runLooks {
			r := Report{Source: SourceRun, RunID: 100, Attempt: 2, Status: status}
			if s, ok := texts.statusOf(r.Embed(p)); !ok || s != (shown{runID: 100, attempt: 2, status: status}) {
				t.Errorf("%s: statusOf(r.Embed()) = %+v, %v for %s", lang, s, ok, status)
			}
			r.RunNumber = 7
			if s, ok := texts.statusOf(r.Embed(p)); !ok || s != (shown{runNumber: 7, attempt: 2, status: status}) || !r.shows(s) {
				t.Errorf("%s: statusOf(r.Embed()) = %+v, %v for %s with a run number", lang, s, ok, status)
			}
		}
	}
}

// TestSupersedesByNumber: footers name the run by its number ("run #7"); a card written
// before names it by its id, and is still compared by id.
func TestSupersedesByNumber(t *testing.T) {
	t.Parallel()
	texts := testTexts(i18n.English)
	r := Report{Source: SourceRun, RunID: 100, RunNumber: 7, Attempt: 2, Status: "in_progress"}
	tests := []struct {
		footer      string
		want, shows bool
	}{
		{"run #7 · attempt 2 · requested", true, false},
		{"run #7 · attempt 2 · in_progress", false, true}, // duplicate
		{"run #7 · attempt 2 · failure", false, false},    // in_progress arriving after completed
		{"run #7 · attempt 1 · failure", true, false},     // a re-run keeps its number
		{"run #6 · attempt 5 · success", true, false},     // a later run on the same card
		{"run #8 · attempt 1 · requested", false, false},
		{"실행 #7 · 시도 1 · 실패", true, false},
		{"실행 #7 · 시도 2 · 진행 중", false, true},
		{"run 100 · attempt 2 · requested", true, false}, // a card from before: the run's id
		{"run 100 · attempt 2 · in_progress", false, true},
		{"run 101 · attempt 1 · requested", false, false},
	}
	for _, tt := range tests {
		s, ok := texts.statusOf(discord.Embed{Footer: &discord.EmbedFooter{Text: tt.footer}})
		if !ok {
			t.Errorf("statusOf(%q) not recognised", tt.footer)
			continue
		}
		if got := r.supersedes(s); got != tt.want {
			t.Errorf("supersedes(%q) = %v, want %v", tt.footer, got, tt.want)
		}
		if got := r.shows(s); got != tt.shows {
			t.Errorf("shows(%q) = %v, want %v", tt.footer, got, tt.shows)
		}
	}
	if _, ok := texts.statusOf(discord.Embed{Footer: &discord.EmbedFooter{Text: "run #0 · attempt 1 · success"}}); ok {
		t.Error("statusOf read run #0")
	}
}
