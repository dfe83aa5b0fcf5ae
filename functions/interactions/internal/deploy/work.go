package deploy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/appclient"
	"github.com/discord-chatops/chatops/functions/interactions/internal/approval"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// requestWork makes the card: it reads GitHub for the ref's commit and what it changes (a
// deploy) or the commit to go back to (a rollback).
func (s *Service) requestWork(ctx context.Context, k Kind, req command.Request) (discord.Message, error) {
	r := Proposal{Kind: k, Environment: environment(req), RequestedAt: req.Received.UTC().Truncate(time.Second)}
	if u := req.Interaction.Invoker(); u != nil {
		r.RequesterID, r.Requester = u.ID, u.Username
	}
	msg, err := s.card(ctx, approval.Channel(req), &r, req.Option("ref"), req.Option("to"))
	msg = s.warnInFlight(ctx, approval.Channel(req), r, msg)
	outcome, detail := "requested", ""
	if err != nil {
		outcome, detail = "failed", err.Error()
	}
	s.audit(ctx, req, audit.Entry{Action: string(k) + ".request", Target: r.target(), Environment: r.Environment, Outcome: outcome, Detail: detail})
	return msg, err
}

// card is the card of r, in the channel's language t, or why it cannot be made.
func (s *Service) card(ctx context.Context, t approval.Texts, r *Proposal, ref, to string) (discord.Message, error) {
	repo, err := s.repo(ctx, t)
	if err != nil {
		return discord.Message{}, err
	}
	if ref == "" {
		if ref, err = repo.defaultBranch(ctx); err != nil {
			return discord.Message{}, err
		}
	}
	r.Ref = ref
	h, err := s.readHistory(ctx, repo, r.Environment) // history.go: GitHub's deployments of the environment
	if err != nil {
		return discord.Message{}, err
	}
	if r.Kind == KindRollback {
		return s.rollbackCard(ctx, repo, r, h, to)
	}
	if r.SHA, err = repo.head(ctx, ref); err != nil {
		return discord.Message{}, err
	}
	changes := s.firstDeploy(t.Printer, h, r.Environment)
	if cur, ok := h.current(); ok {
		base := cur.SHA
		c, err := repo.compare(ctx, base, r.SHA)
		if err != nil {
			s.Log.LogAttrs(ctx, slog.LevelWarn, "compare for the card", slog.String("error", err.Error()))
			changes = t.Printer.T("deploy.changes.unknown", i18n.Args{"SHA": discord.Quote(short(base))})
		} else {
			changes = changesText(t.Printer, r.Environment, base, c)
		}
	}
	return NewCard(t.Printer, *r, changes), nil
}

// repo is the deployed repository, whose refusals t's language explains.
func (s *Service) repo(ctx context.Context, t approval.Texts) (repo, error) {
	owner, name, _ := strings.Cut(s.Repository, "/")
	c, err := s.GitHub.RepoClient(ctx, owner, name)
	if err != nil {
		return repo{}, appclient.Explain(err, s.Repository)
	}
	return repo{client: c, t: t, owner: owner, name: name, workflow: s.Workflow, fullName: s.Repository, successfulLimit: 100}, nil
}

// startApproved is the worker of an approval: it dispatches the deploy workflow once and shows
// the run on the card. What it dispatches, and who approved, it reads from the card's approval
// record, never from the card; without a record of this click's approval it dispatches
// nothing and says so on the card. The dispatch is claimed for this interaction and its result
// recorded, so that a repeated delivery of the work only shows the result again; startOnce
// also looks for a run of this card before dispatching, for a delivery after a dispatch whose
// result could not be recorded.
func (s *Service) startApproved(ctx context.Context, k Kind, req command.Request) (discord.Message, error) {
	in, t := req.Interaction, approval.Channel(req)
	r, err := Read(req.Texts, k, in.Message, in.Component.CustomID)
	if err != nil {
		return discord.Message{}, userError(err, t.Printer, "deploy.unreadable", i18n.Args{"Command": string(k)})
	}
	correlationID := deployrun.CorrelationID(in.ChannelID, in.Message.ID)
	rec, done, err := s.Approvals.Run(ctx, in.Message.ID, in.ID, "dispatch", func(ctx context.Context, rec approval.Record[Proposal]) approval.Record[Proposal] {
		return s.dispatch(ctx, t, k, req, rec, correlationID)
	})
	switch {
	case errors.Is(err, approval.ErrBusy):
		return discord.Message{}, err
	case errors.Is(err, approval.ErrUnconfirmed):
		s.Log.LogAttrs(ctx, slog.LevelWarn, "dispatch without a recorded approval refused", slog.String("error", err.Error()))
		s.audit(ctx, req, audit.Entry{Action: string(k) + ".dispatch", Target: r.target(), Environment: r.Environment, Outcome: "refused", Detail: "approval not confirmed"})
		current := s.original(ctx, t, in, t.Printer.T("deploy.state.locked"))
		e := withState(t, current.Embeds[0], state{color: discord.ColorRed, at: s.Now().UTC(), history: t.Printer.T("deploy.history.unconfirmed"),
			description: t.Printer.T("deploy.state.unconfirmed", i18n.Args{"Command": string(k)})})
		out := discord.Message{Embeds: append([]discord.Embed{e}, current.Embeds[1:]...)}
		if ours(current) {
			out.Components = buttons(t.Printer, r, false, "")
		}
		return out, nil
	case err != nil:
		return discord.Message{}, err
	case done:
		s.audit(ctx, req, audit.Entry{Action: string(k) + ".dispatch", Target: rec.Proposal.target(), Environment: rec.Proposal.Environment, Outcome: "duplicate",
			Detail: "already " + string(rec.State) + " " + rec.Result.URL})
	}
	// Read the card now: deploy-notify may have put the run's status on it meanwhile.
	return s.render(t, k, s.original(ctx, t, in, t.Printer.T("deploy.state.approved", i18n.Args{"Who": discord.Mention(rec.By)})), rec), nil
}

// dispatch is the step of an approval: it dispatches the workflow for the record's proposal,
// unless a run of this card exists, and returns the record with the outcome, said in t's
// language.
func (s *Service) dispatch(ctx context.Context, t approval.Texts, k Kind, req command.Request, rec approval.Record[Proposal], correlationID string) approval.Record[Proposal] {
	r := rec.Proposal
	run, err := s.startOnce(ctx, t, r, correlationID)
	entry := audit.Entry{Action: string(k) + ".dispatch", Target: r.target(), Environment: r.Environment, Outcome: "dispatched"}
	res := &approval.Result{At: s.Now().UTC(), RequestID: req.RequestID}
	rec.Result = res
	if err != nil {
		entry.Outcome, entry.Detail = "failed", err.Error()
		s.audit(ctx, req, entry)
		res.Text = t.Printer.T("deploy.result.internal", i18n.Args{"RequestID": req.RequestID, "Command": string(k)})
		var ce *command.Error
		if errors.As(err, &ce) {
			res.Text = t.Printer.T("deploy.result.refused", i18n.Args{"Reason": ce.Message, "Command": string(k)})
		}
		rec.State = approval.Failed
		return rec
	}
	if run.duplicate {
		entry.Outcome, entry.Detail = "duplicate", "run already started for this card"
	}
	if run.ID != 0 {
		entry.Detail = strings.TrimSpace(entry.Detail + " " + run.HTMLURL)
	}
	s.audit(ctx, req, entry)
	res.RunID, res.URL = run.ID, run.HTMLURL
	rec.State = approval.Dispatched
	s.holdLock(ctx, r, correlationID, rec.By, run.RunDetails)
	return rec
}

// render is the card current showing the outcome recorded in rec. Its history is the card's
// with the approval and the outcome rendered from the record, so that neither is lost when
// current is a copy from before the click's own update.
func (s *Service) render(t approval.Texts, k Kind, current discord.Message, rec approval.Record[Proposal]) discord.Message {
	who := discord.Mention(rec.By)
	res := rec.Result
	e := withState(t, current.Embeds[0], state{description: current.Embeds[0].Description, color: current.Embeds[0].Color,
		at: rec.At, history: approvedLine(t.Printer, who)})
	st := state{description: t.Printer.T("deploy.state.failedby", i18n.Args{"Result": res.Text, "Who": who}), color: discord.ColorRed, at: res.At,
		history: t.Printer.T("deploy.history.failed")}
	if rec.State == approval.Dispatched {
		args := i18n.Args{"At": fmt.Sprintf("<t:%d:f>", res.At.Unix()), "Who": who}
		description := t.Printer.T("deploy.state.dispatched.deploy", args)
		if k == KindRollback {
			description = t.Printer.T("deploy.state.dispatched.rollback", args)
		}
		st = state{description: description, color: discord.ColorGreen, at: res.At,
			history: t.Printer.T("deploy.history.dispatched", i18n.Args{"Workflow": s.Workflow})}
		if res.RunID != 0 {
			st.history = t.Printer.T("deploy.history.dispatchedrun", i18n.Args{"Run": res.RunID})
		}
	}
	e = withState(t, e, st)
	if rec.State == approval.Dispatched {
		value := t.Printer.T("deploy.run.starting")
		if res.URL != "" {
			value = fmt.Sprintf("[#%d](%s)", res.RunID, res.URL)
		}
		e = setField(t, e, fieldRun, value, true)
	}
	out := discord.Message{Embeds: append([]discord.Embed{e}, current.Embeds[1:]...)}
	if ours(current) {
		out.Components = buttons(t.Printer, rec.Proposal, false, res.URL)
	}
	return out
}

// original reads the card as it is now through the click's token. When that fails it is the
// card as clicked, locked and showing locked: an edit then drops a status embed deploy-notify
// may have added, which its next event puts back.
func (s *Service) original(ctx context.Context, t approval.Texts, in discord.Interaction, locked string) discord.Message {
	m, err := s.Discord.GetOriginal(ctx, s.ApplicationID, in.Token)
	if err == nil && len(m.Embeds) > 0 {
		return m
	}
	s.Log.LogAttrs(ctx, slog.LevelWarn, "read the card before editing it", slog.Any("error", err))
	m = *in.Message
	m.Embeds = append([]discord.Embed{withState(t, m.Embeds[0], state{description: locked, color: discord.ColorBlue})}, m.Embeds[1:]...)
	return m
}

// startedRun is the run an approval started, or found already started.
type startedRun struct {
	RunDetails
	duplicate bool
}

// startOnce dispatches the workflow for r unless a run of this card already exists.
func (s *Service) startOnce(ctx context.Context, t approval.Texts, r Proposal, correlationID string) (startedRun, error) {
	repo, err := s.repo(ctx, t)
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
