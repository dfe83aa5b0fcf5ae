package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
)

// The repository the deploy tests deploy, its commits, and the runs of its deploy workflow.
const (
	shaMain   = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3" // main's tip
	shaTag    = "0000000000000000000000000000000000000012" // v1.4.2, "Change 12": twelve changes after prod
	shaProd   = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2" // what prod runs
	shaBefore = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" // what prod ran before
)

// newFakeDeployGitHub is the GitHub of the deploy and assign tests: githubapptest's App installed
// on acme/shop, whose workflow deploy.yml carries the suite's run-name (its runs are created at
// now), and on acme/web; octocat is the one login that may be assigned issues.
func newFakeDeployGitHub(t *testing.T, now func() time.Time) *githubapptest.Server {
	t.Helper()
	g := githubapptest.NewServer(t)
	g.SetClock(now)
	history := []githubapptest.Commit{{SHA: shaBefore, Message: "Release 1.4.1", Author: "jun"}, {SHA: shaProd, Message: "Release 1.4.2", Author: "jun"}}
	for i := range 12 {
		history = append(history, githubapptest.Commit{SHA: fmt.Sprintf("%040d", i+1), Message: fmt.Sprintf("Change %d\n\nbody", i+1), Author: "octocat"})
	}
	history = append(history, githubapptest.Commit{SHA: shaMain, Message: "Change 13", Author: "octocat"})
	run := func(id int64, title, sha string, age int) githubapptest.Run {
		return githubapptest.Run{ID: id, DisplayTitle: title, HeadBranch: "main", HeadSHA: sha, Event: "workflow_dispatch",
			Status: "completed", Conclusion: "success", CreatedAt: now().Add(-time.Duration(age) * time.Hour)}
	}
	g.AddRepository(githubapptest.Repository{
		Owner: "acme", Name: "shop",
		History:   history,
		Refs:      map[string]string{"main": shaMain, "v1.4.2": shaTag},
		Workflows: []githubapptest.Workflow{{Name: "Deploy", Path: ".github/workflows/deploy.yml", RunName: githubapptest.DeployRunName("github-actions")}},
		Runs: []githubapptest.Run{
			run(903, "Deploy dev by minji [manual]", shaMain, 1),
			run(902, "Deploy prod by minji [1100000000000000002-1300000000000000050]", shaProd, 2),
			run(901, "Deploy prod by jun [manual]", shaProd, 3),
			run(900, "Deploy prod by jun [manual]", shaBefore, 4),
		},
		NextRunID:     1000,
		Assignable:    []string{"octocat"},
		MissingIssues: []int{404},
	})
	g.AddRepository(githubapptest.Repository{Owner: "acme", Name: "web", Assignable: []string{"octocat"}})
	return g
}

// cardDiscord is the Discord of the deploy tests: messages created by interaction responses,
// which the interaction webhook reads (GET @original) and edits (PATCH @original). A click's
// token is tied to the message its button is on, as Discord ties it.
type cardDiscord struct {
	mu       sync.Mutex
	messages map[string]discord.Message // by id
	byToken  map[string]string          // interaction token -> message id
	next     int
	getFails bool // GET @original answers 500
}

func newCardDiscord() *cardDiscord {
	return &cardDiscord{messages: map[string]discord.Message{}, byToken: map[string]string{}, next: 100}
}

// messageFor returns the id of the message token answers, creating it for a new token.
func (d *cardDiscord) messageFor(token string) string {
	id, ok := d.byToken[token]
	if !ok {
		d.next++
		id = fmt.Sprintf("13000000000000%05d", d.next)
		d.byToken[token] = id
		d.messages[id] = discord.Message{ID: id, ChannelID: "1100000000000000002", Timestamp: "2026-03-02T10:00:00.000000+00:00"}
	}
	return id
}

// apply changes message id as an edit with m does: set fields replace, others stay.
func (d *cardDiscord) apply(id string, m discord.Message) discord.Message {
	cur := d.messages[id]
	if m.Content != "" {
		cur.Content = m.Content
	}
	if m.Embeds != nil {
		cur.Embeds = m.Embeds
	}
	if m.Components != nil {
		cur.Components = m.Components
	}
	d.messages[id] = cur
	return cur
}

func (d *cardDiscord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(r.URL.Path, "/") // /api/v10/webhooks/{app}/{token}/messages/@original
	if len(parts) != 8 || parts[3] != "webhooks" || parts[7] != "@original" {
		http.NotFound(w, r)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	id := d.messageFor(parts[5])
	w.Header().Set("Content-Type", "application/json")
	switch r.Method {
	case http.MethodGet:
		if d.getFails {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"message": "500: Internal Server Error", "code": 0}`)
			return
		}
		_ = json.NewEncoder(w).Encode(d.messages[id])
	case http.MethodPatch:
		var m discord.Message
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(d.apply(id, m))
	default:
		http.Error(w, "method", http.StatusMethodNotAllowed)
	}
}

// card returns the message id as Discord holds it.
func (d *cardDiscord) card(id string) discord.Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.messages[id]
}

// addStatusEmbed puts deploy-notify's status embed on the card of run, as deploy-notify does
// when GitHub reports the run.
func (d *cardDiscord) addStatusEmbed(run githubapptest.Run) {
	t, ok := deployrun.ParseTitle(run.DisplayTitle)
	if !ok {
		return
	}
	_, messageID, ok := deployrun.ParseCorrelationID(t.CorrelationID)
	if !ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	cur := d.messages[messageID]
	cur.Embeds = append(cur.Embeds, discord.Embed{Title: "Deploy to prod queued", Footer: &discord.EmbedFooter{Text: fmt.Sprintf("run %d · attempt 1 · queued", run.ID)}})
	d.messages[messageID] = cur
}

func startCardDiscord(t *testing.T, d *cardDiscord) string {
	t.Helper()
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v10"
}

// staticSecrets serves the App's private key as SSM would.
type staticSecrets map[string]string

func (s staticSecrets) String(_ context.Context, name string) (string, error) { return s[name], nil }
