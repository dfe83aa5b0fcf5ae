// Package history is /audit: the last actions of the audit trail (shared/audit), newest first,
// filtered by deploy environment or by member, answered only to the member who asks. Only
// members with an allowed role may ask, as for /deploy (authz). The trail is read in the
// deferred invocation: the acknowledgement of the command makes no network call, except to
// record a refusal.
package history

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/discord-chatops/chatops/functions/interactions/internal/authz"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/audit"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/state"
)

// Limit is how many actions /audit shows.
const Limit = 20

// Reader reads the trail; *audit.Trail satisfies it.
type Reader interface {
	Recent(ctx context.Context, f audit.Filter, limit int32) ([]audit.Entry, bool, error)
}

// Service answers /audit. Build it once per execution environment.
type Service struct {
	// Trail is the audit trail; nil answers that it cannot be read.
	Trail  Reader
	Policy authz.Policy
	// Audit records a refused /audit.
	Audit *audit.Recorder
	Log   *slog.Logger
}

// Option names of /audit.
const (
	optionEnvironment = "environment"
	optionMember      = "member"
)

// Command is the /audit entry of the command table, answered by s (nil where only the
// definition is used: registration, /help). environments are the choices of its environment
// option, the deploy environments.
func Command(s *Service, environments []discord.Choice) command.Command {
	return command.Command{
		Name: "audit",
		Options: []discord.OptionDef{ // descriptions: command.audit.* in locales/
			{Type: discord.OptionString, Name: optionEnvironment, Choices: environments},
			{Type: discord.OptionUser, Name: optionMember},
		},
		// A first fence, as for /deploy: server admins may open it to the allowed roles.
		Permissions: discord.PermissionManageGuild,
		Contexts:    []command.Context{command.ContextGuild},
		Quick:       s.quick,
		Work:        s.work,
	}
}

// quick refuses a member without an allowed role, inline, and records the refusal; otherwise
// it defers, ephemerally: only the member sees the answer.
func (s *Service) quick(ctx context.Context, req command.Request) command.Reply {
	if err := s.Policy.Allow(req.Interaction, permission); err != nil {
		s.Audit.Record(ctx, audit.Entry{Action: "audit.view", Target: filterTarget(filterOf(req)), Outcome: "denied",
			Detail: authz.DenialReason(err)}.By(req.Interaction, req.RequestID))
		return command.Ephemeral("⛔ " + authz.Text(req.Member(), err))
	}
	return command.Defer(true)
}

// filterOf reads the options.
func filterOf(req command.Request) audit.Filter {
	return audit.Filter{Environment: req.Option(optionEnvironment), UserID: req.Option(optionMember)}
}

// filterTarget is a refused /audit's audit target: what it asked for.
func filterTarget(f audit.Filter) string {
	var parts []string
	if f.Environment != "" {
		parts = append(parts, "environment="+f.Environment)
	}
	if f.UserID != "" {
		parts = append(parts, "member="+f.UserID)
	}
	return strings.Join(parts, " ")
}

// work reads the trail, filtered in the query, and renders it.
func (s *Service) work(ctx context.Context, req command.Request) (discord.Message, error) {
	f := filterOf(req)
	if s.Trail == nil {
		return discord.Message{Content: req.Member().T("history.unavailable")}, nil
	}
	entries, truncated, err := s.Trail.Recent(ctx, f, Limit)
	switch {
	case state.Unavailable(err):
		s.Log.LogAttrs(ctx, slog.LevelWarn, "read the audit trail", slog.String("request_id", req.RequestID), slog.String("error", err.Error()))
		return discord.Message{Content: req.Member().T("history.unavailable")}, nil
	case err != nil:
		return discord.Message{}, err
	}
	return Render(req.Member(), entries, truncated, f), nil
}

// Render is the reply for entries (newest first) read with filter f, in p's language: one line
// per action, with when as a Discord timestamp (which Discord shows in the reader's time zone
// and language), who as a mention (pinging nobody), the action, its target and its outcome. No
// entries is a plain message saying nothing matched.
func Render(p *i18n.Printer, entries []audit.Entry, truncated bool, f audit.Filter) discord.Message {
	if len(entries) == 0 {
		msg := noMatch(p, f.Environment, f.UserID)
		if truncated {
			msg += "\n" + p.T("history.truncated")
		}
		return discord.Message{Content: msg}
	}
	lines := make([]string, 0, len(entries)+1)
	lines = append(lines, heading(p, len(entries), f.Environment, f.UserID))
	size := utf8.RuneCountInString(lines[0])
	for _, e := range entries {
		l := line(p, e, false)
		lines = append(lines, l)
		size += 1 + utf8.RuneCountInString(l)
	}
	// The links to runs, newest first, as long as the description keeps every line whole.
	for i, e := range entries {
		linked := line(p, e, true)
		if grow := utf8.RuneCountInString(linked) - utf8.RuneCountInString(lines[i+1]); grow > 0 && size+grow <= discord.MaxEmbedDescription {
			lines[i+1], size = linked, size+grow
		}
	}
	embed := discord.Embed{Title: p.T("history.title"), Description: strings.Join(lines, "\n"), Color: discord.ColorGrey}
	if truncated {
		embed.Footer = &discord.EmbedFooter{Text: p.T("history.truncated")}
	}
	return discord.Message{Embeds: []discord.Embed{embed}}
}

// Widths of a line's parts, in runes: 20 lines of at most about 180 characters, without their
// links, fit an embed's description (4096) with the heading.
const (
	targetRunes = 50
	detailRunes = 30
)

// line is one action: "<t:…:f> · @who · **deploy.approve** · `prod@v1.4.2` · denied (`missing-role`)",
// with a URL its detail ends with as a link when withLink.
func line(p *i18n.Printer, e audit.Entry, withLink bool) string {
	who := p.T("history.nobody")
	switch {
	case e.UserID != "":
		who = discord.Mention(e.UserID)
	case e.User != "":
		who = discord.Code(discord.Truncate(e.User, 40))
	}
	parts := []string{fmt.Sprintf("<t:%d:f>", e.At.Unix()), who, "**" + discord.Escape(e.Action) + "**"}
	if e.Target != "" {
		parts = append(parts, discord.Code(discord.Truncate(e.Target, targetRunes)))
	}
	outcome := discord.Escape(e.Outcome)
	if d := detail(p, e.Detail, withLink); d != "" {
		outcome += " (" + d + ")"
	}
	return strings.Join(append(parts, outcome), " · ")
}

// detail shows an entry's detail: its text as code, cut to detailRunes, and a URL it ends with
// (a run's), as a link when withLink, else not at all.
func detail(p *i18n.Printer, s string, withLink bool) string {
	text, url := s, ""
	if i := strings.LastIndexByte(s, ' '); strings.HasPrefix(s[i+1:], "https://") && !strings.ContainsAny(s[i+1:], "()<>") {
		text, url = strings.TrimSpace(s[:i+1]), s[i+1:]
	}
	var parts []string
	if text != "" {
		parts = append(parts, discord.Code(discord.Truncate(text, detailRunes)))
	}
	if url != "" && withLink {
		parts = append(parts, "["+p.T("history.link")+"]("+url+")")
	}
	return strings.Join(parts, " ")
}
