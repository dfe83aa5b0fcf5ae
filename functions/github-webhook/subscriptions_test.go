package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/githubapp/githubapptest"
	"github.com/discord-chatops/chatops/shared/subscription"
)

const (
	channelA = "1300000000000000001"
	channelB = "1300000000000000002"
)

// TestSubscriptions delivers recorded payloads to a handler whose state table holds
// subscriptions written as /subscribe writes them: the subscribed channels get what their
// filters want, a filtered-out event posts nothing anywhere, and a repository without a
// subscription follows REPO_CHANNELS and IGNORE_*.
func TestSubscriptions(t *testing.T) {
	t.Parallel()
	repo := "codertocat/hello-world" // the recorded payloads' Codertocat/Hello-World
	sub := func(channel string, f subscription.Filter) subscription.Subscription {
		return subscription.Subscription{Repo: repo, ChannelID: channel, Filter: f}
	}
	draft := func(p map[string]any) { p["pull_request"].(map[string]any)["draft"] = true }
	botSender := func(p map[string]any) { p["sender"] = map[string]any{"login": "renovate[bot]", "type": "Bot", "id": 2} }
	tests := []struct {
		name   string
		subs   []subscription.Subscription
		cfg    func(*config)
		event  string
		body   []byte
		want   []string // channels posted to, in order; none means 204
		reason string   // the ignored line's reason when nothing is posted
	}{
		{
			name: "merges only: an opening posts nothing", subs: []subscription.Subscription{sub(channelA, subscription.Filter{Events: subscription.EventsMerges})},
			event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened"), reason: SkipUnsubscribed,
		},
		{
			name: "merges only: a merge is posted", subs: []subscription.Subscription{sub(channelA, subscription.Filter{Events: subscription.EventsMerges})},
			event: "pull_request", body: githubapptest.Payload(t, "pull_request.closed.merged.derived"), want: []string{channelA},
		},
		{
			name: "two channels, each its own filter",
			subs: []subscription.Subscription{
				sub(channelA, subscription.Filter{}),
				sub(channelB, subscription.Filter{Events: subscription.EventsIssues}),
			},
			event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened"), want: []string{channelA},
		},
		{
			name: "two channels want an issue",
			subs: []subscription.Subscription{
				sub(channelA, subscription.Filter{}),
				sub(channelB, subscription.Filter{Events: subscription.EventsIssues}),
			},
			event: "issues", body: githubapptest.Payload(t, "issues.opened"), want: []string{channelA, channelB},
		},
		{
			name: "base branch outside the patterns", subs: []subscription.Subscription{sub(channelA, subscription.Filter{Branches: []string{"main", "release/*"}})},
			event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened"), reason: SkipUnsubscribed,
		},
		{
			name: "base branch matches", subs: []subscription.Subscription{sub(channelA, subscription.Filter{Branches: []string{"mast*"}})},
			event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened"), want: []string{channelA},
		},
		{
			name: "excluded label", subs: []subscription.Subscription{sub(channelA, subscription.Filter{ExcludeLabels: []string{"BUG"}})},
			event: "issues", body: githubapptest.Payload(t, "issues.opened"), reason: SkipUnsubscribed,
		},
		{
			name:  "the subscription lets bots through where ANNOUNCE_BOTS does not",
			subs:  []subscription.Subscription{sub(channelA, subscription.Filter{Bots: true})},
			event: "pull_request", body: edited(t, "pull_request.opened", botSender), want: []string{channelA},
		},
		{
			name: "a bot left out by the subscription", subs: []subscription.Subscription{sub(channelA, subscription.Filter{})},
			event: "pull_request", body: edited(t, "pull_request.opened", botSender), reason: SkipUnsubscribed,
		},
		{
			name:  "IGNORE_AUTHORS does not apply to a subscribed repository",
			subs:  []subscription.Subscription{sub(channelA, subscription.Filter{})},
			cfg:   func(c *config) { c.Rules.IgnoreAuthors = []string{"codertocat"} },
			event: "issues", body: githubapptest.Payload(t, "issues.opened"), want: []string{channelA},
		},
		{
			name:  "another repository's subscription: REPO_CHANNELS applies",
			subs:  []subscription.Subscription{{Repo: "octo-org/octo-repo", ChannelID: channelA}},
			cfg:   func(c *config) { c.RepoChannels = map[string]string{repo: channelB} },
			event: "issues", body: githubapptest.Payload(t, "issues.opened"), want: []string{channelB},
		},
		{
			name: "no subscription: IGNORE_AUTHORS applies", cfg: func(c *config) { c.Rules.IgnoreAuthors = []string{"codertocat"} },
			event: "issues", body: githubapptest.Payload(t, "issues.opened"), reason: "author ignored",
		},
		{
			name: "reviews only: a review starts the pull request's message", subs: []subscription.Subscription{sub(channelA, subscription.Filter{Events: subscription.EventsReviews})},
			event: "pull_request_review", body: githubapptest.Payload(t, "pull_request_review.submitted"), want: []string{channelA},
		},
		{
			name: "reviews only: an opening posts nothing", subs: []subscription.Subscription{sub(channelA, subscription.Filter{Events: subscription.EventsReviews})},
			event: "pull_request", body: githubapptest.Payload(t, "pull_request.opened"), reason: SkipUnsubscribed,
		},
		{
			name: "the default set: a review alone starts no message", subs: []subscription.Subscription{sub(channelA, subscription.Filter{})},
			event: "pull_request_review", body: githubapptest.Payload(t, "pull_request_review.submitted"), reason: SkipUnsubscribed,
		},
		{
			name: "drafts: a draft's opening is announced", subs: []subscription.Subscription{sub(channelA, subscription.Filter{Drafts: true})},
			event: "pull_request", body: edited(t, "pull_request.opened", draft), want: []string{channelA},
		},
		{
			name: "without drafts: a draft's opening waits", subs: []subscription.Subscription{sub(channelA, subscription.Filter{})},
			event: "pull_request", body: edited(t, "pull_request.opened", draft), reason: SkipUnsubscribed,
		},
		{
			name: "a draft waits for ready for review", subs: []subscription.Subscription{sub(channelA, subscription.Filter{})},
			event: "pull_request", body: githubapptest.Payload(t, "pull_request.ready_for_review"), want: []string{channelA},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, tt.cfg)
			store := subscription.Store{Table: e.table}
			for _, s := range tt.subs {
				if err := store.Put(t.Context(), s); err != nil {
					t.Fatal(err)
				}
			}
			e.h.subs = newSubscriptions(store, e.clock.Now)
			resp := e.serve(t, delivery{event: tt.event, body: tt.body}.request())
			var got []string
			for _, r := range e.discord.Requests() {
				got = append(got, r.ChannelID)
			}
			if len(tt.want) == 0 {
				if resp.StatusCode != http.StatusNoContent || len(got) != 0 {
					t.Errorf("status %d, posted to %v; want 204 and nothing", resp.StatusCode, got)
				}
				if !logged(t, e.logs, "ignored", "reason", tt.reason) {
					t.Errorf("no ignored line with reason %q:\n%s", tt.reason, e.logs)
				}
				return
			}
			if resp.StatusCode != http.StatusOK || !slices.Equal(got, tt.want) {
				t.Errorf("status %d, posted to %v; want 200 and %v", resp.StatusCode, got, tt.want)
			}
		})
	}
}

// failingReader is a subscription store that cannot be read.
type failingReader struct{ calls int }

func (f *failingReader) ForRepo(context.Context, string) ([]subscription.Subscription, error) {
	f.calls++
	return nil, errors.New("table unavailable")
}

// TestSubscriptionsUnread: when the subscriptions cannot be read, the delivery is posted by the
// configuration, and the next delivery asks again.
func TestSubscriptionsUnread(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	reader := &failingReader{}
	e.h.subs = newSubscriptions(reader, e.clock.Now)
	for i, id := range []string{"d-1", "d-2"} {
		resp := e.serve(t, delivery{event: "issues", id: id, body: githubapptest.Payload(t, "issues.opened")}.request())
		if reqs := e.discord.Requests(); resp.StatusCode != http.StatusOK || len(reqs) != i+1 || reqs[i].ChannelID != defaultChannel {
			t.Fatalf("delivery %s: status %d, %d messages; want 200 and one more in the default channel", id, resp.StatusCode, len(reqs))
		}
	}
	if reader.calls != 2 {
		t.Errorf("%d reads, want 2: a failed read is not cached", reader.calls)
	}
}

// countingReader counts the reads of a fixed set of subscriptions.
type countingReader struct {
	subs  []subscription.Subscription
	calls int
}

func (c *countingReader) ForRepo(context.Context, string) ([]subscription.Subscription, error) {
	c.calls++
	return c.subs, nil
}

// TestSubscriptionsCached: a repository's subscriptions are read once per subscriptionsTTL.
func TestSubscriptionsCached(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	reader := &countingReader{subs: []subscription.Subscription{{Repo: "acme/shop", ChannelID: channelA}}}
	s := newSubscriptions(reader, func() time.Time { return now })
	for _, step := range []struct {
		advance time.Duration
		repo    string
		reads   int
	}{{0, "acme/shop", 1}, {subscriptionsTTL - time.Second, "ACME/Shop", 1}, {time.Second, "acme/shop", 2}, {0, "acme/web", 3}} {
		now = now.Add(step.advance)
		if _, err := s.forRepo(t.Context(), step.repo); err != nil {
			t.Fatal(err)
		}
		if reader.calls != step.reads {
			t.Errorf("after %s: %d reads, want %d", step.repo, reader.calls, step.reads)
		}
	}
}

// logged says whether logs hold a JSON line with msg and key = value.
func logged(t *testing.T, logs *bytes.Buffer, msg, key, value string) bool {
	t.Helper()
	for line := range strings.Lines(logs.String()) {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if l["msg"] == msg && l[key] == value {
			return true
		}
	}
	return false
}

// TestFeedInEachSubscribedChannel: with two subscriptions, a pull request has one message in
// each channel that wants it, and every later change edits the messages there are: the
// merges-only channel gets its first message at the merge, and the other channel's message is
// edited, not posted again.
func TestFeedInEachSubscribedChannel(t *testing.T) {
	t.Parallel()
	repo := "codertocat/hello-world"
	e := newTestEnv(t, nil)
	store := subscription.Store{Table: e.table}
	for _, s := range []subscription.Subscription{
		{Repo: repo, ChannelID: channelA},
		{Repo: repo, ChannelID: channelB, Filter: subscription.Filter{Events: subscription.EventsMerges}},
	} {
		if err := store.Put(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	e.h.subs = newSubscriptions(store, e.clock.Now)
	for _, d := range []delivery{
		{event: "pull_request", id: "d-open", body: githubapptest.Payload(t, "pull_request.opened")},
		{event: "pull_request", id: "d-merge", body: githubapptest.Payload(t, "pull_request.closed.merged.derived")},
	} {
		if resp := e.serve(t, d.request()); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", d.id, resp.StatusCode)
		}
	}
	if a, b := e.discord.Created(channelA), e.discord.Created(channelB); len(a) != 1 || len(b) != 1 {
		t.Fatalf("%d messages in A, %d in B; want one each", len(a), len(b))
	}
	var edits []string
	for _, r := range e.discord.Records() {
		if r.Kind == discordtest.KindEdit {
			edits = append(edits, r.ChannelID)
		}
	}
	if !slices.Equal(edits, []string{channelA}) {
		t.Errorf("edits in %v, want one in A (the merge on the message the opening posted)", edits)
	}
}
