package i18n

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var formatMessages embed.FS

// Messages is this package's own catalog: month and weekday names, the patterns of dates,
// amounts and relative times. NewCatalog always includes it.
func Messages() fs.FS {
	return formatMessages
}

// Catalog holds the messages of one binary in every language. It parses its files on first
// use; build it once per execution environment and share it: it is safe for concurrent use.
type Catalog struct {
	files []fs.FS

	once     sync.Once
	err      error
	ids      map[Language]map[string]*message
	printers map[Language]*Printer
}

// message is one message of one language: go-i18n's, with its plural forms' templates parsed.
type message struct {
	raw   *goi18n.Message
	forms map[plural.Form]*template
}

// NewCatalog returns the catalog of the message files in each of files (the *.json at its
// root or under locales/, where a package's go:embed puts them; see the package doc) and of
// this package's own.
func NewCatalog(files ...fs.FS) *Catalog {
	return &Catalog{files: append([]fs.FS{Messages()}, files...)}
}

func (c *Catalog) load() error {
	c.once.Do(func() {
		c.ids = map[Language]map[string]*message{}
		var errs []error
		for _, fsys := range c.files {
			// A package's embedded files sit under locales/; a test's may sit at the root.
			var names []string
			for _, pattern := range []string{"*.json", "locales/*.json"} {
				found, err := fs.Glob(fsys, pattern)
				if err != nil {
					errs = append(errs, err)
				}
				names = append(names, found...)
			}
			for _, name := range names {
				if err := c.add(fsys, name); err != nil {
					errs = append(errs, err)
				}
			}
		}
		c.err = errors.Join(errs...)
		c.printers = map[Language]*Printer{}
		for _, l := range Languages() {
			c.printers[l] = &Printer{lang: l, tag: language.Make(string(l)), catalog: c}
		}
	})
	return c.err
}

func (c *Catalog) add(fsys fs.FS, name string) error {
	buf, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("message file %s: %w", name, err)
	}
	f, err := goi18n.ParseMessageFileBytes(buf, name, nil)
	if err != nil {
		return fmt.Errorf("message file %s: %w", name, err)
	}
	l, err := ParseLanguage(f.Tag.String())
	if err != nil || f.Tag.String() == "" || !strings.HasSuffix(strings.TrimSuffix(name, path.Ext(name)), "."+string(l)) {
		return fmt.Errorf("message file %s: name it <area>.en.json or <area>.ko.json", name)
	}
	if c.ids[l] == nil {
		c.ids[l] = map[string]*message{}
	}
	var errs []error
	for _, m := range f.Messages {
		if _, dup := c.ids[l][m.ID]; dup {
			errs = append(errs, fmt.Errorf("message file %s: message %q is defined twice", name, m.ID))
			continue
		}
		if m.LeftDelim != "" || m.RightDelim != "" {
			errs = append(errs, fmt.Errorf("message file %s: message %q: custom delimiters are not supported", name, m.ID))
			continue
		}
		msg := &message{raw: m, forms: map[plural.Form]*template{}}
		for form, src := range map[plural.Form]string{plural.Zero: m.Zero, plural.One: m.One, plural.Two: m.Two,
			plural.Few: m.Few, plural.Many: m.Many, plural.Other: m.Other} {
			if src == "" {
				continue
			}
			t, err := parseTemplate(src)
			if err != nil {
				errs = append(errs, fmt.Errorf("message file %s: message %q: %w", name, m.ID, err))
				continue
			}
			msg.forms[form] = t
		}
		c.ids[l][m.ID] = msg
	}
	return errors.Join(errs...)
}

// Err parses the catalog if it has not been yet and reports what was wrong with its files: a
// file that does not parse, a name without its language, an id defined twice, a template
// that does not parse. Tests call it; at run time a message that cannot be shown is shown as
// its id in brackets.
func (c *Catalog) Err() error {
	return c.load()
}

// Printer returns the text of language l (English for a language the suite does not speak).
// A nil catalog gives a nil Printer, whose every message shows as its id in brackets.
func (c *Catalog) Printer(l Language) *Printer {
	if c == nil {
		return nil
	}
	_ = c.load() // a broken file is reported by Err in tests; its messages show as their ids
	if p, ok := c.printers[l]; ok {
		return p
	}
	return c.printers[English]
}

// IDs lists the ids of language l, sorted.
func (c *Catalog) IDs(l Language) []string {
	_ = c.load()
	ids := make([]string, 0, len(c.ids[l]))
	for id := range c.ids[l] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Message returns the message id of language l as go-i18n parsed it, or nil.
func (c *Catalog) Message(l Language, id string) *goi18n.Message {
	_ = c.load()
	if m := c.ids[l][id]; m != nil {
		return m.raw
	}
	return nil
}
