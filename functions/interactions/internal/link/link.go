// Package link is /link: a member links their GitHub account, verified through the GitHub
// App's device flow, and a member with an allowed role (authz) links another member to a login
// (`/link member:@x login:name`), unverified and audited. The links are shared/people's; /assign
// and github-webhook read them. Answers are ephemeral, in the member's language.
//
// The flow takes two /link: the first asks GitHub for a code and shows it with the verification
// URL; the member enters it on GitHub and runs /link again, whose worker polls GitHub until it
// answers (at GitHub's interval, slower on slow_down) for at most PollFor, within the
// function's timeout. The worker can only answer once, when it ends, so it cannot show the code
// and then wait for it in the same invocation; re-invoking itself would keep polling without
// the member, but needs a chain of asynchronous invocations and claims for a step the member
// takes anyway. Between the two, the device code waits in the state table (device#<member id>,
// expiring with the code). The user token is used once, for GET /user, and never stored.
package link

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/assign"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/people"
	"github.com/discord-chatops/chatops/shared/state"
)

// Flow is GitHub's device flow; DeviceFlow satisfies it.
type Flow interface {
	Start(ctx context.Context) (Device, error)
	Poll(ctx context.Context, deviceCode string) (token string, interval time.Duration, err error)
	Login(ctx context.Context, token string) (string, error)
}

// Links keeps the links; people.Store satisfies it.
type Links interface {
	Put(ctx context.Context, l people.Link) error
}

// Table keeps the device codes waiting for the member; *state.Table satisfies it.
type Table interface {
	Get(ctx context.Context, key state.Key, out any) (int64, error)
	Put(ctx context.Context, key state.Key, ttl time.Duration, v any) error
	Release(ctx context.Context, key state.Key) error
}

// Service answers /link. Build it once per execution environment.
type Service struct {
	// Flow is nil when GITHUB_CLIENT_ID is not set: a member cannot link themselves.
	Flow Flow
	// Links and Table are nil when the function has no table.
	Links  Links
	Table  Table
	Policy authz.Policy
	Audit  *audit.Recorder
	Log    *slog.Logger
	Now    func() time.Time
	// Sleep waits d or until ctx ends; nil waits on a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// PollFor bounds the polling of one invocation; 0 is DefaultPollFor.
	PollFor time.Duration
}

// DefaultPollFor is how long one /link polls GitHub: within the worker's budget (the
// function's 40-second timeout less the reserve for the edit), with a margin.
const DefaultPollFor = 20 * time.Second

// Option names.
const (
	optionMember = "member"
	optionLogin  = "login"
)

// pending is a device code waiting for its member, in the state table.
type pending struct {
	DeviceCode string    `dynamodbav:"device_code"`
	UserCode   string    `dynamodbav:"user_code"`
	URL        string    `dynamodbav:"verification_uri"`
	Interval   int       `dynamodbav:"interval"` // seconds
	Expires    time.Time `dynamodbav:"expires"`
	NextPoll   time.Time `dynamodbav:"next_poll"`
}

// pendingKey is the item of the device code of the member discordID.
func pendingKey(discordID string) state.Key {
	return state.Key{PK: "device#" + discordID, SK: "device"}
}

// Command is the /link entry of the command table, answered by s (nil where only the
// definition is used). Its texts are command.link.* in locales/.
func Command(s *Service) command.Command {
	return command.Command{
		Name: "link",
		Options: []discord.OptionDef{
			{Type: discord.OptionUser, Name: optionMember},
			{Type: discord.OptionString, Name: optionLogin, MaxLength: 39},
		},
		Contexts: []command.Context{command.ContextGuild},
		Quick:    s.quick,
		Work:     s.work,
	}
}

// other reads the options of linking another member: both or neither; problem is in p's
// language (a nil p reads no catalog).
func other(p *i18n.Printer, req command.Request) (member, login, problem string) {
	member = strings.TrimSpace(req.Option(optionMember))
	login = strings.TrimPrefix(strings.TrimSpace(req.Option(optionLogin)), "@")
	switch {
	case member == "" && login == "":
		return "", "", ""
	case member == "" || login == "":
		return member, login, p.T("link.option.both")
	case !assign.ValidLogin(login):
		return member, login, p.T("link.option.login", i18n.Args{"Login": discord.Code(discord.Truncate(login, 50))})
	}
	return member, login, ""
}

// quick refuses inline a member without an allowed role who links someone else, or options
// that cannot be stored, and records the refusal; otherwise it defers, ephemerally.
func (s *Service) quick(ctx context.Context, req command.Request) command.Reply {
	member, login, problem := other(nil, req)
	if member == "" && login == "" {
		return command.Defer(true)
	}
	target := member + " -> " + login
	if err := s.Policy.Allow(req.Interaction, authz.ActionLink); err != nil {
		s.record(ctx, req, target, "denied", authz.DenialReason(err))
		return command.Ephemeral("⛔ " + authz.Text(req.Member(), err))
	}
	if problem != "" {
		s.record(ctx, req, target, "refused", "invalid options")
		_, _, problem = other(req.Member(), req)
		return command.Ephemeral(problem)
	}
	return command.Defer(true)
}

// record writes an audit entry of a link or its refusal; target is "<member id> -> <login>",
// or the member id alone before GitHub said the login.
func (s *Service) record(ctx context.Context, req command.Request, target, outcome, detail string) {
	s.Audit.Record(ctx, audit.Entry{Action: "link", Target: target, Outcome: outcome, Detail: detail}.By(req.Interaction, req.RequestID))
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) work(ctx context.Context, req command.Request) (discord.Message, error) {
	p := req.Member()
	member, login, problem := other(p, req)
	if problem != "" { // checked when acknowledged; the worker reads the same options
		return reply(problem), nil
	}
	if s.Links == nil || s.Table == nil {
		return reply(p.T("link.unavailable")), nil
	}
	by := ""
	if u := req.Interaction.Invoker(); u != nil {
		by = u.ID
	}
	if member != "" {
		if err := s.Links.Put(ctx, people.Link{DiscordID: member, Login: login, By: by, At: s.now()}); err != nil {
			return s.fault(ctx, req, member+" -> "+login, err)
		}
		s.record(ctx, req, member+" -> "+login, "linked", "set by an allowed member, unverified")
		return reply(p.T("link.set", i18n.Args{"Member": discord.Mention(member), "Login": discord.Code(login)})), nil
	}
	if s.Flow == nil {
		return reply(p.T("link.no_flow")), nil
	}
	return s.verify(ctx, req, p, by)
}

// reply is an answer that mentions nobody: the member mentions in it show as names.
func reply(text string) discord.Message {
	return discord.Message{Content: text, AllowedMentions: discord.NoMentions()}
}

// fault records a failed link and says so: the state table did not answer. The error goes to
// the log.
func (s *Service) fault(ctx context.Context, req command.Request, target string, err error) (discord.Message, error) {
	return s.failed(ctx, req, target, "link.unavailable", err)
}

// githubFault is fault for an error of GitHub's.
func (s *Service) githubFault(ctx context.Context, req command.Request, target string, err error) (discord.Message, error) {
	return s.failed(ctx, req, target, "link.github_failed", err)
}

func (s *Service) failed(ctx context.Context, req command.Request, target, id string, err error) (discord.Message, error) {
	s.record(ctx, req, target, "failed", err.Error())
	return discord.Message{}, &command.Error{Message: req.Member().T(id), Err: err}
}

// verify starts the device flow for the member by, or polls the one they started.
func (s *Service) verify(ctx context.Context, req command.Request, p *i18n.Printer, by string) (discord.Message, error) {
	key := pendingKey(by)
	var d pending
	switch _, err := s.Table.Get(ctx, key, &d); {
	case errors.Is(err, state.ErrNotFound):
		return s.start(ctx, req, p, by)
	case err != nil:
		return s.fault(ctx, req, by, err)
	}
	token, err := s.poll(ctx, &d)
	target := by
	var pe *PollError
	switch {
	case (errors.Is(err, ErrPending) || errors.Is(err, ErrSlowDown)) && !d.Expires.After(s.now()):
		return s.ended(ctx, req, key, target, "expired", p.T("link.expired"))
	case errors.Is(err, ErrPending) || errors.Is(err, ErrSlowDown):
		if err := s.Table.Put(ctx, key, d.Expires.Sub(s.now()), d); err != nil { // keeps the slower interval
			return s.fault(ctx, req, target, err)
		}
		return reply(p.T("link.waiting", codeArgs(p, d, s.now()))), nil
	case errors.Is(err, ErrExpired):
		return s.ended(ctx, req, key, target, "expired", p.T("link.expired"))
	case errors.Is(err, ErrDenied):
		return s.ended(ctx, req, key, target, "denied by the member", p.T("link.denied"))
	case errors.As(err, &pe):
		s.Log.WarnContext(ctx, "link: GitHub refused the device flow", "code", pe.Code, "description", pe.Description)
		return s.ended(ctx, req, key, target, pe.Code, p.T("link.refused", i18n.Args{"Code": discord.Code(pe.Code)}))
	case err != nil:
		return s.githubFault(ctx, req, target, err)
	}
	login, err := s.Flow.Login(ctx, token)
	if err != nil {
		return s.githubFault(ctx, req, target, err)
	}
	target += " -> " + login
	if err := s.Links.Put(ctx, people.Link{DiscordID: by, Login: login, Verified: true, By: by, At: s.now()}); err != nil {
		return s.fault(ctx, req, target, err)
	}
	if err := s.Table.Release(ctx, key); err != nil {
		s.Log.WarnContext(ctx, "link: device code not deleted; it expires by itself", "error", err)
	}
	s.record(ctx, req, target, "linked", "verified by GitHub's device flow")
	return reply(p.T("link.linked", i18n.Args{"Login": discord.Code(login)})), nil
}

// ended forgets a device code GitHub will no longer accept, and says why.
func (s *Service) ended(ctx context.Context, req command.Request, key state.Key, target, why, text string) (discord.Message, error) {
	if err := s.Table.Release(ctx, key); err != nil {
		return s.fault(ctx, req, target, err)
	}
	s.record(ctx, req, target, "not linked", why)
	return reply(text), nil
}

// start asks GitHub for a code, keeps it until it expires, and shows it.
func (s *Service) start(ctx context.Context, req command.Request, p *i18n.Printer, by string) (discord.Message, error) {
	dev, err := s.Flow.Start(ctx)
	if err != nil {
		return s.githubFault(ctx, req, by, err)
	}
	now := s.now()
	d := pending{DeviceCode: dev.DeviceCode, UserCode: dev.UserCode, URL: dev.VerificationURI, Interval: max(dev.Interval, 1),
		Expires: now.Add(time.Duration(dev.ExpiresIn) * time.Second)}
	d.NextPoll = now.Add(time.Duration(d.Interval) * time.Second)
	if err := s.Table.Put(ctx, pendingKey(by), time.Duration(dev.ExpiresIn)*time.Second, d); err != nil {
		return s.fault(ctx, req, by, err)
	}
	return reply(p.T("link.code", codeArgs(p, d, now))), nil
}

// codeArgs are the code, its URL and the time left, for the answers that show them.
func codeArgs(p *i18n.Printer, d pending, now time.Time) i18n.Args {
	return i18n.Args{"Code": discord.Code(d.UserCode), "URL": d.URL, "Left": p.Duration(d.Expires.Sub(now).Round(time.Minute))}
}

// poll polls GitHub at d's interval until it answers other than authorization_pending, for at
// most PollFor, and not past ctx's deadline; d keeps the interval and the next poll's time.
func (s *Service) poll(ctx context.Context, d *pending) (string, error) {
	sleep := s.Sleep
	if sleep == nil {
		sleep = wait
	}
	start := s.now()
	end := start.Add(cmp.Or(s.PollFor, DefaultPollFor))
	for {
		now := s.now()
		if w := d.NextPoll.Sub(now); w > 0 {
			if now.Add(w).After(end) || !roomFor(ctx, w) {
				return "", ErrPending
			}
			if err := sleep(ctx, w); err != nil {
				return "", err
			}
		}
		token, interval, err := s.Flow.Poll(ctx, d.DeviceCode)
		switch {
		case errors.Is(err, ErrSlowDown):
			// GitHub adds 5 seconds and says the new interval: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#rate-limits-for-the-device-flow
			d.Interval = max(int(interval/time.Second), d.Interval+5)
		case !errors.Is(err, ErrPending):
			return token, err
		}
		d.NextPoll = s.now().Add(time.Duration(d.Interval) * time.Second)
	}
}

// roomFor says whether ctx leaves time to wait w and poll once more (a few seconds).
func roomFor(ctx context.Context, w time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > w+3*time.Second
}

// wait sleeps d, or less when ctx ends.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait to poll: %w", ctx.Err())
	}
}
