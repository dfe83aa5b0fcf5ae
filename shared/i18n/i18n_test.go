package i18n_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/i18n/i18ntest"
)

func TestOwnCatalogComplete(t *testing.T) {
	t.Parallel()
	i18ntest.Complete(t, i18n.NewCatalog(), ".")
}

func TestParseLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want i18n.Language
		err  bool
	}{
		{"", i18n.Korean, false}, {"ko", i18n.Korean, false}, {" KO ", i18n.Korean, false},
		{"en", i18n.English, false}, {"EN", i18n.English, false},
		{"ja", "", true}, {"en-US", "", true}, {"korean", "", true},
	}
	for _, tt := range tests {
		got, err := i18n.ParseLanguage(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseLanguage(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestForLocale(t *testing.T) {
	t.Parallel()
	for locale, want := range map[string]i18n.Language{
		"ko": i18n.Korean, "ko-KR": i18n.Korean, "en-US": i18n.English, "en-GB": i18n.English,
		"ja": i18n.English, "": i18n.English, "kok": i18n.English,
	} {
		if got := i18n.ForLocale(locale); got != want {
			t.Errorf("ForLocale(%q) = %q, want %q", locale, got, want)
		}
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 12, 2, 9, 10, 0, 0, seoul)
	c := i18n.NewCatalog()
	en, ko := c.Printer(i18n.English), c.Printer(i18n.Korean)
	tests := []struct{ name, gotEN, wantEN, gotKO, wantKO string }{
		{"Date", en.Date(at), "Tue, Dec 2", ko.Date(at), "12월 2일 (화)"},
		{"Day", en.Day(at), "Dec 2", ko.Day(at), "12월 2일"},
		{"DayYear", en.DayYear(at), "Dec 2, 2025", ko.DayYear(at), "2025년 12월 2일"},
		{"DateTime", en.DateTime(at), "Tue, Dec 2, 09:10 KST", ko.DateTime(at), "12월 2일 (화) 09:10 KST"},
		{"MonthYear", en.MonthYear(at), "December 2025", ko.MonthYear(at), "2025년 12월"},
		{"USD", en.USD(1234.5), "$1,234.50", ko.USD(1234.5), "1,234.50달러"},
		{"USD small", en.USD(0.004), "$0.00", ko.USD(63.41), "63.41달러"},
		{"USD negative", en.USD(-4.254), "-$4.25", ko.USD(-4.254), "-4.25달러"},
		{"SignedUSD", en.SignedUSD(4.25), "+$4.25", ko.SignedUSD(-1), "-1.00달러"},
		{"Count", en.Count(1234567), "1,234,567", ko.Count(-1000), "-1,000"},
		{"Ago now", en.Ago(30 * time.Second), "just now", ko.Ago(30 * time.Second), "방금"},
		{"Ago one", en.Ago(time.Minute), "1 minute ago", ko.Ago(time.Minute), "1분 전"},
		{"Ago hours", en.Ago(3*time.Hour + 59*time.Minute), "3 hours ago", ko.Ago(3 * time.Hour), "3시간 전"},
		{"Ago days", en.Ago(72 * time.Hour), "3 days ago", ko.Ago(49 * time.Hour), "2일 전"},
		{"Duration", en.Duration(2*time.Minute + 5*time.Second), "2 min 5 s", ko.Duration(2*time.Minute + 5*time.Second), "2분 5초"},
		{"Duration hours", en.Duration(time.Hour + 3*time.Minute + 9*time.Second), "1 h 3 min", ko.Duration(45 * time.Second), "45초"},
		{"List", en.List([]string{"a", "b", "c"}), "a, b and c", ko.List([]string{"a", "b", "c"}), "a, b, c"},
		{"List one", en.List([]string{"a"}), "a", ko.List(nil), ""},
	}
	for _, tt := range tests {
		if tt.gotEN != tt.wantEN {
			t.Errorf("%s in English = %q, want %q", tt.name, tt.gotEN, tt.wantEN)
		}
		if tt.gotKO != tt.wantKO {
			t.Errorf("%s in Korean = %q, want %q", tt.name, tt.gotKO, tt.wantKO)
		}
	}
}

func TestMissingAndBroken(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		"x.en.json": {Data: []byte(`{"x.only.en": "hi {{.Name}}", "x.both": "{{.A}}", "x.plural": {"one": "{{.Count}} item", "other": "{{.Count}} items"}}`)},
		"x.ko.json": {Data: []byte(`{"x.both": "{{.B}}", "x.plural": {"other": "{{.Count}}개"}}`)},
	}
	c := i18n.NewCatalog(files)
	p := c.Printer(i18n.Korean)
	if got := p.T("x.only.en", i18n.Args{"Name": "n"}); got != "[x.only.en]" {
		t.Errorf("a Korean message that only English has = %q, want its id in brackets", got)
	}
	if got := c.Printer(i18n.English).T("x.only.en"); got != "[x.only.en]" {
		t.Errorf("a template field without data = %q, want its id in brackets", got)
	}
	if got := c.Printer(i18n.English).N("x.plural", 1); got != "1 item" {
		t.Errorf("N one = %q", got)
	}
	if got := c.Printer(i18n.English).N("x.plural", 1200); got != "1,200 items" {
		t.Errorf("N other = %q", got)
	}
	if got := p.N("x.plural", 1); got != "1개" {
		t.Errorf("Korean N = %q", got)
	}
	problems := strings.Join(i18ntest.Problems(c), "\n")
	for _, want := range []string{`"x.only.en" has no Korean text`, `"x.both": English names fields [A], Korean [B]`} {
		if !strings.Contains(problems, want) {
			t.Errorf("Problems() = %s\nwant a line with %s", problems, want)
		}
	}
	bad := i18n.NewCatalog(fstest.MapFS{"y.json": {Data: []byte(`{"y": "z"}`)}, "z.ko.json": {Data: []byte(`{`)}})
	if err := bad.Err(); err == nil || !strings.Contains(err.Error(), "y.json") || !strings.Contains(err.Error(), "z.ko.json") {
		t.Errorf("Err() = %v, want both bad files named", err)
	}
}

func TestCompleteFindsUnknownIDsInCode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := "package x\n\nfunc f(p interface{ T(string) string }) string { return p.T(\"i18n.date\") + p.T(\"x.nowhere\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	problems := i18ntest.Problems(i18n.NewCatalog(), dir)
	if len(problems) != 1 || !strings.Contains(problems[0], `x.go:3: message "x.nowhere" is not in the catalog`) {
		t.Errorf("Problems() = %q, want only x.nowhere reported", problems)
	}
}

func TestTemplates(t *testing.T) {
	t.Parallel()
	type total struct{ Exact, Dollars string }
	data := i18n.Args{"A": "a", "Empty": "", "Zero": 0, "N": 3, "T": total{Exact: "$1.00", Dollars: "1"}, "M": map[string]any{"K": "v"}}
	tests := []struct{ src, want string }{
		{"plain", "plain"},
		{"x {{.A}} y {{ .N }}", "x a y 3"},
		{"{{.T.Exact}} / {{.T.Dollars}} / {{.M.K}}", "$1.00 / 1 / v"},
		{"{{if .A}}yes{{end}}{{if .Empty}}no{{end}}{{if .Zero}}no{{end}}", "yes"},
		{"{{if .Empty}}a{{else}}b{{end}}", "b"},
		{"{{if and .A .N}}both{{end}}{{if and .A .Empty}}no{{end}}", "both"},
		{"{{if or .Empty .Zero}}no{{else}}neither{{end}}{{if or .Empty .A}} one{{end}}", "neither one"},
		{"{{if not .Empty}}not{{end}}", "not"},
		{"{{if .A}}({{if .N}}{{.N}}{{end}}){{end}}", "(3)"},
	}
	for _, tt := range tests {
		c := i18n.NewCatalog(fstest.MapFS{"t.en.json": {Data: []byte(`{"t.x": ` + strconv.Quote(tt.src) + `}`)}})
		if err := c.Err(); err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		if got := c.Printer(i18n.English).T("t.x", data); got != tt.want {
			t.Errorf("%q = %q, want %q", tt.src, got, tt.want)
		}
	}
	for _, bad := range []string{"{{.A", "{{if .A}}x", "{{end}}", "{{else}}", "{{A}}", "{{printf .A}}", "{{if}}x{{end}}", "{{if and .A}}x{{end}}", "{{.A..B}}"} {
		if _, err := i18n.TemplateFields(bad); err == nil {
			t.Errorf("TemplateFields(%q) accepted it", bad)
		}
	}
	c := i18n.NewCatalog(fstest.MapFS{"t.en.json": {Data: []byte(`{"t.x": "{{.T.Missing}}", "t.y": "{{.Nope}}"}`)}})
	for _, id := range []string{"t.x", "t.y"} {
		if got := c.Printer(i18n.English).T(id, data); got != "["+id+"]" {
			t.Errorf("%s with a missing field = %q, want its id in brackets", id, got)
		}
	}
	if got, err := i18n.TemplateFields("{{if or .B .A}}{{.C.D}}{{end}}"); err != nil || strings.Join(got, ",") != "A,B,C" {
		t.Errorf("TemplateFields = %v, %v", got, err)
	}
}
