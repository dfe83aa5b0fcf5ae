package i18n

import (
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Args are the named fields of a message's template: {{.Env}} reads Args{"Env": "prod"}.
type Args map[string]any

// Printer gives the messages of one language. Get it from Catalog.Printer; it is safe for
// concurrent use.
type Printer struct {
	lang    Language
	tag     language.Tag
	catalog *Catalog
}

// Language is the printer's language (English for a nil Printer).
func (p *Printer) Language() Language {
	if p == nil {
		return English
	}
	return p.lang
}

// T is the text of message id with args (at most one Args; none for a message without
// fields). A message the catalog lacks, or whose template fails, is shown as "[id]" so that
// nothing English-only or broken passes silently; i18ntest.Complete catches both in tests.
func (p *Printer) T(id string, args ...Args) string {
	var data Args
	if len(args) > 0 {
		data = args[0]
	}
	return p.localize(id, nil, data)
}

// N is the text of message id in the plural form CLDR gives count in the printer's language
// ("1 commit", "2 commits"; Korean has one form). The template reads the count as {{.Count}},
// formatted with the language's digit grouping, besides args.
func (p *Printer) N(id string, count int, args ...Args) string {
	data := Args{}
	if len(args) > 0 {
		for k, v := range args[0] {
			data[k] = v
		}
	}
	if _, ok := data["Count"]; !ok {
		data["Count"] = p.Count(count)
	}
	return p.localize(id, &count, data)
}

func (p *Printer) localize(id string, count *int, data Args) string {
	if p == nil || p.catalog == nil {
		return "[" + id + "]"
	}
	m := p.catalog.ids[p.lang][id]
	if m == nil {
		return "[" + id + "]"
	}
	form := plural.Other
	if count != nil {
		n := *count
		if n < 0 {
			n = -n
		}
		// CLDR's operands of an integer: i = n, no visible fraction digits (v, w, f, t = 0).
		form = plural.Cardinal.MatchPlural(p.tag, n, 0, 0, 0, 0)
	}
	t := m.forms[form]
	if t == nil {
		t = m.forms[plural.Other]
	}
	if t == nil {
		return "[" + id + "]"
	}
	out, err := t.execute(data)
	if err != nil {
		return "[" + id + "]"
	}
	return out
}
