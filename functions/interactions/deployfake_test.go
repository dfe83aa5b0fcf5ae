package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// The repository the deploy tests deploy, its commits, and the runs of its deploy workflow.
const (
	shaMain   = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3" // main's tip
	shaTag    = "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4" // v1.4.2
	shaProd   = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2" // what prod runs
	shaBefore = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" // what prod ran before
)

// fakeRun is a run of the deploy workflow as the fake lists it.
type fakeRun struct {
	ID         int64     `json:"id"`
	Title      string    `json:"display_title"`
	HeadSHA    string    `json:"head_sha"`
	Event      string    `json:"event"`
	Status     string    `json:"status"`
	Conclusion string    `json:"conclusion,omitempty"`
	HTMLURL    string    `json:"html_url"`
	CreatedAt  time.Time `json:"created_at"`
}

// dispatchRecord is one dispatch request the fake received.
type dispatchRecord struct {
	Ref              string            `json:"ref"`
	Inputs           map[string]string `json:"inputs"`
	ReturnRunDetails *bool             `json:"return_run_details"`
}

// fakeDeployGitHub is the GitHub of the deploy tests: a repository acme/shop with the
// workflow deploy.yml, behind githubapptest's App authentication.
type fakeDeployGitHub struct {
	*githubapptest.Server
	// dispatchAnswer, when set, answers dispatch n (from 0) instead of the default 200 with
	// run details; return 0 to fall through to the default.
	dispatchAnswer func(n int, w http.ResponseWriter, body dispatchRecord) int
	// onDispatch runs after a run is created, as GitHub would tell deploy-notify.
	onDispatch func(run fakeRun)

	mu         sync.Mutex
	runs       []fakeRun // newest first
	dispatches []dispatchRecord
	assignable map[string]bool // logins with access, for /assign
	assignees  map[int][]string
	now        func() time.Time
}

func newFakeDeployGitHub(t *testing.T, now func() time.Time) *fakeDeployGitHub {
	t.Helper()
	g := &fakeDeployGitHub{Server: githubapptest.NewServer(t), now: now,
		assignable: map[string]bool{"octocat": true}, assignees: map[int][]string{}}
	g.runs = []fakeRun{
		{ID: 903, Title: "Deploy dev by minji [manual]", HeadSHA: shaMain, Event: "workflow_dispatch", Status: "completed", Conclusion: "success"},
		{ID: 902, Title: "Deploy prod by minji [1100000000000000002-1300000000000000050]", HeadSHA: shaProd, Event: "workflow_dispatch", Status: "completed", Conclusion: "success"},
		{ID: 901, Title: "Deploy prod by jun [manual]", HeadSHA: shaProd, Event: "workflow_dispatch", Status: "completed", Conclusion: "success"},
		{ID: 900, Title: "Deploy prod by jun [manual]", HeadSHA: shaBefore, Event: "workflow_dispatch", Status: "completed", Conclusion: "success"},
	}
	for i := range g.runs {
		g.runs[i].HTMLURL = fmt.Sprintf("https://github.com/acme/shop/actions/runs/%d", g.runs[i].ID)
		g.runs[i].CreatedAt = now().Add(-time.Duration(i+1) * time.Hour)
	}
	g.handle("GET /repos/{owner}/{repo}", func(w http.ResponseWriter, r *http.Request) {
		writeGitHub(w, http.StatusOK, map[string]any{"full_name": "acme/shop", "default_branch": "main"})
	})
	g.handle("GET /repos/{owner}/{repo}/commits/{ref...}", func(w http.ResponseWriter, r *http.Request) {
		sha, ok := map[string]string{"main": shaMain, "v1.4.2": shaTag}[r.PathValue("ref")]
		if !ok {
			writeGitHub(w, http.StatusUnprocessableEntity, map[string]string{"message": "No commit found for SHA: " + r.PathValue("ref")})
			return
		}
		_, _ = io.WriteString(w, sha)
	})
	g.handle("GET /repos/{owner}/{repo}/compare/{basehead...}", func(w http.ResponseWriter, r *http.Request) {
		commits := []map[string]any{}
		for i := range 12 {
			commits = append(commits, map[string]any{"sha": fmt.Sprintf("%040d", i+1),
				"commit": map[string]any{"message": fmt.Sprintf("Change %d\n\nbody", i+1), "author": map[string]string{"name": "Dev"}},
				"author": map[string]string{"login": "octocat"}})
		}
		writeGitHub(w, http.StatusOK, map[string]any{"status": "ahead", "ahead_by": 12, "behind_by": 0, "total_commits": 12, "commits": commits})
	})
	g.handle("GET /repos/{owner}/{repo}/actions/workflows/deploy.yml/runs", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		g.mu.Lock()
		defer g.mu.Unlock()
		var out []fakeRun
		for _, run := range g.runs {
			if (q.Get("status") == "" || q.Get("status") == run.Conclusion) && (q.Get("event") == "" || q.Get("event") == run.Event) {
				out = append(out, run)
			}
		}
		writeGitHub(w, http.StatusOK, map[string]any{"total_count": len(out), "workflow_runs": out})
	})
	g.handle("POST /repos/{owner}/{repo}/actions/workflows/deploy.yml/dispatches", func(w http.ResponseWriter, r *http.Request) {
		var body dispatchRecord
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("dispatch body: %v", err)
		}
		g.mu.Lock()
		n := len(g.dispatches)
		g.dispatches = append(g.dispatches, body)
		answer := g.dispatchAnswer
		g.mu.Unlock()
		status := 0
		if answer != nil {
			if status = answer(n, w, body); status >= 400 {
				return
			}
		}
		run := fakeRun{ID: 1000 + int64(n), HeadSHA: shaMain, Event: "workflow_dispatch", Status: "queued", CreatedAt: g.now(),
			Title: fmt.Sprintf("Deploy %s by %s [%s]", body.Inputs["environment"], body.Inputs["requested_by"], body.Inputs["correlation_id"])}
		run.HTMLURL = fmt.Sprintf("https://github.com/acme/shop/actions/runs/%d", run.ID)
		g.mu.Lock()
		g.runs = append([]fakeRun{run}, g.runs...)
		g.mu.Unlock()
		if g.onDispatch != nil {
			g.onDispatch(run)
		}
		if status == http.StatusNoContent || body.ReturnRunDetails == nil || !*body.ReturnRunDetails {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeGitHub(w, http.StatusOK, map[string]any{"workflow_run_id": run.ID,
			"run_url": fmt.Sprintf("https://api.github.com/repos/acme/shop/actions/runs/%d", run.ID), "html_url": run.HTMLURL})
	})
	g.handle("POST /repos/{owner}/{repo}/issues/{number}/assignees", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Assignees []string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		var number int
		_, _ = fmt.Sscan(r.PathValue("number"), &number)
		if number == 404 {
			writeGitHub(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		g.mu.Lock()
		for _, a := range body.Assignees {
			if g.assignable[strings.ToLower(a)] {
				g.assignees[number] = append(g.assignees[number], strings.ToLower(a))
			}
		}
		var users []map[string]string
		for _, a := range g.assignees[number] {
			users = append(users, map[string]string{"login": a})
		}
		g.mu.Unlock()
		writeGitHub(w, http.StatusCreated, map[string]any{"number": number, "assignees": users})
	})
	return g
}

// handle registers h behind the installation-token check, so every call is shown to be made as
// the App's installation on the repository.
func (g *fakeDeployGitHub) handle(pattern string, h http.HandlerFunc) {
	g.Handle(pattern, g.RequireInstallation(h))
}

func (g *fakeDeployGitHub) Dispatches() []dispatchRecord {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]dispatchRecord(nil), g.dispatches...)
}

func writeGitHub(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// cardDiscord is the Discord of the deploy tests: discordtest's, where the messages that
// interaction answers create are the cards, read (GET @original) and edited (PATCH @original)
// through the interaction webhook. A click's token is tied to the message its button is on,
// as Discord ties it.
type cardDiscord struct{ *discordtest.Server }

func newCardDiscord(t *testing.T) *cardDiscord {
	return &cardDiscord{discordtest.NewServer(t, discordtest.Options{AppID: testAppID})}
}

// card returns the message id as Discord holds it.
func (d *cardDiscord) card(id string) discord.Message {
	m, _ := d.Message(id)
	return m
}

// addStatusEmbed puts deploy-notify's status embed on the card of run, as deploy-notify does
// when GitHub reports the run.
func (d *cardDiscord) addStatusEmbed(run fakeRun) {
	t, ok := deployrun.ParseTitle(run.Title)
	if !ok {
		return
	}
	_, messageID, ok := deployrun.ParseCorrelationID(t.CorrelationID)
	if !ok {
		return
	}
	d.Update(messageID, func(m *discord.Message) {
		m.Embeds = append(m.Embeds, discord.Embed{Title: "Deploy to prod queued", Footer: &discord.EmbedFooter{Text: fmt.Sprintf("run %d · attempt 1 · queued", run.ID)}})
	})
}

// staticSecrets serves the App's private key as SSM would.
type staticSecrets map[string]string

func (s staticSecrets) String(_ context.Context, name string) (string, error) { return s[name], nil }
