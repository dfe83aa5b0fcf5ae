package status

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Colour thresholds on the worst current value, in percent.
const (
	warnAt = 70
	badAt  = 90
)

// sparkBuckets is how many characters the trend takes: one per 5 minutes of the hour, narrow
// enough for a phone.
const sparkBuckets = 12

var sparkBars = []rune("▁▂▃▄▅▆▇█")

// Summary is what a series says at a glance.
type Summary struct {
	// Now is the latest value within Recent of the report's end; HasNow is false when there
	// is none, and Age is then how old the latest value is (0 when there is no data at all).
	Now    float64
	HasNow bool
	Age    time.Duration
	// Min, Avg and Max cover the whole window; N is how many points they cover.
	Min, Avg, Max float64
	N             int
}

// Summarize sums up s as of end.
func Summarize(s Series, end time.Time) Summary {
	var sum Summary
	if len(s.Points) == 0 {
		return sum
	}
	sum.Min, sum.Max = math.Inf(1), math.Inf(-1)
	total := 0.0
	for _, p := range s.Points {
		sum.Min = min(sum.Min, p.V)
		sum.Max = max(sum.Max, p.V)
		total += p.V
	}
	sum.N = len(s.Points)
	sum.Avg = total / float64(sum.N)
	last := s.Points[len(s.Points)-1]
	sum.Age = max(0, end.Sub(last.T))
	if sum.Age <= Recent {
		sum.Now, sum.HasNow = last.V, true
	}
	return sum
}

// Render is the /status answer in p's language: a line of context, then an embed per
// resource, coloured by its worst current value, laid out to read well on a phone.
func Render(p *i18n.Printer, rep Report) discord.Message {
	m := discord.Message{Content: header(p, rep), AllowedMentions: discord.NoMentions()}
	for _, r := range rep.Resources {
		m.Embeds = append(m.Embeds, resourceEmbed(p, rep, r))
	}
	return m
}

func header(p *i18n.Printer, rep Report) string {
	kind := string(rep.Target.Kind)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** %s: ", strings.ToUpper(kind), discord.Quote(rep.Target.String()))
	total := p.N("status.header.count."+kind, rep.Total)
	if rep.Truncated {
		total = p.N("status.header.over."+kind, rep.Total)
	}
	if len(rep.Resources) < rep.Total {
		total = p.T("status.header.showing", i18n.Args{"Total": total, "Shown": len(rep.Resources), "More": rep.Total - len(rep.Resources)})
	}
	b.WriteString(total)
	if len(rep.NotFound) > 0 {
		b.WriteString("\n" + p.T("status.header.notfound", i18n.Args{"Names": discord.Quote(strings.Join(rep.NotFound, ", "))}))
	}
	return b.String()
}

func resourceEmbed(p *i18n.Printer, rep Report, r Resource) discord.Embed {
	cpu, mem := Summarize(r.CPU, rep.End), Summarize(r.Memory, rep.End)
	title := r.Name
	if title == "" {
		title = r.ID
	}
	var desc []string
	if r.Name != "" && r.Name != r.ID {
		desc = append(desc, "`"+r.ID+"`")
	}
	for _, t := range []command.Text{r.Detail, r.State} {
		if t.ID != "" {
			desc = append(desc, t.In(p))
		}
	}
	return discord.Embed{
		Title:       title,
		Description: strings.Join(desc, " · "),
		Color:       colour(cpu, mem),
		Fields: []discord.EmbedField{
			{Name: p.T("status.field.cpu"), Value: field(p, r.CPU, cpu, rep.End), Inline: true},
			{Name: p.T("status.field.memory"), Value: field(p, r.Memory, mem, rep.End), Inline: true},
		},
		Footer:    &discord.EmbedFooter{Text: p.T("status.footer")},
		Timestamp: rep.End.UTC().Format(time.RFC3339),
	}
}

// colour is the embed colour of the worst current value: grey when there is none.
func colour(sums ...Summary) int {
	worst, seen := 0.0, false
	for _, s := range sums {
		if s.HasNow {
			worst, seen = max(worst, s.Now), true
		}
	}
	switch {
	case !seen:
		return discord.ColorGrey
	case worst >= badAt:
		return discord.ColorRed
	case worst >= warnAt:
		return discord.ColorYellow
	}
	return discord.ColorGreen
}

// field is a metric's embed field: now, the trend, and min/avg/max; or why there is none.
// A missing value is said in words, never shown as 0.
func field(p *i18n.Printer, s Series, sum Summary, end time.Time) string {
	if s.Unavailable.ID != "" {
		return s.Unavailable.In(p)
	}
	if sum.N == 0 {
		return p.T("status.field.nodata")
	}
	var b strings.Builder
	if sum.HasNow {
		b.WriteString(p.T("status.field.now", i18n.Args{"Value": pct(sum.Now)}))
	} else {
		b.WriteString(p.T("status.field.stale", i18n.Args{"Minutes": int(sum.Age.Round(time.Minute).Minutes())}))
	}
	fmt.Fprintf(&b, "\n%s\n%s", sparkline(s.Points, end), p.T("status.field.range", i18n.Args{"Min": pct(sum.Min), "Avg": pct(sum.Avg), "Max": pct(sum.Max)}))
	return b.String()
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", v) }

// sparkline draws the hour before end in sparkBuckets characters, each the average of its
// points on a 0-100 % scale; a gap in the data is a middle dot.
func sparkline(points []Point, end time.Time) string {
	start := end.Add(-Window)
	width := Window / sparkBuckets
	var sums [sparkBuckets]float64
	var counts [sparkBuckets]int
	for _, p := range points {
		i := int(p.T.Sub(start) / width)
		if i < 0 || p.T.After(end) {
			continue
		}
		i = min(i, sparkBuckets-1)
		sums[i] += p.V
		counts[i]++
	}
	var b strings.Builder
	for i := range sparkBuckets {
		if counts[i] == 0 {
			b.WriteRune('·')
			continue
		}
		v := sums[i] / float64(counts[i])
		k := int(v / 100 * float64(len(sparkBars)))
		b.WriteRune(sparkBars[max(0, min(k, len(sparkBars)-1))])
	}
	return b.String()
}
