// Package deploy is /deploy and /rollback: a card that asks for approval, and the dispatch of
// the deploy workflow through the GitHub App once a member with an allowed role approves.
//
// The card is the only state. Its first embed holds the request (environment, ref, commit,
// requester) and its history; its buttons' custom_ids hold the requester and the time of the
// request. deploy-notify later adds a second embed with the run's status and replaces the
// buttons; edits here keep every embed but the first. The run is tied to the card by the
// correlation id deployrun.CorrelationID(channel, message), which the workflow puts in its
// run-name.
//
// Upstream references:
//   - Workflow dispatch: https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event
//   - Workflow runs: https://docs.github.com/en/rest/actions/workflow-runs
//   - Responding to a button: https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
package deploy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/appclient"
	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
)

// approvalWindow is how long a card may be approved: the 15 minutes of an interaction token.
const approvalWindow = 15 * time.Minute

// Originals reads the message an interaction token answers; *rest.Client satisfies it.
type Originals interface {
	GetOriginal(ctx context.Context, applicationID, token string) (discord.Message, error)
}

// Service requests, approves and dispatches deploys. Build it once per execution environment.
type Service struct {
	GitHub        RepoClients
	Discord       Originals
	ApplicationID string
	Repository    string // owner/repo (GITHUB_REPOSITORY)
	Workflow      string // DEPLOY_WORKFLOW
	Environments  []string
	Policy        authz.Policy
	Log           *slog.Logger
	Now           func() time.Time
}

// DeployCommand is def, the /deploy definition, answered by s. s may be nil where only the
// definition is used.
func DeployCommand(s *Service, def command.Command) command.Command {
	def.Quick = func(req command.Request) command.Reply { return s.requestQuick(KindDeploy, req) }
	def.Work = func(ctx context.Context, req command.Request) (discord.Message, error) {
		return s.requestWork(ctx, KindDeploy, req)
	}
	def.Buttons = s.buttons(KindDeploy)
	return def
}

// RollbackCommand is def, the /rollback definition, answered by s; it also routes the "Roll
// back" button deploy-notify puts under a failed deploy, which opens a new rollback card.
func RollbackCommand(s *Service, def command.Command) command.Command {
	def.Quick = func(req command.Request) command.Reply { return s.requestQuick(KindRollback, req) }
	def.Work = func(ctx context.Context, req command.Request) (discord.Message, error) {
		return s.requestWork(ctx, KindRollback, req)
	}
	def.Buttons = append(s.buttons(KindRollback), command.Button{
		Prefix: deployrun.RollbackButtonPrefix,
		Quick:  s.rollbackStart,
		Work:   def.Work,
	})
	return def
}

func (s *Service) buttons(k Kind) []command.Button {
	return []command.Button{
		{Prefix: k.approvePrefix(), Quick: func(req command.Request) command.Reply { return s.approve(k, req) },
			Work: func(ctx context.Context, req command.Request) (discord.Message, error) {
				return s.dispatch(ctx, k, req)
			}},
		{Prefix: k.cancelPrefix(), Quick: func(req command.Request) command.Reply { return s.cancel(k, req) }},
	}
}

// refPattern is what a branch or tag name may look like here: git's rules, roughly, without
// spaces; a full commit id is refused because a dispatch needs a branch or tag.
var (
	refPattern = regexp.MustCompile(`^[A-Za-z0-9._/+-]+$`) // and at most 255 bytes
	shaPattern = regexp.MustCompile(`^[0-9a-f]+$`)         // and exactly 40
)

// environment is the environment a request names: the option of the command, or the end of
// the custom_id of deploy-notify's "Roll back" button.
func environment(req command.Request) string {
	if c := req.Interaction.Component; c != nil {
		return strings.TrimPrefix(c.CustomID, deployrun.RollbackButtonPrefix)
	}
	return req.Option("environment")
}

// check refuses at once what cannot become a card: a member without an allowed role, an
// environment not offered, a ref that is not a branch or tag name.
func (s *Service) check(k Kind, req command.Request) string {
	in := req.Interaction
	env := environment(req)
	if err := s.Policy.Allow(in, k.action()); err != nil {
		s.audit(context.Background(), req, authz.Entry{Action: string(k) + ".request", Target: env, Outcome: "denied", Detail: authz.DenialReason(err)})
		return err.Error()
	}
	if !slices.Contains(s.Environments, env) {
		return fmt.Sprintf("%s is not an environment I deploy to: choose one of %s.", discord.Quote(env), strings.Join(s.Environments, ", "))
	}
	ref := req.Option("ref")
	if ref != "" && (len(ref) > 255 || !refPattern.MatchString(ref) || (len(ref) == 40 && shaPattern.MatchString(ref)) || strings.Contains(ref, "..")) {
		return fmt.Sprintf("%s is not a branch or tag name. GitHub starts workflows on branches and tags only; to deploy an older commit, use `/rollback`.", discord.Quote(ref))
	}
	return ""
}

// requestQuick checks a /deploy or /rollback and defers the card to the worker, which reads
// GitHub.
func (s *Service) requestQuick(k Kind, req command.Request) command.Reply {
	if msg := s.check(k, req); msg != "" {
		return command.Ephemeral(msg)
	}
	return command.Defer(false)
}

// rollbackStart answers the "Roll back" button of deploy-notify with a new rollback card (a
// new message: deploy-notify's card is left as it is).
func (s *Service) rollbackStart(req command.Request) command.Reply {
	if msg := s.check(KindRollback, req); msg != "" {
		return command.Ephemeral(msg)
	}
	return command.RespondAndDefer(discord.Deferred(false))
}

// requestWork makes the card: it reads GitHub for the ref's commit and what it changes (a
// deploy) or the commit to go back to (a rollback).
func (s *Service) requestWork(ctx context.Context, k Kind, req command.Request) (discord.Message, error) {
	r := Request{Kind: k, Environment: environment(req), RequestedAt: req.Received.UTC().Truncate(time.Second)}
	if u := req.Interaction.Invoker(); u != nil {
		r.RequesterID, r.Requester = u.ID, u.Username
	}
	msg, err := s.card(ctx, &r, req.Option("ref"))
	outcome, detail := "requested", ""
	if err != nil {
		outcome, detail = "failed", err.Error()
	}
	s.audit(ctx, req, authz.Entry{Action: string(k) + ".request", Target: r.target(), Outcome: outcome, Detail: detail})
	return msg, err
}

func (s *Service) card(ctx context.Context, r *Request, ref string) (discord.Message, error) {
	repo, err := s.repo(ctx)
	if err != nil {
		return discord.Message{}, err
	}
	if ref == "" {
		if ref, err = repo.defaultBranch(ctx); err != nil {
			return discord.Message{}, err
		}
	}
	r.Ref = ref
	deploys, err := repo.successfulDeploys(ctx, r.Environment)
	if err != nil {
		return discord.Message{}, err
	}
	if r.Kind == KindRollback {
		return s.rollbackCard(ctx, repo, r, deploys)
	}
	if r.SHA, err = repo.head(ctx, ref); err != nil {
		return discord.Message{}, err
	}
	changes := fmt.Sprintf("First deploy of %s by this workflow: no successful run of %s for it among the last %d.", discord.Quote(r.Environment), discord.Quote(s.Workflow), repo.successfulLimit)
	if len(deploys) > 0 {
		base := deploys[0].SHA
		c, err := repo.compare(ctx, base, r.SHA)
		if err != nil {
			s.Log.LogAttrs(ctx, slog.LevelWarn, "compare for the card", slog.String("error", err.Error()))
			changes = "Unknown: GitHub could not compare " + discord.Quote(short(base)) + " (running now) with this ref."
		} else {
			changes = changesText(r.Environment, base, c)
		}
	}
	return NewCard(*r, changes), nil
}

// rollbackCard names the commit a rollback deploys: the commit of the newest successful deploy
// of the environment that differs from the newest one's. A deploy's commit is its run's head
// commit, or, for a rollback, the commit its run-name names (deployrun.Title.DeployedSHA).
func (s *Service) rollbackCard(ctx context.Context, repo repo, r *Request, deploys []deployed) (discord.Message, error) {
	if len(deploys) == 0 {
		return discord.Message{}, userErrorf(nil, "No successful deploy of %s yet (among the last %d successful runs of %s): nothing to roll back to.",
			discord.Quote(r.Environment), repo.successfulLimit, discord.Quote(s.Workflow))
	}
	current := deploys[0].SHA
	for _, d := range deploys[1:] {
		if d.SHA == current {
			continue
		}
		r.SHA = d.SHA
		changes := fmt.Sprintf("%s runs %s now ([run](%s)); this deploys %s again, from the deploy of <t:%d:f> ([run](%s)).",
			r.Environment, discord.Quote(short(current)), deploys[0].GetHTMLURL(), discord.Quote(short(r.SHA)), d.GetCreatedAt().Unix(), d.GetHTMLURL())
		if c, err := repo.compare(ctx, r.SHA, current); err == nil && c.AheadBy > 0 {
			changes += fmt.Sprintf("\nTakes out %d commit(s):\n%s", c.AheadBy, changesText(r.Environment, r.SHA, Comparison{Status: "ahead", AheadBy: c.AheadBy, Commits: c.Commits}))
		}
		return NewCard(*r, changes), nil
	}
	return discord.Message{}, userErrorf(nil, "No earlier successful deploy of %s to roll back to: every successful run among the last %d deployed %s.",
		discord.Quote(r.Environment), repo.successfulLimit, discord.Quote(short(current)))
}

func (s *Service) repo(ctx context.Context) (repo, error) {
	owner, name, _ := strings.Cut(s.Repository, "/")
	c, err := s.GitHub.RepoClient(ctx, owner, name)
	if err != nil {
		return repo{}, appclient.Error(err, s.Repository)
	}
	return repo{client: c, owner: owner, name: name, workflow: s.Workflow, fullName: s.Repository, successfulLimit: 100}, nil
}

// approve answers a click on Approve at once, from the card alone: refused (the card shows
// why and stays open), already decided, expired, or approved, when the card is locked (its
// buttons disabled) in the same answer and the dispatch handed to the worker.
func (s *Service) approve(k Kind, req command.Request) command.Reply {
	in := req.Interaction
	r, reply, ok := s.readOpen(k, req, "approve")
	if !ok {
		return reply
	}
	who := mention(in)
	if err := s.Policy.AllowApproval(in, k.action(), r.Environment, r.RequesterID); err != nil {
		s.audit(context.Background(), req, authz.Entry{Action: string(k) + ".approve", Target: r.target(), Outcome: "denied", Detail: authz.DenialReason(err)})
		e := withState(in.Message.Embeds[0], state{description: in.Message.Embeds[0].Description, color: in.Message.Embeds[0].Color,
			at: req.Received, history: "approve by " + who + " refused: " + err.Error()})
		return command.Respond(discord.Update(discord.Message{Embeds: append([]discord.Embed{e}, in.Message.Embeds[1:]...)}))
	}
	if age := req.Received.Sub(r.RequestedAt); age > approvalWindow {
		s.audit(context.Background(), req, authz.Entry{Action: string(k) + ".approve", Target: r.target(), Outcome: "expired",
			Detail: "requested " + age.Round(time.Minute).String() + " before"})
		return s.close(k, req, r, state{color: discord.ColorGrey, at: req.Received,
			description: fmt.Sprintf("⌛ Expired: not approved within %d minutes of the request. Run `/%s` again for a fresh card.", int(approvalWindow.Minutes()), k),
			history:     "approve by " + who + " too late: expired"})
	}
	s.audit(context.Background(), req, authz.Entry{Action: string(k) + ".approve", Target: r.target(), Outcome: "approved"})
	reply = s.close(k, req, r, state{color: discord.ColorBlue, at: req.Received,
		description: "⏳ Approved by " + who + ": dispatching…", history: "approved by " + who})
	return command.RespondAndDefer(reply.Response(discord.InteractionMessageComponent))
}

// cancel closes the card: the requester or a member with an allowed role may.
func (s *Service) cancel(k Kind, req command.Request) command.Reply {
	in := req.Interaction
	r, reply, ok := s.readOpen(k, req, "cancel")
	if !ok {
		return reply
	}
	who := mention(in)
	if u := in.Invoker(); u == nil || u.ID != r.RequesterID {
		if err := s.Policy.Allow(in, k.action()); err != nil {
			s.audit(context.Background(), req, authz.Entry{Action: string(k) + ".cancel", Target: r.target(), Outcome: "denied", Detail: authz.DenialReason(err)})
			e := withState(in.Message.Embeds[0], state{description: in.Message.Embeds[0].Description, color: in.Message.Embeds[0].Color,
				at: req.Received, history: "cancel by " + who + " refused: " + err.Error()})
			return command.Respond(discord.Update(discord.Message{Embeds: append([]discord.Embed{e}, in.Message.Embeds[1:]...)}))
		}
	}
	s.audit(context.Background(), req, authz.Entry{Action: string(k) + ".cancel", Target: r.target(), Outcome: "cancelled"})
	return s.close(k, req, r, state{color: discord.ColorGrey, at: req.Received,
		description: "✖️ Cancelled by " + who + ". Nothing was dispatched.", history: "cancelled by " + who})
}

// readOpen reads the clicked card and checks that it is still open. When it is not, reply is
// the answer: only the clicker sees it, the card stays as it is.
func (s *Service) readOpen(k Kind, req command.Request, verb string) (Request, command.Reply, bool) {
	in := req.Interaction
	r, err := Read(k, in.Message, in.Component.CustomID)
	if err != nil {
		return Request{}, command.Ephemeral(fmt.Sprintf("I can't read this card any more. Run `/%s` again for a fresh one.", k)), false
	}
	if !Open(k, in.Message) {
		s.audit(context.Background(), req, authz.Entry{Action: string(k) + "." + verb, Target: r.target(), Outcome: "ignored", Detail: "card already closed"})
		return r, command.Ephemeral("This request is already closed: " + in.Message.Embeds[0].Description), false
	}
	return r, command.Reply{}, true
}

// close answers a click by changing the card to st with its buttons disabled.
func (s *Service) close(k Kind, req command.Request, r Request, st state) command.Reply {
	m := req.Interaction.Message
	e := withState(m.Embeds[0], st)
	return command.Respond(discord.Update(discord.Message{
		Embeds:     append([]discord.Embed{e}, m.Embeds[1:]...),
		Components: buttons(r, false, ""),
	}))
}

// dispatch is the worker of an approval: it starts the deploy workflow once and shows the
// run on the card. Before dispatching it checks the card (read again through the token) and
// the workflow's recent runs for this card's correlation id, so that a repeated delivery of the
// approval finds the first one's run instead of starting a second.
func (s *Service) dispatch(ctx context.Context, k Kind, req command.Request) (discord.Message, error) {
	in := req.Interaction
	r, err := Read(k, in.Message, in.Component.CustomID)
	if err != nil {
		return discord.Message{}, userErrorf(err, "I can't read this card any more. Run `/%s` again for a fresh one.", k)
	}
	who := mention(in)
	correlationID := deployrun.CorrelationID(in.ChannelID, in.Message.ID)
	current := s.original(ctx, in, who)
	entry := authz.Entry{Action: string(k) + ".dispatch", Target: r.target(), Outcome: "dispatched"}
	if dispatched(current) {
		entry.Outcome, entry.Detail = "duplicate", "the card already shows a run"
		s.audit(ctx, req, entry)
		return discord.Message{Embeds: current.Embeds}, nil
	}
	run, err := s.startOnce(ctx, r, correlationID)
	// Read again: deploy-notify may have put the run's status on the card meanwhile.
	current = s.original(ctx, in, who)
	now := s.Now().UTC()
	var st state
	runURL := ""
	switch {
	case err != nil:
		entry.Outcome, entry.Detail = "failed", err.Error()
		text := "⚠️ I couldn't dispatch: an internal error. Ask whoever runs the bot to look for request `" + req.RequestID + "` in the interactions function's logs, then run `/" + string(k) + "` again."
		var ce *command.Error
		if errors.As(err, &ce) {
			text = "⚠️ Not dispatched: " + ce.Message + " Then run `/" + string(k) + "` again."
		}
		st = state{description: text + "\nApproved by " + who + ".", color: discord.ColorRed, at: now, history: "dispatch failed"}
	default:
		if run.duplicate {
			entry.Outcome, entry.Detail = "duplicate", "run already started for this card"
		}
		runURL = run.HTMLURL
		verb := map[Kind]string{KindDeploy: "Deploy", KindRollback: "Rollback"}[k]
		st = state{description: fmt.Sprintf("🚀 %s dispatched <t:%d:f> · approved by %s.", verb, now.Unix(), who), color: discord.ColorGreen, at: now,
			history: "dispatched " + s.Workflow}
		if run.ID != 0 {
			entry.Detail = strings.TrimSpace(entry.Detail + " " + run.HTMLURL)
			st.history = fmt.Sprintf("dispatched run %d", run.ID)
		}
	}
	s.audit(ctx, req, entry)
	e := withState(current.Embeds[0], st)
	if err == nil {
		value := "Starting: its status appears below when GitHub reports it."
		if runURL != "" {
			value = fmt.Sprintf("[#%d](%s)", run.ID, runURL)
		}
		e = setField(e, fieldRun, value, true)
	}
	out := discord.Message{Embeds: append([]discord.Embed{e}, current.Embeds[1:]...)}
	if ours(current) {
		out.Components = buttons(r, false, runURL)
	}
	return out, nil
}

// original reads the card as it is now through the click's token. When that fails it is the
// card as clicked, locked: an edit then drops a status embed deploy-notify may have added,
// which its next event puts back.
func (s *Service) original(ctx context.Context, in discord.Interaction, who string) discord.Message {
	m, err := s.Discord.GetOriginal(ctx, s.ApplicationID, in.Token)
	if err == nil && len(m.Embeds) > 0 {
		return m
	}
	s.Log.LogAttrs(ctx, slog.LevelWarn, "read the card before editing it", slog.Any("error", err))
	m = *in.Message
	m.Embeds = append([]discord.Embed{withState(m.Embeds[0], state{description: "⏳ Approved by " + who + ": dispatching…", color: discord.ColorBlue})}, m.Embeds[1:]...)
	return m
}

// startedRun is the run an approval started, or found already started.
type startedRun struct {
	RunDetails
	duplicate bool
}

// startOnce dispatches the workflow for r unless a run of this card already exists.
func (s *Service) startOnce(ctx context.Context, r Request, correlationID string) (startedRun, error) {
	repo, err := s.repo(ctx)
	if err != nil {
		return startedRun{}, err
	}
	since := r.RequestedAt.Add(-time.Minute)
	if run, err := repo.runFor(ctx, correlationID, since); err != nil {
		return startedRun{}, err
	} else if run != nil {
		return startedRun{RunDetails: RunDetails{ID: run.GetID(), HTMLURL: run.GetHTMLURL()}, duplicate: true}, nil
	}
	sha := ""
	if r.Kind == KindRollback {
		sha = r.SHA
	}
	details, err := repo.dispatch(ctx, r.Ref, map[string]string{
		"environment":    r.Environment,
		"sha":            sha,
		"requested_by":   RequestedBy(r.Requester),
		"correlation_id": correlationID,
	})
	if err != nil {
		return startedRun{}, err
	}
	if details.ID == 0 { // 204: GitHub did not say; the run may already be listed
		if run, err := repo.runFor(ctx, correlationID, since); err == nil && run != nil {
			details = RunDetails{ID: run.GetID(), HTMLURL: run.GetHTMLURL()}
		}
	}
	return startedRun{RunDetails: details}, nil
}

// ours says whether the card's buttons are still the ones this package put there, not
// deploy-notify's (which replaces them once the run reports).
func ours(m discord.Message) bool {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if c.CustomID == "" || !(strings.HasPrefix(c.CustomID, string(KindDeploy)+":") || strings.HasPrefix(c.CustomID, string(KindRollback)+":")) ||
				strings.HasPrefix(c.CustomID, deployrun.RollbackButtonPrefix) {
				return false
			}
		}
	}
	return true
}

var requestedByUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// RequestedBy is the requested_by input for a Discord username: one token without spaces, as
// the run-name needs (deployrun.ParseTitle reads it back), at most 39 characters.
func RequestedBy(username string) string {
	s := strings.Trim(requestedByUnsafe.ReplaceAllString(username, "_"), "_")
	if s == "" {
		return "discord"
	}
	return discord.Truncate(s, 39)
}

// mention shows the clicking member on the card (allowed_mentions keeps it from pinging).
func mention(in discord.Interaction) string {
	if u := in.Invoker(); u != nil {
		return discord.Mention(u.ID)
	}
	return "someone"
}

// audit writes e, with the invoker, as the audit line of req.
func (s *Service) audit(ctx context.Context, req command.Request, e authz.Entry) {
	full := authz.EntryFor(req.Interaction, e.Action, e.Target, e.Outcome)
	full.Detail = e.Detail
	authz.Log(ctx, s.Log.With(slog.String("request_id", req.RequestID)), full)
}
