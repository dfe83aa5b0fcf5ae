package notify

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// colorOrange marks what went wrong without a plain failure: a run that timed out, a
// deployment that errored.
const colorOrange = 0xE67E22

// look is how a status reads and shows.
type look struct {
	title    string // message id of the title: "{{.Subject}} failed"
	status   string // message id of the status as the footer says it
	color    int
	rollback bool // offer the "Roll back" button
}

// runLooks covers the workflow_run actions and every conclusion GitHub documents. A run that
// timed out may have left the environment half-deployed, so it is offered a roll back like a
// failure; a startup failure never ran a step, so it is not.
var runLooks = map[string]look{
	"requested":       {"notify.title.running", "notify.status.requested", discord.ColorBlue, false},
	"in_progress":     {"notify.title.running", "notify.status.in_progress", discord.ColorBlue, false},
	"success":         {"notify.title.success", "notify.status.success", discord.ColorGreen, false},
	"failure":         {"notify.title.failure", "notify.status.failure", discord.ColorRed, true},
	"cancelled":       {"notify.title.cancelled", "notify.status.cancelled", discord.ColorGrey, false},
	"timed_out":       {"notify.title.timed_out", "notify.status.timed_out", colorOrange, true},
	"action_required": {"notify.title.action_required", "notify.status.action_required", discord.ColorYellow, false},
	"startup_failure": {"notify.title.startup_failure", "notify.status.startup_failure", discord.ColorPurple, false},
	"stale":           {"notify.title.stale", "notify.status.stale", discord.ColorGrey, false},
	"skipped":         {"notify.title.skipped", "notify.status.skipped", discord.ColorGrey, false},
	"neutral":         {"notify.title.neutral", "notify.status.neutral", discord.ColorGrey, false},
}

// deploymentLooks covers the deployment states Decide reports; every running state is
// "in_progress" by then.
var deploymentLooks = map[string]look{
	"in_progress": {"notify.title.running", "notify.status.in_progress", discord.ColorBlue, false},
	"success":     {"notify.title.success", "notify.status.success", discord.ColorGreen, false},
	"failure":     {"notify.title.failure", "notify.status.failure", discord.ColorRed, false},
	"error":       {"notify.title.errored", "notify.status.error", colorOrange, false},
}

// look is how r's status shows; ok is false for a status GitHub added after this code, shown
// in grey with its name as GitHub spells it.
func (r Report) look() (l look, ok bool) {
	looks := runLooks
	if r.Source == SourceDeployment {
		looks = deploymentLooks
	}
	l, ok = looks[r.Status]
	if !ok {
		l.color = discord.ColorGrey
	}
	return l, ok
}

// status is r's status as the footer says it: "failure" / "실패".
func (r Report) status(p *i18n.Printer) string {
	if l, ok := r.look(); ok {
		return p.T(l.status)
	}
	return r.Status
}

// Title is the embed's title in p's language: "Deploy to prod failed" / "prod 배포에 실패했습니다".
func (r Report) Title(p *i18n.Printer) string {
	var subject string
	switch {
	case r.Source == SourceDeployment && r.Environment != "":
		subject = p.T("notify.subject.deployment_env", i18n.Args{"Env": r.Environment})
	case r.Source == SourceDeployment:
		subject = p.T("notify.subject.deployment")
	case r.Environment != "":
		subject = p.T("notify.subject.run_env", i18n.Args{"Env": r.Environment})
	default:
		subject = p.T("notify.subject.run")
	}
	if l, ok := r.look(); ok {
		return p.T(l.title, i18n.Args{"Subject": subject})
	}
	return p.T("notify.title.finished", i18n.Args{"Subject": subject, "Status": r.Status})
}

// Embed is the status embed in p's language: on the card, or alone in a channel message.
func (r Report) Embed(p *i18n.Printer) discord.Embed {
	l, _ := r.look()
	e := discord.Embed{
		Title:       r.Title(p),
		URL:         r.URL,
		Color:       l.color,
		Description: r.description(p),
		Fields:      r.fields(p),
		Footer:      &discord.EmbedFooter{Text: r.footer(p)},
	}
	if !r.Time.IsZero() {
		e.Timestamp = r.Time.UTC().Format(time.RFC3339)
	}
	return e
}

func (r Report) description(p *i18n.Printer) string {
	var parts []string
	if r.Repository != "" {
		repo := discord.Escape(r.Repository)
		if r.RepoURL != "" {
			repo = "[" + repo + "](" + r.RepoURL + ")"
		}
		parts = append(parts, repo)
	}
	if run := r.runLink(p); run != "" {
		parts = append(parts, run)
	}
	d := strings.Join(parts, " · ")
	if r.Description != "" {
		d += "\n" + discord.Escape(r.Description)
	}
	return strings.TrimSpace(d)
}

func (r Report) fields(p *i18n.Printer) []discord.EmbedField {
	var f []discord.EmbedField
	add := func(name, value string) {
		if value != "" {
			f = append(f, discord.EmbedField{Name: name, Value: value, Inline: true})
		}
	}
	if r.Environment != "" {
		add(p.T("notify.field.environment"), discord.Code(r.Environment))
	}
	if r.Ref != "" {
		add(p.T("notify.field.ref"), discord.Code(r.Ref))
	}
	add(p.T("notify.field.commit"), r.commit())
	add(p.T("notify.field.requested_by"), discord.Escape(r.RequestedBy))
	if d, ok := r.Duration(); ok {
		add(p.T("notify.field.duration"), p.Duration(d))
	} else if r.Running() && !r.Started.IsZero() {
		add(p.T("notify.field.started"), fmt.Sprintf("<t:%d:R>", r.Started.Unix())) // Discord shows "2 minutes ago" in the reader's language
	}
	if r.Source == SourceRun && r.Attempt > 1 {
		add(p.T("notify.field.attempt"), p.Count(r.Attempt))
	}
	return f
}

func (r Report) commit() string {
	if r.SHA == "" {
		return ""
	}
	short := discord.Code(r.SHA[:min(len(r.SHA), 7)])
	if r.RepoURL == "" {
		return short
	}
	return "[" + short + "](" + r.RepoURL + "/commit/" + r.SHA + ")"
}

// Components are the buttons under the status, labelled in p's language: "Roll back" for a
// failed deploy whose environment is known, and a link to the run or deployment. nil when there
// are none.
func (r Report) Components(p *i18n.Printer) []discord.Component {
	var row []discord.Component
	if l, _ := r.look(); r.Source == SourceRun && l.rollback && r.Environment != "" {
		if id := deployrun.RollbackButtonID(r.Environment); len(id) <= discord.MaxCustomID {
			row = append(row, discord.Button(discord.ButtonDanger, p.T("notify.button.rollback"), id))
		}
	}
	if r.URL != "" {
		label := p.T("notify.button.view_run")
		if r.Source == SourceDeployment {
			label = p.T("notify.button.view_deployment")
		}
		row = append(row, discord.LinkButton(label, r.URL))
	}
	if len(row) == 0 {
		return nil
	}
	return []discord.Component{discord.ActionRow(row...)}
}

// Message is the report as a channel message in p's language, with its nonce.
func (r Report) Message(p *i18n.Printer) discord.Message {
	return discord.Message{
		Embeds:          []discord.Embed{r.Embed(p)},
		Components:      r.Components(p),
		AllowedMentions: discord.NoMentions(),
		Nonce:           r.Nonce(),
		EnforceNonce:    true,
	}
}

// maxNonce is the longest nonce Discord accepts.
const maxNonce = 25

// Nonce identifies the report among channel messages, so that a duplicate or retried event
// posts nothing new: one per run attempt and status, where both running statuses share one,
// and one per deployment and state. It is readable ("dn-4rbqz7-1-success") when that fits in
// 25 characters, else a hash of the same. Discord checks nonces over a few minutes only, the
// span in which EventBridge duplicates and Lambda's retries arrive.
func (r Report) Nonce() string { return r.nonce("dn") }

// nonce is Nonce with prefix for a run's messages: "dn" for its status post, "dr" for the
// reply to its result.
func (r Report) nonce(prefix string) string {
	var key string
	if r.Source == SourceRun {
		status := r.Status
		if r.Running() {
			status = "running"
		}
		key = fmt.Sprintf("%s-%s-%d-%s", prefix, strconv.FormatInt(r.RunID, 36), r.Attempt, status)
	} else {
		key = fmt.Sprintf("dd-%s-%s", strconv.FormatInt(r.DeploymentID, 36), r.Status)
	}
	if len(key) <= maxNonce {
		return key
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return key[:3] + strconv.FormatUint(h.Sum64(), 36)
}

// footer says which run attempt and status a run's status embed shows, so that a later event
// can tell whether it is newer (Texts.statusOf reads it back): "run #163 · attempt 1 · success"
// / "실행 #163 · 시도 1 · 성공". The run is named by its number, as in the description and the
// reply: one way to name a run. Cards written before carry the run's id instead ("run 289782451
// · attempt 1 · success", notify.footer.run_id), which statusOf still reads; a run without a
// number (GitHub always sends one) is written that way too.
func (r Report) footer(p *i18n.Printer) string {
	if r.Source == SourceRun && r.RunNumber <= 0 {
		return p.T("notify.footer.run_id", i18n.Args{"Run": strconv.FormatInt(r.RunID, 10), "Attempt": strconv.Itoa(r.Attempt), "Status": r.status(p)})
	}
	if r.Source == SourceRun {
		return p.T("notify.footer.run", i18n.Args{"Number": strconv.Itoa(r.RunNumber), "Attempt": strconv.Itoa(r.Attempt), "Status": r.status(p)})
	}
	return p.T("notify.footer.deployment", i18n.Args{
		"Deployment": strconv.FormatInt(r.DeploymentID, 10), "StatusID": strconv.FormatInt(r.DeploymentStatusID, 10), "Status": r.status(p),
	})
}

// shown is the run state a card's status embed shows. Its run is named by runNumber, or by
// runID on a card written before footers named the number.
type shown struct {
	runNumber int
	runID     int64
	attempt   int
	status    string
}

// otherRun compares r's run with the card's: other is true when they differ, later when r's is
// the later one (both run numbers and run ids grow).
func (r Report) otherRun(s shown) (other, later bool) {
	if s.runNumber == 0 {
		return r.RunID != s.runID, r.RunID > s.runID
	}
	return r.RunNumber != s.runNumber, r.RunNumber > s.runNumber
}

// shows reports whether the card shows r's own run attempt and status.
func (r Report) shows(s shown) bool {
	other, _ := r.otherRun(s)
	return !other && r.Attempt == s.attempt && r.Status == s.status
}

// supersedes reports whether r is newer than what the card shows: a later run, a later attempt
// of the same run (a re-run keeps its number), or a later status of the same attempt. Equal is
// not newer: a duplicate event changes nothing.
func (r Report) supersedes(s shown) bool {
	if other, later := r.otherRun(s); other {
		return later
	}
	if r.Attempt != s.attempt {
		return r.Attempt > s.attempt
	}
	return rank(r.Status) > rank(s.status)
}
