package deploy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// The commits of the rollback tests, oldest first: dev ran b0a710a, then c0ffee1; then the
// deploy of 5ca1ab1, main's tip, failed (issue 16).
var (
	shaOld  = commitID("b0a710a")
	shaGood = commitID("c0ffee1")
	shaBad  = commitID("5ca1ab1")
)

func commitID(prefix string) string { return prefix + strings.Repeat("0", 40-len(prefix)) }

// deployment is a deployment of sha to environment created age before requestedAt, made by
// run (0: none named) and moving through states, a minute apart, as GitHub records them
// (AddDeploymentStatus: a success makes the earlier deployments inactive).
type deployment struct {
	environment, sha string
	age              time.Duration
	run              int64
	states           []string
}

// rollbackGitHub is GitHub with acme/shop, its commits, tags and deploy workflow (the suite's
// run-name), the runs given, and the deployments given, oldest first; and the Service on it.
func rollbackGitHub(t *testing.T, runs []githubapptest.Run, deps ...deployment) (*githubapptest.Server, *Service) {
	t.Helper()
	gh := githubapptest.NewServer(t)
	gh.AddRepository(githubapptest.Repository{
		Owner: "acme", Name: "shop",
		History: []githubapptest.Commit{{SHA: shaOld, Message: "Release 1.0", Author: "jun"},
			{SHA: shaGood, Message: "Fix the checkout", Author: "minji"}, {SHA: shaBad, Message: "New cart", Author: "octocat"}},
		Refs:      map[string]string{"main": shaBad, "v1.0.0": shaOld, "v1.1.0": shaGood, "v1.2.0": shaBad},
		Workflows: []githubapptest.Workflow{{Name: "Deploy", Path: ".github/workflows/deploy.yml", RunName: githubapptest.DeployRunName("github-actions")}},
		Runs:      runs,
		NextRunID: 1000,
	})
	for _, d := range deps {
		at := requestedAt.Add(-d.age)
		stored := gh.AddDeployment("acme", "shop", githubapptest.Deployment{SHA: d.sha, Ref: "main", Environment: d.environment, CreatedAt: at})
		for i, st := range d.states {
			logURL := ""
			if d.run != 0 {
				logURL = fmt.Sprintf("https://github.com/acme/shop/actions/runs/%d/job/%d", d.run, d.run+1)
			}
			gh.AddDeploymentStatus("acme", "shop", stored.ID, githubapptest.DeploymentStatus{State: st, LogURL: logURL, CreatedAt: at.Add(time.Duration(i+1) * time.Minute)})
		}
	}
	app, err := githubapp.New(githubapp.Options{AppID: gh.AppID, BaseURL: gh.URL, PrivateKeyPEM: gh.PrivateKeyPEM()})
	if err != nil {
		t.Fatal(err)
	}
	s := testService(&entries{})
	s.GitHub, s.Repository = app, "acme/shop"
	return gh, s
}

// rollbackRequest is /rollback environment:env [to:to] by the requester.
func rollbackRequest(env, to string) command.Request {
	opts := []string{"environment", env}
	if to != "" {
		opts = append(opts, "to", to)
	}
	return slash("rollback", member(requester, roleID), opts...)
}

// rollbackTo is the commit the rollback card of req proposes and its changes, or the refusal.
func rollbackTo(t *testing.T, s *Service, req command.Request) (sha, changes string, err error) {
	t.Helper()
	msg, err := s.requestWork(t.Context(), KindRollback, req)
	if err != nil {
		return "", "", err
	}
	en := english()
	p, err := Read(en.Catalog, KindRollback, &msg, msg.Components[0].Components[0].CustomID)
	if err != nil {
		t.Fatalf("the card does not read back: %v", err)
	}
	return p.SHA, en.Field(msg.Embeds[0], fieldChanges), nil
}

// success, failure... are the statuses GitHub gives the deployment of an Actions job.
var (
	success  = []string{"queued", "in_progress", "success"}
	failure  = []string{"queued", "in_progress", "failure"}
	errorEnd = []string{"queued", "error"}
	started  = []string{"queued", "in_progress"}
)

// TestRollbackRules drives the rollback rules of issue 16 against GitHub's deployments: after
// a failed, errored or stuck deploy, the last good commit; after a successful one, the newest
// earlier successful deploy of another commit; a history with deployments only (no run of
// the suite's run-name); and the run-name only where there are no deployments.
func TestRollbackRules(t *testing.T) {
	t.Parallel()
	suiteRun := func(id int64, title, sha, conclusion string, age time.Duration) githubapptest.Run {
		return githubapptest.Run{ID: id, DisplayTitle: title, HeadBranch: "main", HeadSHA: sha, Event: "workflow_dispatch",
			Status: "completed", Conclusion: conclusion, CreatedAt: requestedAt.Add(-age)}
	}
	tests := []struct {
		name    string
		runs    []githubapptest.Run
		deps    []deployment
		want    string // the commit proposed
		changes string // the start of the card's changes
		refusal string // the start of the refusal, instead
	}{
		{name: "latest failed: the last good commit, not the one before it",
			deps: []deployment{{"dev", shaOld, 3 * time.Hour, 901, success}, {"dev", shaGood, 2 * time.Hour, 902, success}, {"dev", shaBad, time.Hour, 903, failure}},
			want: shaGood, changes: "The latest deploy of dev, `5ca1ab1` ([run](https://github.com/acme/shop/actions/runs/903/job/904)), failed; this deploys `c0ffee1` again, from the last successful deploy"},
		{name: "latest errored",
			deps: []deployment{{"dev", shaOld, 3 * time.Hour, 0, success}, {"dev", shaGood, 2 * time.Hour, 0, success}, {"dev", shaBad, time.Hour, 0, errorEnd}},
			want: shaGood, changes: "The latest deploy of dev, `5ca1ab1` ([run](http://127.0.0.1"},
		{name: "latest stuck in progress",
			deps: []deployment{{"dev", shaGood, 3 * time.Hour, 0, success}, {"dev", shaBad, 2 * time.Hour, 0, started}},
			want: shaGood, changes: "The latest deploy of dev, `5ca1ab1`"},
		{name: "latest still in progress",
			deps:    []deployment{{"dev", shaGood, 3 * time.Hour, 0, success}, {"dev", shaBad, 10 * time.Minute, 0, started}},
			refusal: "`dev` is being deployed right now: `5ca1ab1` is `in_progress`"},
		{name: "latest failed on the commit that ran: deploy it again",
			deps: []deployment{{"dev", shaOld, 3 * time.Hour, 0, success}, {"dev", shaGood, 2 * time.Hour, 0, success}, {"dev", shaGood, time.Hour, 0, failure}},
			want: shaGood, changes: "The latest deploy of dev, `c0ffee1`"},
		{name: "latest succeeded: the earlier successful deploy",
			deps: []deployment{{"dev", shaOld, 3 * time.Hour, 0, success}, {"dev", shaGood, 2 * time.Hour, 0, success}, {"dev", shaBad, time.Hour, 0, success}},
			want: shaGood, changes: "dev runs `5ca1ab1` now"},
		{name: "latest succeeded: skips redeploys of the same commit and failures",
			deps: []deployment{{"dev", shaOld, 4 * time.Hour, 0, success}, {"dev", shaGood, 3 * time.Hour, 0, failure},
				{"dev", shaBad, 2 * time.Hour, 0, success}, {"dev", shaBad, time.Hour, 0, success}},
			want: shaOld, changes: "dev runs `5ca1ab1` now"},
		{name: "other environments do not count",
			deps: []deployment{{"dev", shaOld, 4 * time.Hour, 0, success}, {"prod", shaGood, 3 * time.Hour, 0, success}, {"dev", shaBad, 2 * time.Hour, 0, success}},
			want: shaOld, changes: "dev runs `5ca1ab1` now"},
		{name: "deployments only: runs of another workflow shape, no suite run-name",
			runs: []githubapptest.Run{suiteRun(950, "Merge pull request #12 from acme/cart", shaBad, "failure", time.Hour), suiteRun(949, "Fix the checkout", shaGood, "success", 2*time.Hour)},
			deps: []deployment{{"dev", shaGood, 2 * time.Hour, 949, success}, {"dev", shaBad, time.Hour, 950, failure}},
			want: shaGood, changes: "The latest deploy of dev, `5ca1ab1` ([run](https://github.com/acme/shop/actions/runs/950/job/951)), failed"},
		{name: "deployments win over the run-name",
			runs: []githubapptest.Run{suiteRun(960, "Deploy dev by jun [manual]", shaOld, "success", 30*time.Minute)},
			deps: []deployment{{"dev", shaGood, 2 * time.Hour, 0, success}, {"dev", shaBad, time.Hour, 0, failure}},
			want: shaGood, changes: "The latest deploy of dev, `5ca1ab1`"},
		{name: "a rollback's deployment counts as the commit its run-name names",
			runs: []githubapptest.Run{suiteRun(970, "Deploy dev by jun [1-2] @"+shaGood, shaBad, "success", time.Hour)},
			deps: []deployment{{"dev", shaGood, 3 * time.Hour, 0, success}, {"dev", shaBad, 2 * time.Hour, 0, success}, {"dev", shaBad, time.Hour, 970, success}},
			want: shaBad, changes: "dev runs `c0ffee1` now"},
		{name: "no deployments: the run-name, failures included",
			runs: []githubapptest.Run{suiteRun(982, "Deploy dev by jun [manual]", shaBad, "failure", time.Hour),
				suiteRun(981, "Deploy dev by jun [manual]", shaGood, "success", 2*time.Hour), suiteRun(980, "Deploy dev by jun [manual]", shaOld, "success", 3*time.Hour)},
			want: shaGood, changes: "The latest deploy of dev, `5ca1ab1` ([run](https://github.com/acme/shop/actions/runs/982)), failed"},
		{name: "nothing ever succeeded",
			deps:    []deployment{{"dev", shaBad, time.Hour, 0, failure}},
			refusal: "No successful deploy of `dev` yet among its last 30 deployments on GitHub"},
		{name: "one commit only",
			deps:    []deployment{{"dev", shaGood, 2 * time.Hour, 0, success}, {"dev", shaGood, time.Hour, 0, success}},
			refusal: "No earlier successful deploy of `dev` to roll back to: its last 30 deployments on GitHub all deployed `c0ffee1`."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, s := rollbackGitHub(t, tt.runs, tt.deps...)
			sha, changes, err := rollbackTo(t, s, rollbackRequest("dev", ""))
			if tt.refusal != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.refusal) {
					t.Fatalf("got %s (%q), error %v, want the refusal %q", short(sha), changes, err, tt.refusal)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sha != tt.want || !strings.HasPrefix(changes, tt.changes) {
				t.Errorf("proposes %s with changes %q, want %s with changes starting %q", short(sha), changes, short(tt.want), tt.changes)
			}
		})
	}
	t.Run("takes out what ran after the target", func(t *testing.T) {
		t.Parallel()
		_, s := rollbackGitHub(t, nil, deployment{"dev", shaOld, 3 * time.Hour, 0, success}, deployment{"dev", shaBad, time.Hour, 0, success})
		_, changes, err := rollbackTo(t, s, rollbackRequest("dev", ""))
		if err != nil {
			t.Fatal(err)
		}
		if want := "Takes out 2 commit(s):\n"; !strings.Contains(changes, want) || !strings.Contains(changes, "Fix the checkout") || !strings.Contains(changes, "New cart") {
			t.Errorf("changes %q, want %q and both commits", changes, want)
		}
	})
}

// TestRollbackTo checks /rollback to:, which picks any earlier successful deploy of the
// environment by commit or tag, and refuses what never succeeded there.
func TestRollbackTo(t *testing.T) {
	t.Parallel()
	deps := []deployment{{"dev", shaOld, 4 * time.Hour, 0, success}, {"prod", shaGood, 3 * time.Hour, 0, success},
		{"dev", shaGood, 3 * time.Hour, 0, failure}, {"dev", shaBad, time.Hour, 0, success}}
	tests := []struct {
		to, want, refusal string
	}{
		{to: "b0a710a", want: shaOld},
		{to: shaOld, want: shaOld},
		{to: "v1.0.0", want: shaOld},
		{to: "v1.1.0", refusal: "`v1.1.0` (`c0ffee1`) never deployed successfully to `dev` among its last 30 deploys"},
		{to: "c0ffee1", refusal: "`c0ffee1` (`c0ffee1`) never deployed successfully to `dev`"},
		{to: "v1.2.0", refusal: "`dev` already runs `5ca1ab1`"},
		{to: "nope", refusal: "There is no branch or tag `nope` in acme/shop."},
		{to: "my tag", refusal: "`my tag` is not a commit or tag name."},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			t.Parallel()
			_, s := rollbackGitHub(t, nil, deps...)
			sha, _, err := rollbackTo(t, s, rollbackRequest("dev", tt.to))
			switch {
			case tt.refusal != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.refusal)):
				t.Errorf("to:%s gives %s, error %v, want the refusal %q", tt.to, short(sha), err, tt.refusal)
			case tt.refusal == "" && (err != nil || sha != tt.want):
				t.Errorf("to:%s gives %s, error %v, want %s", tt.to, short(sha), err, short(tt.want))
			}
		})
	}
}

// TestDeployCardRunsNow checks that the /deploy card compares with the commit GitHub's
// deployments say runs now: the last successful one, not a failed one after it.
func TestDeployCardRunsNow(t *testing.T) {
	t.Parallel()
	_, s := rollbackGitHub(t, nil, deployment{"prod", shaOld, 3 * time.Hour, 0, success}, deployment{"prod", shaGood, 2 * time.Hour, 0, failure})
	msg, err := s.requestWork(t.Context(), KindDeploy, slash("deploy", member(requester, roleID), "environment", "prod", "ref", "v1.2.0"))
	if err != nil {
		t.Fatal(err)
	}
	// From b0a710a, c0ffee1 is new too: it never ran successfully.
	if got, want := english().Field(msg.Embeds[0], fieldChanges), "`5ca1ab1` New cart · octocat\n`c0ffee1` Fix the checkout · minji"; got != want {
		t.Errorf("changes %q, want %q: counted from b0a710a", got, want)
	}
	_, s = rollbackGitHub(t, nil)
	msg, err = s.requestWork(t.Context(), KindDeploy, slash("deploy", member(requester, roleID), "environment", "prod"))
	if err != nil {
		t.Fatal(err)
	}
	if got := english().Field(msg.Embeds[0], fieldChanges); !strings.HasPrefix(got, "First deploy of `prod` by this workflow") {
		t.Errorf("changes without deployments or runs %q", got)
	}
}

// autocomplete is an autocomplete of /rollback's to by m, in locale, typing typed.
func autocomplete(m *discord.Member, locale, env, typed string) command.Request {
	opt := func(name, v string, focused bool) discord.CommandOption {
		raw, _ := json.Marshal(v)
		return discord.CommandOption{Name: name, Type: discord.OptionString, Value: raw, Focused: focused}
	}
	return command.Request{Interaction: discord.Interaction{Type: discord.InteractionAutocomplete, GuildID: "g", Member: m, Locale: locale,
		Command: &discord.CommandData{Name: "rollback", Options: []discord.CommandOption{opt("environment", env, false), opt("to", typed, true)}}},
		Received: requestedAt, RequestID: "req-3", Texts: catalog()}
}

// TestRollbackChoices checks /rollback's autocomplete: it answers from the state table, with
// what the last card that read the environment's history kept, for choicesTTL.
func TestRollbackChoices(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	clock := statetest.NewClock(requestedAt)
	gh, s := rollbackGitHub(t, nil, deployment{"dev", shaOld, 3 * time.Hour, 0, success}, deployment{"dev", shaGood, 2 * time.Hour, 0, success},
		deployment{"dev", shaGood, 90 * time.Minute, 0, success}, deployment{"dev", shaBad, time.Hour, 0, failure})
	s.Cache = statetest.New(t, moto, clock.Now)
	names := func(cs []discord.Choice) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name+" = "+c.Value.(string)[:7])
		}
		return out
	}
	if got := s.RollbackChoices(t.Context(), autocomplete(member(requester, roleID), "en-US", "dev", "")); len(got) != 0 {
		t.Errorf("choices before any card read the history: %q", names(got))
	}
	if _, _, err := rollbackTo(t, s, rollbackRequest("dev", "")); err != nil {
		t.Fatal(err)
	}
	calls := len(gh.Requests())
	tests := []struct {
		name               string
		m                  *discord.Member
		locale, env, typed string
		want               []string
	}{
		{"everything", member(requester, roleID), "en-US", "dev", "",
			[]string{"c0ffee1 (main), deployed 1 hour ago = c0ffee1", "b0a710a (main), deployed 3 hours ago = b0a710a"}},
		{"a commit's start", member(requester, roleID), "en-US", "dev", "B0A", []string{"b0a710a (main), deployed 3 hours ago = b0a710a"}},
		{"a ref", member(requester, roleID), "en-US", "dev", "mai", []string{"c0ffee1 (main), deployed 1 hour ago = c0ffee1", "b0a710a (main), deployed 3 hours ago = b0a710a"}},
		{"no match", member(requester, roleID), "en-US", "dev", "5ca", nil},
		{"in Korean", member(approver, roleID), "ko", "dev", "c0f", []string{"c0ffee1 (main), 1시간 전 배포 = c0ffee1"}},
		{"an environment no card read", member(requester, roleID), "en-US", "prod", "", nil},
		{"a member who may not roll back", member(guest), "en-US", "dev", "", nil},
	}
	for _, tt := range tests {
		got := s.RollbackChoices(t.Context(), autocomplete(tt.m, tt.locale, tt.env, tt.typed))
		if diff := cmp.Diff(tt.want, names(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if n := len(gh.Requests()); n != calls {
		t.Errorf("autocomplete called GitHub %d times", n-calls)
	}
	clock.Advance(choicesTTL + time.Second)
	if got := s.RollbackChoices(t.Context(), autocomplete(member(requester, roleID), "en-US", "dev", "")); len(got) != 0 {
		t.Errorf("choices after %s: %q", choicesTTL, names(got))
	}
}

// TestRollbackGolden shows the rollback messages of issue 16 in English and Korean: the card
// after a failed deploy, the refusals, and the autocomplete choices.
func TestRollbackGolden(t *testing.T) {
	t.Parallel()
	moto := mototest.Start(t)
	for _, lang := range i18n.Languages() {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			in := func(r command.Request) command.Request {
				r.Language, r.Interaction.Locale = lang, string(lang)
				return r
			}
			good := []deployment{{"dev", shaOld, 3 * time.Hour, 901, success}, {"dev", shaGood, 2 * time.Hour, 902, success}}
			_, s := rollbackGitHub(t, nil, append(good, deployment{"dev", shaBad, time.Hour, 903, failure})...)
			s.Cache = statetest.New(t, moto, nil)
			card, err := s.requestWork(t.Context(), KindRollback, in(rollbackRequest("dev", "")))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "rollback-after-failure", lang, card)
			golden(t, "rollback-choices", lang, s.RollbackChoices(t.Context(), in(autocomplete(member(requester, roleID), string(lang), "dev", ""))))

			refusals := map[string]string{}
			refuse := func(name string, s *Service, req command.Request) {
				if _, err := s.requestWork(t.Context(), KindRollback, in(req)); err != nil {
					refusals[name] = err.Error()
				}
			}
			_, stuck := rollbackGitHub(t, nil, append(good, deployment{"dev", shaBad, 10 * time.Minute, 903, started})...)
			refuse("in progress", stuck, rollbackRequest("dev", ""))
			_, failedOnly := rollbackGitHub(t, nil, deployment{"dev", shaBad, time.Hour, 903, failure})
			refuse("none", failedOnly, rollbackRequest("dev", ""))
			_, once := rollbackGitHub(t, nil, deployment{"dev", shaBad, time.Hour, 903, success})
			refuse("no earlier", once, rollbackRequest("dev", ""))
			refuse("to never succeeded", s, rollbackRequest("dev", "v1.2.0"))
			refuse("to the current", once, rollbackRequest("dev", "v1.2.0"))
			refuse("to not a name", s, rollbackRequest("dev", "my tag"))
			golden(t, "rollback-refusals", lang, refusals)
		})
	}
}
