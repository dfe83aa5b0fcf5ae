package i18n

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// The messages' templates are a small subset of text/template, interpreted here: text,
// {{.Field}} and {{.Field.Sub}} (a map key or a struct field), and {{if COND}} … {{else}} …
// {{end}}, where COND is a field, `not X`, `and X Y …` or `or X Y …`, true as text/template
// takes it (not the zero value). A field the data lacks is an error, not "<no value>".
//
// Why not text/template, which go-i18n's Localizer executes: text/template looks methods up
// by name (reflect.Value.MethodByName), which turns off the linker's dead-code elimination of
// exported methods in the whole binary. With the AWS SDK's clients linked in, that made the
// interactions bootstrap grow from 14.5 MB to 62 MB and every other function's about twice.
// go-i18n still parses the message files and holds the messages; the plural form comes from
// CLDR's rules (golang.org/x/text/feature/plural); only execution is here.

// template is a parsed message template.
type template struct {
	nodes []node
}

// node is text, a field, or a condition with its branches.
type node struct {
	text   string
	field  []string // a {{.A.B}}: its path
	cond   *cond
	then   []node
	orElse []node
}

type cond struct {
	op    string // "", "not", "and", "or"
	field []string
	args  []*cond
}

// parseTemplate parses src.
func parseTemplate(src string) (*template, error) {
	p := &tparser{src: src}
	nodes, end, err := p.parse(false)
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, fmt.Errorf("unexpected {{%s}}", end)
	}
	return &template{nodes: nodes}, nil
}

type tparser struct {
	src string
	pos int
}

// parse reads nodes up to the end of src, or, inside an if, up to its {{else}} or {{end}},
// which it returns.
func (p *tparser) parse(inIf bool) ([]node, string, error) {
	var nodes []node
	for p.pos < len(p.src) {
		i := strings.Index(p.src[p.pos:], "{{")
		if i < 0 {
			nodes = append(nodes, node{text: p.src[p.pos:]})
			p.pos = len(p.src)
			break
		}
		if i > 0 {
			nodes = append(nodes, node{text: p.src[p.pos : p.pos+i]})
		}
		p.pos += i + 2
		j := strings.Index(p.src[p.pos:], "}}")
		if j < 0 {
			return nil, "", errors.New("unclosed {{")
		}
		action := strings.TrimSpace(p.src[p.pos : p.pos+j])
		p.pos += j + 2
		words := strings.Fields(action)
		switch {
		case len(words) == 0:
			return nil, "", errors.New("empty {{}}")
		case words[0] == "end" || words[0] == "else":
			if len(words) != 1 || !inIf {
				return nil, "", fmt.Errorf("unexpected {{%s}}", action)
			}
			return nodes, words[0], nil
		case words[0] == "if":
			c, err := parseCond(words[1:])
			if err != nil {
				return nil, "", fmt.Errorf("{{%s}}: %w", action, err)
			}
			n := node{cond: c}
			var end string
			n.then, end, err = p.parse(true)
			if err != nil {
				return nil, "", err
			}
			if end == "else" {
				if n.orElse, end, err = p.parse(true); err != nil {
					return nil, "", err
				}
			}
			if end != "end" {
				return nil, "", fmt.Errorf("{{%s}} without {{end}}", action)
			}
			nodes = append(nodes, n)
		case len(words) == 1:
			path, err := fieldPath(words[0])
			if err != nil {
				return nil, "", fmt.Errorf("{{%s}}: %w", action, err)
			}
			nodes = append(nodes, node{field: path})
		default:
			return nil, "", fmt.Errorf("{{%s}}: only {{.Field}}, {{if}}, {{else}} and {{end}} are supported", action)
		}
	}
	if inIf {
		return nil, "", errors.New("{{if}} without {{end}}")
	}
	return nodes, "", nil
}

func parseCond(words []string) (*cond, error) {
	if len(words) == 0 {
		return nil, errors.New("no condition")
	}
	switch words[0] {
	case "not", "and", "or":
		c := &cond{op: words[0]}
		for _, w := range words[1:] {
			path, err := fieldPath(w)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, &cond{field: path})
		}
		if (c.op == "not" && len(c.args) != 1) || (c.op != "not" && len(c.args) < 2) {
			return nil, fmt.Errorf("%s: wrong number of fields", c.op)
		}
		return c, nil
	}
	if len(words) != 1 {
		return nil, errors.New("want a field, or not, and, or with fields")
	}
	path, err := fieldPath(words[0])
	if err != nil {
		return nil, err
	}
	return &cond{field: path}, nil
}

func fieldPath(w string) ([]string, error) {
	if !strings.HasPrefix(w, ".") || len(w) < 2 {
		return nil, fmt.Errorf("%q is not a field (.Name)", w)
	}
	path := strings.Split(w[1:], ".")
	for _, part := range path {
		if part == "" {
			return nil, fmt.Errorf("%q is not a field (.Name)", w)
		}
	}
	return path, nil
}

// fields lists the top-level fields the template names, sorted.
func (t *template) fields() []string {
	seen := map[string]bool{}
	var walk func([]node)
	var walkCond func(*cond)
	walkCond = func(c *cond) {
		if c.field != nil {
			seen[c.field[0]] = true
		}
		for _, a := range c.args {
			walkCond(a)
		}
	}
	walk = func(nodes []node) {
		for _, n := range nodes {
			if n.field != nil {
				seen[n.field[0]] = true
			}
			if n.cond != nil {
				walkCond(n.cond)
				walk(n.then)
				walk(n.orElse)
			}
		}
	}
	walk(t.nodes)
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// execute renders the template with data.
func (t *template) execute(data Args) (string, error) {
	var b strings.Builder
	if err := run(&b, t.nodes, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

func run(b *strings.Builder, nodes []node, data Args) error {
	for _, n := range nodes {
		switch {
		case n.field != nil:
			v, err := lookup(data, n.field)
			if err != nil {
				return err
			}
			fmt.Fprint(b, v)
		case n.cond != nil:
			ok, err := n.cond.eval(data)
			if err != nil {
				return err
			}
			branch := n.orElse
			if ok {
				branch = n.then
			}
			if err := run(b, branch, data); err != nil {
				return err
			}
		default:
			b.WriteString(n.text)
		}
	}
	return nil
}

func (c *cond) eval(data Args) (bool, error) {
	switch c.op {
	case "not":
		v, err := c.args[0].eval(data)
		return !v, err
	case "and", "or":
		for _, a := range c.args {
			v, err := a.eval(data)
			if err != nil {
				return false, err
			}
			if v == (c.op == "or") {
				return v, nil
			}
		}
		return c.op == "and", nil
	}
	v, err := lookup(data, c.field)
	if err != nil {
		return false, err
	}
	return truth(v), nil
}

// lookup follows path through data: map keys, then map keys or struct fields.
func lookup(data Args, path []string) (any, error) {
	v, ok := data[path[0]]
	if !ok {
		return nil, fmt.Errorf("no field %s", path[0])
	}
	for _, name := range path[1:] {
		rv := reflect.Indirect(reflect.ValueOf(v))
		switch rv.Kind() {
		case reflect.Map:
			e := rv.MapIndex(reflect.ValueOf(name))
			if !e.IsValid() {
				return nil, fmt.Errorf("no field %s", strings.Join(path, "."))
			}
			v = e.Interface()
		case reflect.Struct:
			f := rv.FieldByName(name)
			if !f.IsValid() || !f.CanInterface() {
				return nil, fmt.Errorf("no field %s", strings.Join(path, "."))
			}
			v = f.Interface()
		default:
			return nil, fmt.Errorf("no field %s", strings.Join(path, "."))
		}
	}
	return v, nil
}

// truth is text/template's: false for nil and the zero value of its type, and for empty
// maps, slices and strings.
func truth(v any) bool {
	if v == nil {
		return false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.String:
		return rv.Len() > 0
	}
	return !rv.IsZero()
}

// TemplateFields parses a message template and lists the top-level fields it names, sorted;
// i18ntest compares them across languages.
func TemplateFields(src string) ([]string, error) {
	t, err := parseTemplate(src)
	if err != nil {
		return nil, err
	}
	return t.fields(), nil
}
