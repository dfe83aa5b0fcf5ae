package notify

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// Texts are the words of the reports: Printer writes them in the channel's language
// (CHATOPS_LANGUAGE), and statusOf reads back the status embeds written before in any language,
// since a card keeps the footer it was given when the language changes. Build one per execution
// environment with NewTexts; it parses the catalog on the first report, not before.
type Texts struct {
	catalog *i18n.Catalog
	lang    i18n.Language

	once    sync.Once
	footers []footerReader
}

// NewTexts returns the texts of catalog, which holds Messages(), with reports in lang.
func NewTexts(catalog *i18n.Catalog, lang i18n.Language) *Texts {
	return &Texts{catalog: catalog, lang: lang}
}

// Printer writes the reports in the channel's language.
func (t *Texts) Printer() *i18n.Printer {
	return t.catalog.Printer(t.lang)
}

// footerReader reads the run footers of one language, of one template.
type footerReader struct {
	pattern  *regexp.Regexp    // groups run, attempt, status
	statuses map[string]string // the footer's word for a status → the status
	byID     bool              // the run group is the run's id (notify.footer.run_id), not its number
}

// footerTemplates are the run footers statusOf reads: the one Embed writes, naming the run
// number, and the one of cards written before, naming the run id. field is the template's run
// field.
var footerTemplates = []struct {
	id, field string
	byID      bool
}{
	{"notify.footer.run", "Number", false},
	{"notify.footer.run_id", "Run", true},
}

// Placeholders for the fields of the footer template, turned into the pattern's groups.
const (
	runField     = "\x00run\x00"
	attemptField = "\x00attempt\x00"
	statusField  = "\x00status\x00"
)

// newFooterReader derives the pattern of p's run footers from the template id, whose run field
// is field, so that the text is written in one place, the catalog.
func newFooterReader(p *i18n.Printer, id, field string, byID bool) (footerReader, bool) {
	r := footerReader{statuses: map[string]string{}, byID: byID}
	var words []string
	for status, l := range runLooks {
		w := p.T(l.status)
		r.statuses[w] = status
		words = append(words, regexp.QuoteMeta(w))
	}
	sort.Strings(words)
	// A status GitHub added after this code is written as GitHub spells it.
	words = append(words, `[a-z_]+`)
	text := regexp.QuoteMeta(p.T(id, i18n.Args{field: runField, "Attempt": attemptField, "Status": statusField}))
	for field, group := range map[string]string{
		runField: `(?P<run>\d+)`, attemptField: `(?P<attempt>\d+)`, statusField: `(?P<status>` + strings.Join(words, "|") + `)`,
	} {
		if strings.Count(text, field) != 1 {
			return footerReader{}, false // a broken template, which TestTextsComplete reports
		}
		text = strings.Replace(text, field, group, 1)
	}
	pattern, err := regexp.Compile("^" + text + "$")
	if err != nil {
		return footerReader{}, false
	}
	r.pattern = pattern
	return r, true
}

func (t *Texts) readers() []footerReader {
	t.once.Do(func() {
		for _, tmpl := range footerTemplates {
			for _, l := range i18n.Languages() {
				if r, ok := newFooterReader(t.catalog.Printer(l), tmpl.id, tmpl.field, tmpl.byID); ok {
					t.footers = append(t.footers, r)
				}
			}
		}
	})
	return t.footers
}

// statusOf reads a status embed's footer, in any language; ok is false for the card's other
// embeds.
func (t *Texts) statusOf(e discord.Embed) (s shown, ok bool) {
	if e.Footer == nil {
		return shown{}, false
	}
	for _, r := range t.readers() {
		m := r.pattern.FindStringSubmatch(e.Footer.Text)
		if m == nil {
			continue
		}
		id, err1 := strconv.ParseInt(m[r.pattern.SubexpIndex("run")], 10, 64)
		attempt, err2 := strconv.Atoi(m[r.pattern.SubexpIndex("attempt")])
		if err1 != nil || err2 != nil {
			continue
		}
		word := m[r.pattern.SubexpIndex("status")]
		status, known := r.statuses[word]
		if !known {
			status = word
		}
		if r.byID {
			return shown{runID: id, attempt: attempt, status: status}, true
		}
		if id <= 0 {
			continue
		}
		return shown{runNumber: int(id), attempt: attempt, status: status}, true
	}
	return shown{}, false
}
