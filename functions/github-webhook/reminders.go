package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/google/go-github/v66/github"

	"github.com/discord-chatops/chatops/functions/github-webhook/internal/remind"
	"github.com/discord-chatops/chatops/shared/githubapp"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
	"github.com/discord-chatops/chatops/shared/state"
	"github.com/discord-chatops/chatops/shared/subscription"
)

// reviewReminderEvent is the input of the review reminder's schedule (infra: the
// ReviewReminderSchedule), {"reminder": "reviews"}: an invocation that is not an API Gateway
// request.
const reviewReminderEvent = "reviews"

// reminderClaimTTL is how long a channel's claim on a day's reminder is kept: past the
// Scheduler's retries (an hour) and the function's own retries, and a week of redrives.
const reminderClaimTTL = 7 * 24 * time.Hour

// maxPullPages bounds the pages of open pull requests read per repository (100 a page).
const maxPullPages = 3

// subscriptionsRead is the most subscriptions the reminder reads: every channel's, one Query.
const subscriptionsRead = 1000

// claimTable is the part of *state.Table the reminder uses: the subscriptions (Query) and the
// claims on each channel's reminder of the day.
type claimTable interface {
	Claim(ctx context.Context, key state.Key, ttl time.Duration, attrs any) error
	Release(ctx context.Context, key state.Key) error
	Put(ctx context.Context, key state.Key, ttl time.Duration, v any) error
	Query(ctx context.Context, in state.QueryInput, out any) (bool, error)
}

// pullRequests is the part of go-github's PullRequestsService the reminder uses.
type pullRequests interface {
	List(ctx context.Context, owner, repo string, opts *github.PullRequestListOptions) ([]*github.PullRequest, *github.Response, error)
}

// peopleFunc maps GitHub logins to the Discord user ids of the members who linked them (/link),
// by lower-cased login; a login without a link is absent: people.Store.Mentions (login#<login>
// records in the state table), as setup wires it; nil names every reviewer by login.
type peopleFunc func(ctx context.Context, logins []string) (map[string]string, error)

// scheduledEvent is the part of an invocation that tells a schedule's event from a webhook.
type scheduledEvent struct {
	Reminder string `json:"reminder"`
}

// invoke is the Lambda entry point: the review reminder's schedule sends {"reminder":
// "reviews"}, API Gateway a request, which handle answers.
func (h *handler) invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev scheduledEvent
	if err := json.Unmarshal(raw, &ev); err == nil && ev.Reminder != "" {
		if ev.Reminder != reviewReminderEvent {
			return nil, fmt.Errorf("scheduled event %q: want %q", ev.Reminder, reviewReminderEvent)
		}
		return nil, h.remind(ctx, h.now())
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("decode API Gateway request: %w", err)
	}
	return h.handle(ctx, req)
}

// remind posts the day's review reminder in each channel that has pull requests waiting: one
// message per channel and day, whatever the retries. A channel whose list or post failed is
// left unclaimed and named in the returned error, so that the Scheduler's retry posts it; the
// channels already posted hold their claim and post nothing more.
func (h *handler) remind(ctx context.Context, now time.Time) error {
	rc := h.cfg.Reminders
	log := h.log.With("event", "review_reminder")
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	if rc.Location == nil {
		rc.Location = time.UTC
	}
	local := now.In(rc.Location)
	day := local.Format(time.DateOnly)
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		log.Info("no reminder on a weekend", "day", day)
		return nil
	}
	if h.reminders == nil || h.pulls == nil {
		return errors.New("review reminder: not configured (GITHUB_APP_ID, CHATOPS_TABLE)")
	}
	channels, err := h.reminderChannels(ctx)
	if err != nil {
		return fmt.Errorf("review reminder %s: %w", day, err)
	}
	sec, err := h.secrets.Get(ctx, secrets.DiscordBotToken)
	if err != nil {
		return fmt.Errorf("review reminder %s: load secrets: %w", day, err)
	}
	dc := h.discordClient(sec[secrets.DiscordBotToken])
	p := h.texts.Printer(h.cfg.Language)

	waiting := map[string][]remind.Pull{} // by repository, listed once per run
	var errs []error
	for _, ch := range sortedKeys(channels) {
		var pulls []remind.Pull
		var listErr error
		for _, repo := range channels[ch] {
			got, ok := waiting[repo]
			if !ok {
				got, listErr = h.waiting(ctx, repo, now)
				if gone(listErr) {
					// No retry will list it: the channel's other repositories still get their
					// reminder, and the log says which repository to fix.
					log.Warn("repository left out of the reminder", "repository", repo, "channel", ch, "err", listErr)
					got, listErr = nil, nil
				}
				if listErr != nil {
					break
				}
				waiting[repo] = got
			}
			pulls = append(pulls, got...)
		}
		if listErr != nil {
			// A partial list would be the day's only reminder: the retry lists again.
			errs = append(errs, fmt.Errorf("channel %s: %w", ch, listErr))
			continue
		}
		if len(pulls) == 0 {
			log.Info("nothing waits for review", "channel", ch, "repositories", channels[ch])
			continue
		}
		remind.Sort(pulls)
		if err := h.remindChannel(ctx, log, dc, p, ch, day, pulls); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("review reminder %s: %w", day, err)
	}
	return nil
}

// remindChannel posts pulls in channel ch under the claim on its reminder of day.
//   - Claimed already with its message: an earlier invocation posted it; nothing more.
//   - Claimed without a message: posted again under the same nonce (see below).
//   - The table unavailable: post unguarded (a reminder is not lost for the table's sake) with
//     the nonce, which still stops a duplicate within Discord's nonce window.
//   - A failed post releases the claim for the retry.
func (h *handler) remindChannel(ctx context.Context, log *slog.Logger, dc discordAPI, p *i18n.Printer, ch, day string, pulls []remind.Pull) error {
	key := reminderKey(ch, day)
	// guarded: this invocation holds the claim, and releases it when the post fails; reposted:
	// another took it and recorded no message, and this one records its message.
	guarded, reposted := true, false
	if err := h.reminders.Claim(ctx, key, reminderClaimTTL, nil); err != nil {
		var held *state.ClaimedError
		switch {
		case errors.As(err, &held):
			var c reminderClaim
			if herr := held.Holder(&c); herr != nil || c.MessageID != "" {
				log.Info("reminder already posted", "channel", ch, "day", day, "message_id", c.MessageID)
				return nil
			}
			// Claimed, no message recorded: the invocation that claimed it stopped before it
			// recorded one (a timeout, a crash) or is posting now. Post again with the same
			// nonce: Discord returns the message if it was created, and creates it if not. The
			// claim is not this invocation's to release.
			log.Warn("reminder claimed without a message: posting under the same nonce", "key", key.String())
			guarded, reposted = false, true
		case state.Unavailable(err):
			log.Warn("state table unavailable: posting without the once-only guard", "key", key.String(), "err", err)
			guarded = false
		default:
			return fmt.Errorf("channel %s: claim: %w", ch, err)
		}
	}
	people := map[string]string{}
	if h.people != nil {
		var logins []string
		for _, pr := range pulls {
			logins = append(logins, pr.Reviewers...)
		}
		got, err := h.people(ctx, logins)
		if err != nil {
			log.Warn("linked accounts unreadable: reviewers named by login", "err", err)
		} else {
			people = got
		}
	}
	m, err := dc.CreateMessage(ctx, ch, remind.Message(p, pulls, h.cfg.Reminders.Threshold, people, remind.Nonce(ch, day)))
	if err != nil {
		if guarded {
			// The invocation may be out of time: the release must still be tried.
			if rerr := h.reminders.Release(context.WithoutCancel(ctx), key); rerr != nil {
				err = errors.Join(err, fmt.Errorf("the claim is still held, so a retry will not post: %w", rerr))
			}
		}
		return fmt.Errorf("channel %s: post: %w", ch, err)
	}
	log.Info("reminder posted", "channel", ch, "day", day, "message_id", m.ID, "pull_requests", len(pulls))
	if guarded || reposted {
		if err := h.reminders.Put(ctx, key, reminderClaimTTL, reminderClaim{MessageID: m.ID}); err != nil {
			log.Warn("posted; the message id was not recorded in the claim", "key", key.String(), "err", err)
		}
	}
	return nil
}

// reminderClaim is what a channel's claim on a day's reminder holds once posted.
type reminderClaim struct {
	MessageID string `dynamodbav:"message_id,omitempty"`
}

// reminderKey is the claim on the review reminder of day (YYYY-MM-DD in REPORT_TIMEZONE) in a
// channel (docs/STATE.md).
func reminderKey(channelID, day string) state.Key {
	return state.Key{PK: "remind#" + channelID, SK: day}
}

// reminderChannels returns each channel's repositories, lower-cased and sorted: REPO_CHANNELS,
// GITHUB_REPOSITORY in its channel, and every subscription (/subscribe) but those to issues
// only.
func (h *handler) reminderChannels(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	add := func(repo, ch string) {
		repo = strings.ToLower(repo)
		if !slices.Contains(out[ch], repo) {
			out[ch] = append(out[ch], repo)
		}
	}
	for repo, ch := range h.cfg.RepoChannels {
		add(repo, ch)
	}
	if r := h.cfg.Reminders.Repository; r != "" {
		add(r, h.cfg.channelFor(r))
	}
	var subs []subscription.Subscription
	if _, err := h.reminders.Query(ctx, state.QueryInput{PK: subscription.PK, Limit: subscriptionsRead}, &subs); err != nil {
		return nil, fmt.Errorf("read subscriptions: %w", err)
	}
	for _, s := range subs {
		if s.Events != subscription.EventsIssues {
			add(s.Repo, s.ChannelID)
		}
	}
	for _, repos := range out {
		slices.Sort(repos)
	}
	return out, nil
}

// waiting lists the open pull requests of repo (owner/name) and keeps those waiting for review.
func (h *handler) waiting(ctx context.Context, repo string, now time.Time) ([]remind.Pull, error) {
	owner, name, _ := strings.Cut(repo, "/")
	client, err := h.pulls(ctx, owner, name)
	if err != nil {
		return nil, fmt.Errorf("GitHub client for %s: %w", repo, err)
	}
	opts := &github.PullRequestListOptions{State: "open", ListOptions: github.ListOptions{PerPage: 100}}
	var all []*github.PullRequest
	for page := 0; page < maxPullPages; page++ {
		prs, resp, err := client.List(ctx, owner, name, opts)
		if err != nil {
			return nil, fmt.Errorf("list open pull requests of %s: %w", repo, err)
		}
		all = append(all, prs...)
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return remind.Waiting(repo, all, now, h.cfg.Reminders.Threshold), nil
}

// gone reports whether err says the repository cannot be listed at all: the App is not
// installed on it, or GitHub does not know it (renamed, deleted, or a subscription's typo).
func gone(err error) bool {
	if err == nil {
		return false
	}
	status, _ := githubapp.ErrorStatus(err)
	return errors.Is(err, githubapp.ErrNotInstalled) || status == http.StatusNotFound
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// lazyApp is the GitHub App, built on the first reminder from the private key in SSM: a
// webhook delivery never reads the key. A failure is not kept: the next call tries again.
type lazyApp struct {
	secrets secretStore
	opts    githubapp.Options // without the key

	mu  sync.Mutex
	app *githubapp.App
}

// pullRequests returns the pull requests service of the App's installation on owner/repo.
func (l *lazyApp) pullRequests(ctx context.Context, owner, repo string) (pullRequests, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.app == nil {
		sec, err := l.secrets.Get(ctx, secrets.GitHubPrivateKey)
		if err != nil {
			return nil, fmt.Errorf("GitHub App private key: %w", err)
		}
		o := l.opts
		o.PrivateKeyPEM = []byte(sec[secrets.GitHubPrivateKey])
		app, err := githubapp.New(o)
		if err != nil {
			return nil, err
		}
		l.app = app
	}
	c, err := l.app.RepoClient(ctx, owner, repo)
	if err != nil {
		return nil, err
	}
	return c.PullRequests, nil
}

// reminderGitHubOptions are the App's HTTP settings for the reminder: each call cut off after
// 10 s, well within the function's timeout.
func reminderGitHubOptions(rc reminderConfig) githubapp.Options {
	return githubapp.Options{AppID: rc.AppID, BaseURL: rc.GitHubAPIURL, HTTPClient: &http.Client{Timeout: 10 * time.Second}}
}
