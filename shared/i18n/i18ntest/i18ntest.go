// Package i18ntest checks a binary's message catalog in tests: every message in both languages,
// with the same template fields, and every id the code asks for defined.
package i18ntest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/discord-chatops/chatops/shared/i18n"
)

// Complete fails t for each gap in c: a file that does not parse, a message that one language
// has and the other lacks, a template that does not parse, the two languages' templates naming
// different fields, an English message with "one" but no "other", and, in the Go files
// (tests excluded) under each of srcDirs, a call .T("id", ...) or .N("id", ...) whose literal id
// no file defines.
func Complete(t testing.TB, c *i18n.Catalog, srcDirs ...string) {
	t.Helper()
	for _, problem := range Problems(c, srcDirs...) {
		t.Error(problem)
	}
}

// Problems is what Complete reports, one line per gap, sorted.
func Problems(c *i18n.Catalog, srcDirs ...string) []string {
	var out []string
	if err := c.Err(); err != nil {
		out = append(out, "catalog: "+err.Error())
	}
	en, ko := set(c.IDs(i18n.English)), set(c.IDs(i18n.Korean))
	for id := range en {
		if !ko[id] {
			out = append(out, fmt.Sprintf("message %q has no Korean text", id))
		}
	}
	for id := range ko {
		if !en[id] {
			out = append(out, fmt.Sprintf("message %q has no English text", id))
		}
	}
	for id := range en {
		if !ko[id] {
			continue
		}
		mEN, mKO := c.Message(i18n.English, id), c.Message(i18n.Korean, id)
		if mEN.Other == "" {
			out = append(out, fmt.Sprintf("message %q: English needs an \"other\" form", id))
		}
		if mKO.Other == "" {
			out = append(out, fmt.Sprintf("message %q: Korean needs an \"other\" form (Korean has no other plural form)", id))
		}
		fEN, errEN := fields(mEN)
		fKO, errKO := fields(mKO)
		for _, err := range []error{errEN, errKO} {
			if err != nil {
				out = append(out, fmt.Sprintf("message %q: %v", id, err))
			}
		}
		if errEN == nil && errKO == nil && strings.Join(fEN, ",") != strings.Join(fKO, ",") {
			out = append(out, fmt.Sprintf("message %q: English names fields %v, Korean %v", id, fEN, fKO))
		}
	}
	for _, dir := range srcDirs {
		used, err := UsedIDs(dir)
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		for _, u := range used {
			if !en[u.ID] || !ko[u.ID] {
				out = append(out, fmt.Sprintf("%s: message %q is not in the catalog in both languages", u.Pos, u.ID))
			}
		}
	}
	sort.Strings(out)
	return out
}

func fields(m *goi18n.Message) ([]string, error) {
	seen := map[string]bool{}
	for _, src := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if src == "" {
			continue
		}
		names, err := i18n.TemplateFields(src)
		if err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
		for _, f := range names {
			seen[f] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out, nil
}

// Use is one literal message id the code asks for.
type Use struct {
	ID  string
	Pos string // file:line
}

// UsedIDs finds the literal ids of every call .T("id", ...) and .N("id", ...) in the Go files
// under dir, tests excluded.
func UsedIDs(dir string) ([]Use, error) {
	var uses []Use
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "T" && sel.Sel.Name != "N") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			id, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			p := fset.Position(lit.Pos())
			uses = append(uses, Use{ID: id, Pos: fmt.Sprintf("%s:%d", p.Filename, p.Line)})
			return true
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", dir, err)
	}
	return uses, nil
}

func set(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
