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
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var formatMessages embed.FS

// Messages is this package's own catalog: month and weekday names, the patterns of dates,
// amounts and relative times. NewCatalog always includes it.
func Messages() fs.FS {
	sub, err := fs.Sub(formatMessages, "locales")
	if err != nil {
		panic(err) // the embedded directory exists: a build without it does not compile
	}
	return sub
}

// Catalog holds the messages of one binary in every language. It parses its files on first
// use; build it once per execution environment and share it: it is safe for concurrent use.
type Catalog struct {
	files []fs.FS

	once     sync.Once
	err      error
	bundle   *goi18n.Bundle
	ids      map[Language]map[string]*goi18n.Message
	printers map[Language]*Printer
}

// NewCatalog returns the catalog of the message files in each of files (the *.json at its
// root; see the package doc) and of this package's own.
func NewCatalog(files ...fs.FS) *Catalog {
	return &Catalog{files: append([]fs.FS{Messages()}, files...)}
}

// missingKeyError makes a template that names a field its data lacks fail instead of printing
// "<no value>". Without Funcs the parser is cacheable: each template is parsed once.
var missingKeyError = &template.TextParser{Option: "missingkey=error"}

func (c *Catalog) load() error {
	c.once.Do(func() {
		c.bundle = goi18n.NewBundle(language.English)
		c.ids = map[Language]map[string]*goi18n.Message{}
		var errs []error
		for _, fsys := range c.files {
			names, err := fs.Glob(fsys, "*.json")
			if err != nil {
				errs = append(errs, err)
				continue
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
			c.printers[l] = &Printer{lang: l, catalog: c, loc: goi18n.NewLocalizer(c.bundle, string(l))}
		}
	})
	return c.err
}

func (c *Catalog) add(fsys fs.FS, name string) error {
	f, err := c.bundle.LoadMessageFileFS(fsys, name)
	if err != nil {
		return fmt.Errorf("message file %s: %w", name, err)
	}
	l, err := ParseLanguage(f.Tag.String())
	if err != nil || f.Tag.String() == "" || !strings.HasSuffix(strings.TrimSuffix(name, path.Ext(name)), "."+string(l)) {
		return fmt.Errorf("message file %s: name it <area>.en.json or <area>.ko.json", name)
	}
	if c.ids[l] == nil {
		c.ids[l] = map[string]*goi18n.Message{}
	}
	for _, m := range f.Messages {
		if _, dup := c.ids[l][m.ID]; dup {
			return fmt.Errorf("message file %s: message %q is defined twice", name, m.ID)
		}
		c.ids[l][m.ID] = m
	}
	return nil
}

// Err parses the catalog if it has not been yet and reports what was wrong with its files: a
// file that does not parse, a name without its language, an id defined twice. Tests call it;
// at run time a message that cannot be found is shown as its id in brackets.
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
	return c.ids[l][id]
}
