package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/announce"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/subscription"
)

// subscriptionsTTL is how long an execution environment keeps a repository's subscriptions:
// a /subscribe or /unsubscribe takes effect within it, and a burst of deliveries reads the
// table once.
const subscriptionsTTL = 30 * time.Second

// subscriptionsTimeout bounds the read, so that a slow table leaves the delivery time to post
// with the defaults.
const subscriptionsTimeout = time.Second

// subscriptionReader reads a repository's subscriptions; subscription.Store satisfies it.
type subscriptionReader interface {
	ForRepo(ctx context.Context, repo string) ([]subscription.Subscription, error)
}

// subscriptions keeps each repository's subscriptions for subscriptionsTTL.
type subscriptions struct {
	store subscriptionReader
	now   func() time.Time

	mu    sync.Mutex
	repos map[string]cachedSubscriptions
}

type cachedSubscriptions struct {
	subs []subscription.Subscription
	at   time.Time
}

func newSubscriptions(store subscriptionReader, now func() time.Time) *subscriptions {
	return &subscriptions{store: store, now: now, repos: map[string]cachedSubscriptions{}}
}

// forRepo returns the subscriptions to repo, from the cache while it is fresh. A failed read
// is not cached.
func (s *subscriptions) forRepo(ctx context.Context, repo string) ([]subscription.Subscription, error) {
	repo = strings.ToLower(repo)
	s.mu.Lock()
	c, ok := s.repos[repo]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < subscriptionsTTL {
		return c.subs, nil
	}
	ctx, cancel := context.WithTimeout(ctx, subscriptionsTimeout)
	defer cancel()
	subs, err := s.store.ForRepo(ctx, repo)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.repos[repo] = cachedSubscriptions{subs: subs, at: s.now()}
	s.mu.Unlock()
	return subs, nil
}

// SkipUnsubscribed is why an event that no subscription of its repository wants is not posted.
const SkipUnsubscribed = "no subscription wants it"

// decide is the one decision of what to post where: the announcement of event and the channels
// it goes to, or why nothing is posted. A repository with subscriptions goes to the channels
// whose filter wants the event, and the deploy-time REPO_CHANNELS and IGNORE_* do not apply to
// it; a repository without any, or whose subscriptions cannot be read (logged), follows them.
func (h *handler) decide(ctx context.Context, log *slog.Logger, event any, p *i18n.Printer) (announce.Announcement, []string, string) {
	var subs []subscription.Subscription
	if repo := repoOf(event); h.subs != nil && repo != "" {
		var err error
		if subs, err = h.subs.forRepo(ctx, repo); err != nil {
			log.Warn("subscriptions not read, the defaults apply", "repo", repo, "err", err)
		}
	}
	if len(subs) == 0 {
		a, skip := announce.Decide(event, h.cfg.Rules, p)
		if skip != "" {
			return a, nil, skip
		}
		return a, []string{h.cfg.channelFor(a.Repo)}, ""
	}
	// Bots are let through here: each subscription decides about them.
	var a announce.Announcement
	e, only := subscriptionOnly(event)
	if !only {
		var skip string
		if a, skip = announce.Decide(event, announce.Rules{AnnounceBots: true}, p); skip != "" {
			return a, nil, skip
		}
		e = subscriptionEvent(event, a.Kind)
	}
	var channels []string
	for _, s := range subs {
		if why := s.Skip(e); why != "" {
			log.Info("not for this subscription", "channel", s.ChannelID, "reason", why)
			continue
		}
		channels = append(channels, s.ChannelID)
	}
	if len(channels) == 0 {
		return a, nil, SkipUnsubscribed
	}
	return a, channels, ""
}

// repoOf is the full name of the repository of a pull request or issue event, "" for others.
func repoOf(event any) string {
	switch e := event.(type) {
	case *github.PullRequestEvent:
		return e.GetRepo().GetFullName()
	case *github.IssuesEvent:
		return e.GetRepo().GetFullName()
	case *github.PullRequestReviewEvent:
		return e.GetRepo().GetFullName()
	}
	return ""
}

// subscriptionOnly is an event that only a subscription can ask to start a pull request's
// message, as its filter reads it: a review submitted (events:reviews or all), and a draft
// opened (drafts:true); without a subscription a review only edits a message there is, and a
// draft waits for ready for review. ok is false for every other event.
func subscriptionOnly(event any) (e subscription.Event, ok bool) {
	switch ev := event.(type) {
	case *github.PullRequestReviewEvent:
		if ev.GetAction() != "submitted" || ev.PullRequest == nil {
			return e, false
		}
		pr := ev.GetPullRequest()
		e = subscription.Event{Kind: subscription.ReviewSubmit, Base: pr.GetBase().GetRef(), Draft: pr.GetDraft(),
			Author: pr.GetUser().GetLogin(), Sender: ev.GetSender().GetLogin(), SenderBot: announce.IsBot(ev.GetSender())}
		for _, l := range pr.Labels {
			e.Labels = append(e.Labels, l.GetName())
		}
		return e, true
	case *github.PullRequestEvent:
		if ev.GetAction() != "opened" || !ev.GetPullRequest().GetDraft() {
			return e, false
		}
		return subscriptionEvent(event, announce.PullRequestOpened), true
	}
	return e, false
}

// subscriptionEvent is event, announced as kind, as a subscription's filter reads it.
func subscriptionEvent(event any, kind announce.Kind) subscription.Event {
	var e subscription.Event
	var labels []*github.Label
	switch ev := event.(type) {
	case *github.PullRequestEvent:
		pr := ev.GetPullRequest()
		e = subscription.Event{Base: pr.GetBase().GetRef(), Draft: pr.GetDraft(), Author: pr.GetUser().GetLogin(),
			Sender: ev.GetSender().GetLogin(), SenderBot: announce.IsBot(ev.GetSender())}
		labels = pr.Labels
	case *github.IssuesEvent:
		e = subscription.Event{Author: ev.GetIssue().GetUser().GetLogin(), Sender: ev.GetSender().GetLogin(),
			SenderBot: announce.IsBot(ev.GetSender())}
		labels = ev.GetIssue().Labels
	}
	for _, l := range labels {
		e.Labels = append(e.Labels, l.GetName())
	}
	switch kind {
	case announce.PullRequestOpened, announce.PullRequestReopened:
		e.Kind = subscription.PullOpened
	case announce.PullRequestReady:
		e.Kind = subscription.PullReady
	case announce.PullRequestMerged:
		e.Kind = subscription.PullMerged
	case announce.IssueOpened:
		e.Kind = subscription.IssueOpened
	}
	return e
}
