package main

import (
	"context"
	"fmt"
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
func (d *cardDiscord) addStatusEmbed(run githubapptest.Run) {
	t, ok := deployrun.ParseTitle(run.DisplayTitle)
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
