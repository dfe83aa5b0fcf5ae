package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/feed"
	"github.com/discord-chatops/chatops/functions/github-webhook/internal/guard"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/people"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/google/go-cmp/cmp"
)

// lifeStep is one delivery of a pull request's life.
type lifeStep struct {
	event, id string
	body      []byte
}

// prLife is pull request #2's life from opened to merged, in the recorded payloads: opened,
// converted to a draft, ready for review, review requested, changes requested with a body,
// a failed check suite on the head commit, approved with a body, merged. The payloads were
// recorded apart, so their updated_at are put in order (a minute apart), as one pull
// request's deliveries would carry them (and the merge's times with them, its reviewer no
// longer requested once they reviewed); reviews and the check suite are edited from the
// recorded ones (state, body, conclusion), since octokit records one of each.
func prLife(t *testing.T) []lifeStep {
	t.Helper()
	base := time.Date(2019, 5, 15, 15, 20, 33, 0, time.UTC)
	at := func(i int) string { return base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339) }
	edit := func(raw []byte, i int, change func(p map[string]any)) []byte {
		var p map[string]any
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		if pr, ok := p["pull_request"].(map[string]any); ok && i > 0 {
			pr["updated_at"] = at(i)
		}
		if change != nil {
			change(p)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	review := func(i int, id float64, login, state, body string) func(p map[string]any) {
		return func(p map[string]any) {
			r := obj(p, "review")
			r["id"], r["state"], r["body"], r["submitted_at"] = id, state, body, at(i)
			r["html_url"] = fmt.Sprintf("https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-%.0f", id)
			obj(r, "user")["login"] = login
			// Submitting a review takes the reviewer off the requested list.
			obj(p, "pull_request")["requested_reviewers"] = []any{}
		}
	}
	id := func(i int) string { return fmt.Sprintf("0f4b1a3e-0000-4000-8000-%012d", i+1) }
	return []lifeStep{
		{"pull_request", id(0), githubapptest.Payload(t, "pull_request.opened")},
		{"pull_request", id(1), edit(githubapptest.Payload(t, "pull_request.converted_to_draft"), 1, nil)},
		{"pull_request", id(2), edit(githubapptest.Payload(t, "pull_request.ready_for_review"), 2, nil)},
		{"pull_request", id(3), edit(githubapptest.Payload(t, "pull_request.review_requested"), 3, nil)},
		{"pull_request_review", id(4), edit(githubapptest.Payload(t, "pull_request_review.submitted"), 4,
			review(4, 237895671, "octocat", "changes_requested", "Please add a test for the new section."))},
		{"check_suite", id(5), edit(githubapptest.Payload(t, "check_suite.completed"), 5, func(p map[string]any) {
			obj(p, "check_suite")["conclusion"], obj(p, "check_suite")["updated_at"] = "failure", at(5)
		})},
		{"pull_request_review", id(6), edit(githubapptest.Payload(t, "pull_request_review.submitted"), 6,
			review(6, 237895672, "octocat", "approved", "Thanks, looks good."))},
		{"pull_request", id(7), edit(githubapptest.Payload(t, "pull_request.closed.merged.derived"), 7, func(p map[string]any) {
			pr := obj(p, "pull_request")
			pr["merged_at"], pr["closed_at"], pr["requested_reviewers"] = at(7), at(7), []any{}
		})},
	}
}

// statusLine is the first line of a message's embed description: its status.
func statusLine(m discord.Message) string {
	if len(m.Embeds) == 0 {
		return ""
	}
	line, _, _ := strings.Cut(m.Embeds[0].Description, "\n")
	return line
}

// TestPullRequestLife takes a pull request from opened to merged: the channel holds one
// message, edited at each step; reviews with a body and the failed check go to one thread.
func TestPullRequestLife(t *testing.T) {
	t.Parallel()
	for _, lang := range []i18n.Language{"", i18n.Korean} {
		t.Run(string(i18n.English)+string(lang), func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, func(c *config) { c.Language = lang })
			for _, s := range prLife(t) {
				resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request())
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s %s: status %d %q; logs:\n%s", s.event, s.id, resp.StatusCode, resp.Body, e.logs.String())
				}
			}
			created := e.discord.Created(defaultChannel)
			if len(created) != 1 {
				t.Fatalf("%d messages in the channel, want 1", len(created))
			}
			msg := created[0]
			var history []string
			for _, r := range e.discord.Records() {
				if r.MessageID == msg.ID && (r.Kind == discordtest.KindCreate || r.Kind == discordtest.KindEdit) {
					history = append(history, statusLine(r.Message))
				}
			}
			want := map[i18n.Language][]string{
				"": {"**Review requested**", "**Draft**", "**Review requested**", "**Review requested**",
					"**Changes requested**", "**Changes requested**", "**Approved**", "**Merged**"},
				i18n.Korean: {"**리뷰 요청됨**", "**초안**", "**리뷰 요청됨**", "**리뷰 요청됨**",
					"**변경 요청됨**", "**변경 요청됨**", "**승인됨**", "**병합됨**"},
			}[lang]
			if diff := cmp.Diff(want, history); diff != "" {
				t.Errorf("the message's status lines, post and edits (-want +got):\n%s", diff)
			}
			threads := e.discord.Threads()
			if len(threads) != 1 || threads[msg.ID] == "" {
				t.Fatalf("threads %v, want one on message %s", threads, msg.ID)
			}
			if n := len(recordsOf(e.discord, discordtest.KindThread)); n != 1 {
				t.Errorf("%d threads started, want 1", n)
			}
			notes := e.discord.Created(msg.ID)
			if len(notes) != 3 {
				t.Fatalf("%d notes in the thread, want 3 (changes requested, check failed, approved)", len(notes))
			}
			var rec feed.Record
			version, err := e.table.Get(t.Context(), state.Key{PK: "pr#codertocat/hello-world#2", SK: "pr#" + defaultChannel}, &rec)
			if err != nil {
				t.Fatalf("the record: %v", err)
			}
			if rec.MessageID != msg.ID || rec.ThreadID != msg.ID || rec.ChannelID != defaultChannel || rec.Status() != feed.StatusMerged || version < 2 {
				t.Errorf("record at version %d: message %s thread %s channel %s status %s; want message and thread %s in %s, merged",
					version, rec.MessageID, rec.ThreadID, rec.ChannelID, rec.Status(), msg.ID, defaultChannel)
			}
			final, _ := e.discord.Message(msg.ID)
			golden(t, "life.message."+goldenLang(lang)+".discord.json", mustJSON(t, final.Embeds))
			var contents []string
			for _, n := range notes {
				contents = append(contents, n.Content)
				if n.AllowedMentions == nil || len(n.AllowedMentions.Parse) != 0 {
					t.Errorf("note %q may ping: %+v", n.Content, n.AllowedMentions)
				}
			}
			golden(t, "life.thread."+goldenLang(lang)+".discord.json", mustJSON(t, contents))
			for _, b := range [][]byte{mustJSON(t, final), mustJSON(t, contents)} {
				if strings.Contains(string(b), "[feed.") || strings.Contains(string(b), "[announce.") {
					t.Errorf("a message id instead of its text: %s", b)
				}
			}
		})
	}
}

// TestPullRequestLifeRedelivered redelivers every delivery of the life: the claims make each
// a duplicate, and nothing reaches Discord. Then, with the claims gone (as after a failure
// released them), the same deliveries change nothing either: the record already holds them,
// the edits repeat the same message, the notes carry their nonces, the thread exists.
func TestPullRequestLifeRedelivered(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	life := prLife(t)
	for _, s := range life {
		if resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request()); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d %q", s.id, resp.StatusCode, resp.Body)
		}
	}
	msg := e.discord.Created(defaultChannel)[0]
	before := len(e.discord.Requests())
	for _, s := range life {
		resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request())
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "duplicate") {
			t.Errorf("redelivered %s: status %d %q, want 200 duplicate", s.id, resp.StatusCode, resp.Body)
		}
	}
	if n := len(e.discord.Requests()) - before; n != 0 {
		t.Errorf("redeliveries sent %d requests to Discord, want none", n)
	}

	shown, _ := e.discord.Message(msg.ID)
	for _, s := range life {
		key, _ := guard.Key(s.id)
		if err := e.table.Release(t.Context(), key); err != nil {
			t.Fatal(err)
		}
		if resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request()); resp.StatusCode != http.StatusOK {
			t.Errorf("unclaimed redelivery %s: status %d %q", s.id, resp.StatusCode, resp.Body)
		}
	}
	if n := len(e.discord.Created(defaultChannel)); n != 1 {
		t.Errorf("%d messages in the channel, want 1", n)
	}
	if n := len(e.discord.Created(msg.ID)); n != 3 {
		t.Errorf("%d notes in the thread, want 3", n)
	}
	if n := len(recordsOf(e.discord, discordtest.KindThread)); n != 1 {
		t.Errorf("%d threads started, want 1", n)
	}
	now, _ := e.discord.Message(msg.ID)
	if diff := cmp.Diff(shown.Embeds, now.Embeds); diff != "" {
		t.Errorf("the message changed on redelivery (-before +after):\n%s", diff)
	}
}

func goldenLang(l i18n.Language) string {
	if l == "" {
		return string(i18n.English)
	}
	return string(l)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIssueLife: an issue opened, closed and reopened is one message whose status follows.
func TestIssueLife(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	opened := githubapptest.Payload(t, "issues.opened")
	steps := []struct {
		id   string
		body []byte
	}{
		{"1e000000-0000-4000-8000-000000000001", opened},
		{"1e000000-0000-4000-8000-000000000002", edited(t, "issues.opened", func(p map[string]any) {
			p["action"] = "closed"
			is := obj(p, "issue")
			is["state"], is["updated_at"], is["closed_at"] = "closed", "2019-05-15T16:00:00Z", "2019-05-15T16:00:00Z"
		})},
		{"1e000000-0000-4000-8000-000000000003", edited(t, "issues.opened", func(p map[string]any) {
			p["action"] = "reopened"
			obj(p, "issue")["updated_at"] = "2019-05-15T17:00:00Z"
		})},
	}
	for _, s := range steps {
		if resp := e.serve(t, delivery{event: "issues", id: s.id, body: s.body}.request()); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d %q", s.id, resp.StatusCode, resp.Body)
		}
	}
	created := e.discord.Created(defaultChannel)
	if len(created) != 1 {
		t.Fatalf("%d messages, want 1", len(created))
	}
	var lines []string
	for _, r := range e.discord.Records() {
		if r.MessageID == created[0].ID {
			lines = append(lines, statusLine(r.Message))
		}
	}
	if diff := cmp.Diff([]string{"**Open**", "**Closed**", "**Reopened**"}, lines); diff != "" {
		t.Errorf("status lines (-want +got):\n%s", diff)
	}
	if n := len(e.discord.Threads()); n != 0 {
		t.Errorf("%d threads, want none", n)
	}
}

// TestNoMessageYet: a draft is not announced, and what happens to it before it is ready
// (a review request, a failed check) posts nothing; marked ready, it gets its message.
func TestNoMessageYet(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	draft := func(p map[string]any) { obj(p, "pull_request")["draft"] = true }
	life := prLife(t)
	steps := []struct {
		event, id string
		body      []byte
		want      int
	}{
		{"pull_request", "2e000000-0000-4000-8000-000000000001", edited(t, "pull_request.opened", draft), http.StatusNoContent},
		{life[3].event, life[3].id, life[3].body, http.StatusNoContent},
		{life[5].event, life[5].id, life[5].body, http.StatusNoContent},
		{life[2].event, life[2].id, life[2].body, http.StatusOK},
	}
	for _, s := range steps {
		resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request())
		if resp.StatusCode != s.want {
			t.Fatalf("%s %s: status %d %q, want %d", s.event, s.id, resp.StatusCode, resp.Body, s.want)
		}
		if n := len(e.discord.Created("")); (s.want == http.StatusOK) != (n == 1) || n > 1 {
			t.Fatalf("after %s: %d messages", s.id, n)
		}
	}
}

// TestReviewRequestPings: a review requested from a reviewer who linked their GitHub login
// (/link) mentions them in the pull request's thread, pinging only them; the same request of
// a reviewer nobody linked pings nobody and starts no thread; a redelivery pings once.
func TestReviewRequestPings(t *testing.T) {
	t.Parallel()
	const memberID = "1000000000000000077"
	steps := prLife(t)
	opened, requested := steps[0], steps[3] // octocat's review is requested
	for _, linked := range []bool{true, false} {
		t.Run(fmt.Sprint("linked ", linked), func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, nil)
			links := people.Store{Table: e.table}
			if linked {
				if err := links.Put(t.Context(), people.Link{DiscordID: memberID, Login: "octocat", Verified: true}); err != nil {
					t.Fatal(err)
				}
			}
			e.h.people = links.Mentions
			for _, s := range []lifeStep{opened, requested, requested} {
				if resp := e.serve(t, delivery{event: s.event, id: s.id, body: s.body}.request()); resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: status %d %q", s.id, resp.StatusCode, resp.Body)
				}
			}
			msg := e.discord.Created(defaultChannel)[0]
			pings := e.discord.Created(msg.ID) // the thread started from the message has its id
			if !linked {
				if len(pings) != 0 || len(e.discord.Threads()) != 0 {
					t.Errorf("nobody linked: %d thread messages, threads %v; want none", len(pings), e.discord.Threads())
				}
				return
			}
			if len(pings) != 1 {
				t.Fatalf("%d thread messages, want one ping", len(pings))
			}
			p := pings[0]
			if want := "<@" + memberID + "> (octocat): your review is requested."; p.Content != want {
				t.Errorf("ping %q, want %q", p.Content, want)
			}
			if am := p.AllowedMentions; am == nil || len(am.Parse) != 0 || !slices.Equal(am.Users, []string{memberID}) {
				t.Errorf("allowed_mentions %+v, want only the member", am)
			}
		})
	}
}
