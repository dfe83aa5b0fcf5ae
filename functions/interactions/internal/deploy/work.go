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
	r.CommitURL = repo.commitURL(r.SHA)
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
	return repo{client: c, t: t, owner: owner, name: name, workflow: s.Workflow, fullName: s.Repository, successfulLimit: 100,
		webURL: webURL(c.BaseURL, owner, name)}, nil
}

// dispatch is the action of an approval: it dispatches the workflow for the record's proposal,
// unless a run of this card exists, and says the outcome in t's language.
func (s *Service) dispatch(ctx context.Context, t approval.Texts, req command.Request, rec approval.Record[Proposal]) approval.Outcome {
	r, in := rec.Proposal, req.Interaction
	run, err := s.startOnce(ctx, t, r, deployrun.CorrelationID(in.ChannelID, in.Message.ID))
	if err != nil {
		o := approval.Outcome{State: approval.Failed, Audited: "failed", Detail: err.Error(), Result: approval.Result{
			Line: t.Printer.T("deploy.history.failed"),
			Text: t.Printer.T("deploy.result.internal", i18n.Args{"RequestID": req.RequestID, "Command": string(r.Kind)})}}
		var ce *command.Error
		if errors.As(err, &ce) {
			o.Result.Text = t.Printer.T("deploy.result.refused", i18n.Args{"Reason": ce.Message, "Command": string(r.Kind)})
		}
		return o
	}
	o := approval.Outcome{State: approval.Dispatched, Audited: "dispatched", Result: approval.Result{RunID: run.ID, URL: run.HTMLURL,
		Line: t.Printer.T("deploy.history.dispatched", i18n.Args{"Workflow": s.Workflow})}}
	if run.HTMLURL != "" {
		o.Result.Line = t.Printer.T("deploy.history.dispatchedrun", i18n.Args{"URL": run.HTMLURL})
	}
	if run.duplicate {
		o.Audited, o.Detail = "duplicate", "run already started for this card"
	}
	if run.ID != 0 {
		o.Detail = strings.TrimSpace(o.Detail + " " + run.HTMLURL)
	}
	s.holdLock(ctx, r, deployrun.CorrelationID(in.ChannelID, in.Message.ID), rec.By, run.RunDetails)
	return o
}

// render is the card showing v: its status in the description, its history field, and its
// buttons: Approve and Cancel while open (disabled while dispatching), only the run's link
// once dispatched (a status embed deploy-notify adds below says the rest), none once closed
// otherwise. Buttons deploy-notify put there instead are kept.
func (s *Service) render(t approval.Texts, k Kind, card discord.Message, v approval.View[Proposal]) discord.Message {
	p := t.Printer
	e := card.Embeds[0]
	switch {
	case v.Unconfirmed:
		e.Description = p.T("deploy.state.unconfirmed", i18n.Args{"Command": string(k)})
	case v.State == approval.Approved:
		e.Description = p.T("deploy.state.approved", i18n.Args{"Who": v.Who})
	case v.State == approval.Cancelled:
		e.Description = p.T("deploy.state.cancelled", i18n.Args{"Who": v.Who})
	case v.State == approval.Expired:
		e.Description = p.T("deploy.state.expired", i18n.Args{"Minutes": int(approval.Window.Minutes()), "Command": string(k)})
	case v.State == approval.Dispatched:
		id, args := "deploy.state.dispatched.deploy", i18n.Args{"At": fmt.Sprintf("<t:%d:f>", v.Record.Result.At.Unix()), "Who": v.Who}
		if k == KindRollback {
			id = "deploy.state.dispatched.rollback"
		}
		e.Description = p.T(id, args)
	case v.State == approval.Failed:
		e.Description = p.T("deploy.state.failedby", i18n.Args{"Result": v.Record.Result.Text, "Who": v.Who})
	}
	e.Description = discord.Truncate(e.Description, discord.MaxEmbedDescription)
	e.Color = v.Color
	e = withHistory(t, e, v.History)
	out := discord.Message{Embeds: append([]discord.Embed{e}, card.Embeds[1:]...), Components: card.Components}
	if !ours(card) {
		return out
	}
	switch {
	case v.State == approval.Open || v.State == approval.Approved:
		out.Components = v.Buttons
	case v.State == approval.Dispatched && v.Record.Result.URL != "":
		out.Components = []discord.Component{discord.ActionRow(discord.LinkButton(p.T("deploy.button.run"), v.Record.Result.URL))}
	default:
		out.Components = []discord.Component{} // sent as [], which removes the buttons
	}
	return out
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
