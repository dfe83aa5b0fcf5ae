package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/people"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/subscription"
)

const (
	appChannel   = "1100000000000000011" // REPO_CHANNELS octo/app
	libChannel   = "1100000000000000012" // REPO_CHANNELS octo/lib
	subChannel   = "1100000000000000013" // subscribed to octo/app (/subscribe)
	issueChannel = "1100000000000000014" // subscribed to octo/lib's issues only
	aliceID      = "1200000000000000001" // alice's linked Discord account
)

// seoul is the team's zone of the reminder tests.
func seoul(t *testing.T) *time.Location {
	t.Helper()
	return zone(t, "Asia/Seoul")
}

// monday10 is 10:00 on Monday 6 May 2024 in Seoul (01:00 UTC), the schedule's time.
func monday10(t *testing.T) time.Time { return time.Date(2024, 5, 6, 10, 0, 0, 0, seoul(t)) }

// reminderEnv is a test env whose GitHub has two repositories with pull requests of every kind
// the reminder tells apart, opened relative to now.
func reminderEnv(t *testing.T, lang i18n.Language, now time.Time) (*testEnv, *githubapptest.Server) {
	t.Helper()
	e := newTestEnv(t, func(c *config) {
		c.Language = lang
		c.RepoChannels = map[string]string{"octo/app": appChannel, "octo/lib": libChannel}
		c.Reminders = reminderConfig{AppID: githubapptest.AppID, Location: seoul(t), Threshold: 24 * time.Hour}
	})
	gh := githubapptest.NewServer(t)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	day := 24 * time.Hour
	gh.AddRepository(githubapptest.Repository{Owner: "octo", Name: "app", Pulls: []githubapptest.PullRequest{
		{Number: 1, Title: "Retry *webhooks* on 5xx", Author: "dana", CreatedAt: ago(3 * day), RequestedReviewers: []string{"Alice", "bob"}},
		{Number: 2, Title: "Draft: new cache", Author: "dana", Draft: true, CreatedAt: ago(5 * day), RequestedReviewers: []string{"bob"}},
		{Number: 3, Title: "Fresh", Author: "erin", CreatedAt: ago(2 * time.Hour), RequestedReviewers: []string{"bob"}},
		{Number: 4, Title: "Reviewed already", Author: "erin", CreatedAt: ago(4 * day)},
		{Number: 5, Title: "Team review", Author: "erin", CreatedAt: ago(30 * time.Hour), RequestedTeams: []string{"platform"}},
		{Number: 6, Title: "Closed", Author: "erin", State: "closed", CreatedAt: ago(9 * day), RequestedReviewers: []string{"bob"}},
	}})
	gh.AddRepository(githubapptest.Repository{Owner: "octo", Name: "lib", Pulls: []githubapptest.PullRequest{
		{Number: 7, Title: "Bump go-github", Author: "dependabot[bot]", CreatedAt: ago(2 * day), RequestedReviewers: []string{"carol"}},
	}})
	gh.Uninstall("octo", "uninstalled")
	e.secrets.values[secrets.GitHubPrivateKey] = string(gh.PrivateKeyPEM())
	app := &lazyApp{secrets: e.secrets, opts: githubapp.Options{AppID: githubapptest.AppID, BaseURL: gh.URL}}
	e.h.pulls = app.pullRequests
	e.h.reminders = e.table
	// alice linked her GitHub account (/link): the reminder mentions her; the others by login.
	links := people.Store{Table: e.table}
	if err := links.Put(context.Background(), people.Link{DiscordID: aliceID, Login: "alice", Verified: true}); err != nil {
		t.Fatal(err)
	}
	e.h.people = links.Mentions
	store := subscription.Store{Table: e.table}
	for _, s := range []subscription.Subscription{
		{Repo: "octo/app", ChannelID: subChannel},
		// Repositories the reminder cannot list: the App uninstalled, and a name GitHub does not know.
		{Repo: "octo/uninstalled", ChannelID: subChannel},
		{Repo: "octo/unknown", ChannelID: subChannel},
		{Repo: "octo/lib", ChannelID: issueChannel, Filter: subscription.Filter{Events: subscription.EventsIssues}},
	} {
		if err := store.Put(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	return e, gh
}

// createdBodies are the messages the handler asked Discord to create in channel, as sent.
func createdBodies(e *testEnv, channel string) [][]byte {
	var out [][]byte
	for _, r := range e.discord.Requests() {
		if r.Method == http.MethodPost && r.ChannelID == channel && strings.HasSuffix(r.Path, "/messages") {
			out = append(out, r.Body)
		}
	}
	return out
}

// TestReminderWeekday: on a weekday at the schedule's time, each channel with waiting pull
// requests gets one message listing them, in both languages; a second invocation that day
// posts nothing more.
func TestReminderWeekday(t *testing.T) {
	t.Parallel()
	for _, lang := range []i18n.Language{"", i18n.Korean} {
		t.Run(goldenLang(lang), func(t *testing.T) {
			t.Parallel()
			now := monday10(t)
			e, gh := reminderEnv(t, lang, now)
			e.h.now = func() time.Time { return now }
			if _, err := e.h.invoke(context.Background(), json.RawMessage(`{"reminder":"reviews"}`)); err != nil {
				t.Fatalf("invoke: %v; logs:\n%s", err, e.logs)
			}
			app, lib := createdBodies(e, appChannel), createdBodies(e, libChannel)
			if len(app) != 1 || len(lib) != 1 {
				t.Fatalf("posts: %d in the app channel, %d in the lib channel, want 1 each; logs:\n%s", len(app), len(lib), e.logs)
			}
			golden(t, goldenName("reminder.app", lang), app[0])
			golden(t, goldenName("reminder.lib", lang), lib[0])
			for _, c := range []string{appChannel, libChannel} {
				if got := e.discord.Created(c)[0].Content; strings.Contains(got, "[remind.") {
					t.Errorf("channel %s: a message id left unprinted: %q", c, got)
				}
			}
			sub := e.discord.Created(subChannel)
			if len(sub) != 1 || sub[0].Content != e.discord.Created(appChannel)[0].Content {
				t.Errorf("subscribed channel: %d messages %+v, want the app channel's list", len(sub), sub)
			}
			for _, repo := range []string{"octo/uninstalled", "octo/unknown"} {
				if !strings.Contains(e.logs.String(), `"msg":"repository left out of the reminder","event":"review_reminder","repository":"`+repo+`"`) {
					t.Errorf("no WARN leaving out %s; logs:\n%s", repo, e.logs)
				}
			}
			if n := len(e.discord.Created(issueChannel)); n != 0 {
				t.Errorf("issues-only channel: %d messages, want none", n)
			}
			lists := gh.Count("GET /repos/octo/app/pulls")
			if lists != 1 {
				t.Errorf("octo/app listed %d times, want once per run", lists)
			}

			if _, err := e.h.invoke(context.Background(), json.RawMessage(`{"reminder":"reviews"}`)); err != nil {
				t.Fatalf("second invoke: %v", err)
			}
			for _, c := range []string{appChannel, libChannel, subChannel} {
				if n := len(createdBodies(e, c)); n != 1 {
					t.Errorf("channel %s after a second invocation: %d posts, want still 1", c, n)
				}
			}
		})
	}
}

// TestReminderWeekend: on Saturday and Sunday in the team's zone nothing is listed or posted,
// even when UTC is still Friday.
func TestReminderWeekend(t *testing.T) {
	t.Parallel()
	for _, now := range []time.Time{
		time.Date(2024, 5, 4, 10, 0, 0, 0, seoul(t)), // Saturday
		time.Date(2024, 5, 5, 10, 0, 0, 0, seoul(t)), // Sunday
		time.Date(2024, 5, 4, 8, 0, 0, 0, seoul(t)),  // Saturday 08:00, Friday 23:00 UTC
	} {
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			e, gh := reminderEnv(t, "", now)
			if err := e.h.remind(context.Background(), now); err != nil {
				t.Fatal(err)
			}
			if n := len(e.discord.Requests()); n != 0 {
				t.Errorf("%d Discord requests, want none", n)
			}
			if n := gh.Count("GET /repos/octo/app/pulls"); n != 0 {
				t.Errorf("listed pull requests %d times on a weekend", n)
			}
		})
	}
}

// TestReminderFaults: a failed post leaves that channel unclaimed and fails the invocation, so
// that the retry posts it, and only it.
func TestReminderFaults(t *testing.T) {
	t.Parallel()
	now := monday10(t)
	e, _ := reminderEnv(t, "", now)
	var failing atomic.Bool
	failing.Store(true)
	e.discord.Intercept(func(r discordtest.Request) (discordtest.Reply, bool) {
		if r.ChannelID == libChannel && failing.Load() {
			return discordtest.Error(http.StatusForbidden, 50001, "Missing Access"), true
		}
		return discordtest.Reply{}, false
	})
	if err := e.h.remind(context.Background(), now); err == nil || !strings.Contains(err.Error(), libChannel) {
		t.Fatalf("first run: err %v, want the lib channel's failure", err)
	}
	failing.Store(false)
	if err := e.h.remind(context.Background(), now); err != nil {
		t.Fatalf("retry: %v", err)
	}
	got := map[string]int{}
	for _, c := range []string{appChannel, libChannel, subChannel} {
		got[c] = len(e.discord.Created(c))
	}
	want := map[string]int{appChannel: 1, libChannel: 1, subChannel: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages per channel (-want +got):\n%s", diff)
	}
}

// TestInvokeRoutes: the Lambda entry point hands an API Gateway request to handle and the
// reminder's event to remind; another scheduled event is an error.
func TestInvokeRoutes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	got, err := e.h.invoke(context.Background(), json.RawMessage(`{"version":"2.0","rawPath":"/github","body":"{}","headers":{"x-github-event":"ping"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, ok := got.(events.APIGatewayV2HTTPResponse)
	if !ok || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned ping through invoke: %#v, want handle's 401", got)
	}
	if _, err := e.h.invoke(context.Background(), json.RawMessage(`{"reminder":"standup"}`)); err == nil || !strings.Contains(err.Error(), `"standup"`) {
		t.Errorf("unknown reminder: err %v", err)
	}
	// Not configured (no GitHub App): the reminder fails rather than posting nothing silently.
	e.h.now = func() time.Time { return monday10(t) }
	if _, err := e.h.invoke(context.Background(), json.RawMessage(`{"reminder":"reviews"}`)); err == nil {
		t.Error("reminder without a GitHub App: no error")
	}
}

// TestReminderClaimWithoutMessage: an invocation that claimed a channel and stopped before it
// recorded its message (a timeout) leaves a claim without a message id; the retry posts under
// the same nonce, so the channel ends with one message whether or not the first post was made.
func TestReminderClaimWithoutMessage(t *testing.T) {
	t.Parallel()
	for _, firstPosted := range []bool{false, true} {
		t.Run(fmt.Sprint("first posted ", firstPosted), func(t *testing.T) {
			t.Parallel()
			now := monday10(t)
			e, _ := reminderEnv(t, "", now)
			day := now.Format(time.DateOnly)
			if firstPosted {
				if err := e.h.remind(context.Background(), now); err != nil {
					t.Fatal(err)
				}
				// Forget the recorded message id, as if the first run stopped right after posting.
				if err := e.table.Put(context.Background(), reminderKey(libChannel, day), reminderClaimTTL, reminderClaim{}); err != nil {
					t.Fatal(err)
				}
			} else if err := e.table.Claim(context.Background(), reminderKey(libChannel, day), reminderClaimTTL, nil); err != nil {
				t.Fatal(err)
			}
			if err := e.h.remind(context.Background(), now); err != nil {
				t.Fatal(err)
			}
			if n := len(e.discord.Created(libChannel)); n != 1 {
				t.Errorf("%d messages in the channel, want 1; logs:\n%s", n, e.logs)
			}
			// The message is recorded now: a third run posts nothing, not even to Discord.
			before := len(createdBodies(e, libChannel))
			if err := e.h.remind(context.Background(), now); err != nil {
				t.Fatal(err)
			}
			if n := len(createdBodies(e, libChannel)); n != before {
				t.Errorf("third run: %d posts, want %d", n, before)
			}
		})
	}
}
