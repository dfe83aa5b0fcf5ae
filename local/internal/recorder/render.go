package recorder

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/shared/discord"
)

// Directory is what the local Discord knows of the server: the names behind the ids a message
// mentions, and the team's time zone, so that a message reads as a Discord client shows it.
type Directory struct {
	// Users, Roles and Channels name ids: <@id>, <@&id> and <#id> show as @name, @role, #name.
	Users, Roles, Channels map[string]string
	// Location is the team's time zone (REPORT_TIMEZONE): <t:unix:style> shows in it. Nil is UTC.
	Location *time.Location
	// Now is the time <t:unix:R> is relative to; nil is time.Now.
	Now func() time.Time
	// ANSI colours each embed's bar with the embed's colour (for a terminal).
	ANSI bool
	// Korean shows timestamps as a Korean Discord client does (CHATOPS_LANGUAGE=ko).
	Korean bool
}

// mentionRE matches Discord's message formatting of users, roles, channels and timestamps.
//
// See https://discord.com/developers/docs/reference#message-formatting
var mentionRE = regexp.MustCompile(`<(@!?|@&|#)([0-9]{1,20})>|<t:(-?[0-9]{1,13})(?::([tTdDfFR]))?>`)

// Text shows s as a client does: mentions as names, timestamps as times in the team's zone.
func (d Directory) Text(s string) string {
	return mentionRE.ReplaceAllStringFunc(s, func(m string) string {
		p := mentionRE.FindStringSubmatch(m)
		switch p[1] {
		case "@", "@!":
			return "@" + lookup(d.Users, p[2], "unknown-user")
		case "@&":
			return "@" + lookup(d.Roles, p[2], "unknown-role")
		case "#":
			return "#" + lookup(d.Channels, p[2], "unknown")
		}
		unix, _ := strconv.ParseInt(p[3], 10, 64)
		return d.time(time.Unix(unix, 0), p[4])
	})
}

// ChannelName is the channel's name, or its id when the directory has none.
func (d Directory) ChannelName(id string) string { return lookup(d.Channels, id, id) }

func lookup(names map[string]string, id, unknown string) string {
	if n, ok := names[id]; ok {
		return n
	}
	if unknown == id {
		return id
	}
	return unknown + "(" + id + ")"
}

// time formats t in a timestamp style: t 16:20, T 16:20:30, d 2021-04-20, D April 20, 2021,
// f (the default) April 20, 2021 16:20, F Tuesday, April 20, 2021 16:20, R "in 2 hours".
func (d Directory) time(t time.Time, style string) string {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	zone := " " + t.Format("MST")
	if d.Korean {
		return d.koreanTime(t, style, zone)
	}
	switch style {
	case "t":
		return t.Format("15:04") + zone
	case "T":
		return t.Format("15:04:05") + zone
	case "d":
		return t.Format("2006-01-02")
	case "D":
		return t.Format("January 2, 2006")
	case "F":
		return t.Format("Monday, January 2, 2006 15:04") + zone
	case "R":
		now := time.Now
		if d.Now != nil {
			now = d.Now
		}
		return relative(t.Sub(now()))
	}
	return t.Format("January 2, 2006 15:04") + zone
}

// koreanTime is time for a Korean client: 오후 4:20, 2021년 4월 20일, 2시간 후.
func (d Directory) koreanTime(t time.Time, style, zone string) string {
	ampm := "오전"
	if t.Hour() >= 12 {
		ampm = "오후"
	}
	clock := fmt.Sprintf("%s %d:%02d", ampm, (t.Hour()+11)%12+1, t.Minute())
	date := fmt.Sprintf("%d년 %d월 %d일", t.Year(), t.Month(), t.Day())
	weekdays := []string{"일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"}
	switch style {
	case "t":
		return clock + zone
	case "T":
		return clock + fmt.Sprintf(":%02d", t.Second()) + zone
	case "d":
		return t.Format("2006. 01. 02.")
	case "D":
		return date
	case "F":
		return date + " " + weekdays[t.Weekday()] + " " + clock + zone
	case "R":
		now := time.Now
		if d.Now != nil {
			now = d.Now
		}
		return koreanRelative(t.Sub(now()))
	}
	return date + " " + clock + zone
}

// koreanRelative is relative in Korean: "5분 후", "3시간 전".
func koreanRelative(d time.Duration) string {
	words := relative(d) // "in 5 minutes" or "5 minutes ago"
	ago := strings.HasSuffix(words, " ago")
	words = strings.TrimSuffix(strings.TrimPrefix(words, "in "), " ago")
	n, unit, _ := strings.Cut(words, " ")
	units := map[string]string{"second": "초", "minute": "분", "hour": "시간", "day": "일", "month": "개월", "year": "년"}
	w := n + units[strings.TrimSuffix(unit, "s")]
	if ago {
		return w + " 전"
	}
	return w + " 후"
}

// relative is how Discord words a <t:…:R> timestamp: "in 5 minutes", "3 hours ago".
func relative(d time.Duration) string {
	ago := d < 0
	d = time.Duration(math.Abs(float64(d)))
	var n int
	var unit string
	switch {
	case d < time.Minute:
		n, unit = int(d.Seconds()), "second"
	case d < time.Hour:
		n, unit = int(d.Minutes()), "minute"
	case d < 24*time.Hour:
		n, unit = int(d.Hours()), "hour"
	case d < 30*24*time.Hour:
		n, unit = int(d.Hours()/24), "day"
	case d < 365*24*time.Hour:
		n, unit = int(d.Hours()/24/30), "month"
	default:
		n, unit = int(d.Hours()/24/365), "year"
	}
	if n != 1 {
		unit += "s"
	}
	if ago {
		return fmt.Sprintf("%d %s ago", n, unit)
	}
	return fmt.Sprintf("in %d %s", n, unit)
}

// colourNames are the squares that stand for an embed's colour, by the colour nearest to it.
func colourNames() []struct {
	rgb    int
	square string
} {
	return []struct {
		rgb    int
		square string
	}{
		{discord.ColorGreen, "🟩"}, {discord.ColorYellow, "🟨"}, {discord.ColorRed, "🟥"}, {discord.ColorBlue, "🟦"},
		{discord.ColorGrey, "⬜"}, {discord.ColorPurple, "🟪"}, {0xE67E22, "🟧"}, {0x000000, "⬛"},
	}
}

// square is the coloured square nearest to rgb.
func square(rgb int) string {
	best, dist := "", math.MaxFloat64
	for _, c := range colourNames() {
		dr, dg, db := float64(rgb>>16&0xFF-c.rgb>>16&0xFF), float64(rgb>>8&0xFF-c.rgb>>8&0xFF), float64(rgb&0xFF-c.rgb&0xFF)
		if d := dr*dr + dg*dg + db*db; d < dist {
			best, dist = c.square, d
		}
	}
	return best
}

// Render shows a message as plain text, laid out as Discord lays it out: content, then each
// embed behind a bar (its colour as a square on its first line, and on the bar itself with
// ANSI), author, title, description, fields, footer; then the buttons. Line breaks are kept;
// mentions and timestamps read as names and times. thinking shows a deferred reply that has
// not been edited yet.
func (d Directory) Render(m discord.Message, thinking bool) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(strings.TrimRight("   "+s, " ") + "\n") }
	if m.Flags&discord.FlagEphemeral != 0 {
		line("(only the person who asked can see this)")
	}
	if thinking {
		line("⏳ ChatOps is thinking…")
	}
	if m.Content != "" {
		for l := range strings.SplitSeq(d.Text(m.Content), "\n") {
			line(l)
		}
	}
	for _, e := range m.Embeds {
		bar := "┃"
		if d.ANSI && e.Color != 0 {
			bar = fmt.Sprintf("\x1b[38;2;%d;%d;%dm┃\x1b[0m", e.Color>>16&0xFF, e.Color>>8&0xFF, e.Color&0xFF)
		}
		first := true
		embedLine := func(s string) {
			if first && e.Color != 0 {
				s = square(e.Color) + " " + s
			}
			first = false
			line(bar + " " + s)
		}
		if e.Author != nil && e.Author.Name != "" {
			embedLine(d.Text(e.Author.Name))
		}
		if e.Title != "" {
			t := "**" + d.Text(e.Title) + "**"
			if e.URL != "" {
				t += " <" + e.URL + ">"
			}
			embedLine(t)
		}
		if e.Description != "" {
			for l := range strings.SplitSeq(d.Text(e.Description), "\n") {
				embedLine(l)
			}
		}
		for _, f := range e.Fields {
			value := strings.Split(d.Text(f.Value), "\n")
			if len(value) == 1 {
				embedLine(d.Text(f.Name) + ": " + value[0])
				continue
			}
			embedLine(d.Text(f.Name) + ":")
			for _, l := range value {
				embedLine("  " + l)
			}
		}
		if e.Footer != nil && e.Footer.Text != "" {
			embedLine("— " + d.Text(e.Footer.Text))
		}
		if first {
			embedLine("")
		}
	}
	for _, row := range m.Components {
		var buttons []string
		for _, c := range row.Components {
			if c.Type != discord.ComponentButton {
				continue
			}
			label := "[ " + c.Label + " ]"
			switch {
			case c.URL != "":
				label = "[ " + c.Label + " ↗ ]"
			case c.Disabled:
				label = "[ " + c.Label + " (disabled) ]"
			}
			buttons = append(buttons, label)
		}
		if len(buttons) > 0 {
			line(strings.Join(buttons, " "))
		}
	}
	if b.Len() == 0 {
		line("(empty message)")
	}
	return b.String()
}
