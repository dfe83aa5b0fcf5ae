package notify

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/deployrun"
	"github.com/discord-chatops/chatops/shared/discord"
)

// colorOrange marks what went wrong without a plain failure: a run that timed out, a
// deployment that errored.
const colorOrange = 0xE67E22

// look is how a status reads and shows.
type look struct {
	verb     string // completes "Deploy to prod ..."
	color    int
	rollback bool // offer the "Roll back" button
}

// runLooks covers the workflow_run actions and every conclusion GitHub documents. A run that
// timed out may have left the environment half-deployed, so it is offered a roll back like a
// failure; a startup failure never ran a step, so it is not.
var runLooks = map[string]look{
	"requested":       {"is running", discord.ColorBlue, false},
	"in_progress":     {"is running", discord.ColorBlue, false},
	"success":         {"succeeded", discord.ColorGreen, false},
	"failure":         {"failed", discord.ColorRed, true},
	"cancelled":       {"was cancelled", discord.ColorGrey, false},
	"timed_out":       {"timed out", colorOrange, true},
	"action_required": {"is waiting for action", discord.ColorYellow, false},
	"startup_failure": {"could not start", discord.ColorPurple, false},
	"stale":           {"went stale", discord.ColorGrey, false},
	"skipped":         {"was skipped", discord.ColorGrey, false},
	"neutral":         {"finished (neutral)", discord.ColorGrey, false},
}

// deploymentLooks covers the deployment states Decide reports; every running state is
// "in_progress" by then.
var deploymentLooks = map[string]look{
	"in_progress": {"is running", discord.ColorBlue, false},
	"success":     {"succeeded", discord.ColorGreen, false},
	"failure":     {"failed", discord.ColorRed, false},
	"error":       {"errored", colorOrange, false},
}

func (r Report) look() look {
	looks := runLooks
	if r.Source == SourceDeployment {
		looks = deploymentLooks
	}
	if l, ok := looks[r.Status]; ok {
		return l
	}
	return look{verb: "finished: " + r.Status, color: discord.ColorGrey}
}

// Title is the embed's title: "Deploy to prod failed".
func (r Report) Title() string {
	noun := "Deploy"
	if r.Source == SourceDeployment {
		noun = "Deployment"
	}
	if r.Environment != "" {
		noun += " to " + r.Environment
	}
	return noun + " " + r.look().verb
}

// Embed is the status embed: on the card, or alone in a channel message.
func (r Report) Embed() discord.Embed {
	l := r.look()
	e := discord.Embed{
		Title:       r.Title(),
		URL:         r.URL,
		Color:       l.color,
		Description: r.description(),
		Fields:      r.fields(),
		Footer:      &discord.EmbedFooter{Text: r.footer()},
	}
	if !r.Time.IsZero() {
		e.Timestamp = r.Time.UTC().Format(time.RFC3339)
	}
	return e
}

func (r Report) description() string {
	var parts []string
	if r.Repository != "" {
		repo := discord.Escape(r.Repository)
		if r.RepoURL != "" {
			repo = "[" + repo + "](" + r.RepoURL + ")"
		}
		parts = append(parts, repo)
	}
	if r.Source == SourceRun && r.RunNumber > 0 {
		parts = append(parts, fmt.Sprintf("run #%d", r.RunNumber))
	}
	d := strings.Join(parts, " · ")
	if r.Description != "" {
		d += "\n" + discord.Escape(r.Description)
	}
	return strings.TrimSpace(d)
}

func (r Report) fields() []discord.EmbedField {
	var f []discord.EmbedField
	add := func(name, value string) {
		if value != "" {
			f = append(f, discord.EmbedField{Name: name, Value: value, Inline: true})
		}
	}
	if r.Environment != "" {
		add("Environment", discord.Code(r.Environment))
	}
	if r.Ref != "" {
		add("Ref", discord.Code(r.Ref))
	}
	add("Commit", r.commit())
	add("Requested by", discord.Escape(r.RequestedBy))
	if d, ok := r.Duration(); ok {
		add("Duration", formatDuration(d))
	} else if r.Running() && !r.Started.IsZero() {
		add("Started", fmt.Sprintf("<t:%d:R>", r.Started.Unix())) // Discord shows "2 minutes ago"
	}
	if r.Source == SourceRun && r.Attempt > 1 {
		add("Attempt", strconv.Itoa(r.Attempt))
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

// Components are the buttons under the status: "Roll back" for a failed deploy whose
// environment is known, and a link to the run or deployment. nil when there are none.
func (r Report) Components() []discord.Component {
	var row []discord.Component
	if r.Source == SourceRun && r.look().rollback && r.Environment != "" {
		if id := deployrun.RollbackButtonID(r.Environment); len(id) <= discord.MaxCustomID {
			row = append(row, discord.Button(discord.ButtonDanger, "Roll back", id))
		}
	}
	if r.URL != "" {
		label := "View run"
		if r.Source == SourceDeployment {
			label = "View deployment"
		}
		row = append(row, discord.LinkButton(label, r.URL))
	}
	if len(row) == 0 {
		return nil
	}
	return []discord.Component{discord.ActionRow(row...)}
}

// Message is the report as a channel message, with its nonce.
func (r Report) Message() discord.Message {
	return discord.Message{
		Embeds:          []discord.Embed{r.Embed()},
		Components:      r.Components(),
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
func (r Report) Nonce() string {
	var key string
	if r.Source == SourceRun {
		status := r.Status
		if r.Running() {
			status = "running"
		}
		key = fmt.Sprintf("dn-%s-%d-%s", strconv.FormatInt(r.RunID, 36), r.Attempt, status)
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

// The footer of a run's status embed says which run attempt and status it shows, so that a
// later event can tell whether it is newer: "run 289782451 · attempt 1 · success".
const footerFormat = "run %d · attempt %d · %s"

var footerPattern = regexp.MustCompile(`^run (\d+) · attempt (\d+) · ([a-z_]+)$`)

func (r Report) footer() string {
	if r.Source == SourceRun {
		return fmt.Sprintf(footerFormat, r.RunID, r.Attempt, r.Status)
	}
	return fmt.Sprintf("deployment %d · status %d · %s", r.DeploymentID, r.DeploymentStatusID, r.Status)
}

// shown is the run state a card's status embed shows.
type shown struct {
	runID   int64
	attempt int
	status  string
}

// statusOf reads a status embed's footer; ok is false for the card's other embeds.
func statusOf(e discord.Embed) (s shown, ok bool) {
	if e.Footer == nil {
		return shown{}, false
	}
	m := footerPattern.FindStringSubmatch(e.Footer.Text)
	if m == nil {
		return shown{}, false
	}
	id, err1 := strconv.ParseInt(m[1], 10, 64)
	attempt, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil {
		return shown{}, false
	}
	return shown{runID: id, attempt: attempt, status: m[3]}, true
}

// supersedes reports whether r is newer than what the card shows: a later run (GitHub's run
// ids grow), a later attempt of the same run, or a later status of the same attempt. Equal is
// not newer: a duplicate event changes nothing.
func (r Report) supersedes(s shown) bool {
	if r.RunID != s.runID {
		return r.RunID > s.runID
	}
	if r.Attempt != s.attempt {
		return r.Attempt > s.attempt
	}
	return rank(r.Status) > rank(s.status)
}

// formatDuration reads like GitHub's run durations: "45s", "3m 12s", "1h 4m".
func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	default:
		return fmt.Sprintf("%ds", s)
	}
}
