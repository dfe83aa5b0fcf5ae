package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// spec is the application-commands extract of Discord's OpenAPI description, with a checker
// for the JSON Schema keywords it uses. It is stricter than JSON Schema in one way: an object
// may carry only the properties its schema names, so a misspelt field fails. It is looser in
// one, where the docs and the spec disagree: the docs (and Discord) take
// default_member_permissions as a decimal string, the spec says integer.
//
// (shared/discord has a fuller checker, but in an internal package this module cannot import.)
type spec struct {
	operations map[string]any
	schemas    map[string]any
}

func loadSpec(t *testing.T, path string) *spec {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Operations map[string]any `json:"operations"`
		Schemas    map[string]any `json:"schemas"`
	}
	if err := decodeNumbers(b, &doc); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return &spec{operations: doc.Operations, schemas: doc.Schemas}
}

func decodeNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// checkRequest lists how body breaks the application/json request schema of operation.
func (s *spec) checkRequest(operation string, body []byte) []string {
	op, ok := s.operations[operation].(map[string]any)
	if !ok {
		return []string{"no operation " + operation}
	}
	schema := op["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
	var v any
	if err := decodeNumbers(body, &v); err != nil {
		return []string{err.Error()}
	}
	return s.check(schema, v, "$", "")
}

func (s *spec) check(schema, v any, path, prop string) []string {
	sc, _ := schema.(map[string]any)
	if ref, ok := sc["$ref"].(string); ok {
		return s.check(s.schemas[strings.TrimPrefix(ref, "#/components/schemas/")], v, path, prop)
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if t, ok := sc["type"]; ok && !typeOK(t, v, prop) {
		fail("%T is not %v", v, t)
		return errs
	}
	if c, ok := sc["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		fail("%v is not %v", v, c)
	}
	if e, ok := sc["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return fmt.Sprint(x) == fmt.Sprint(v) }) {
		fail("%v not in %v", v, e)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		branches, ok := sc[key].([]any)
		if !ok {
			continue
		}
		var closest []string
		for i, b := range branches {
			berrs := s.check(b, v, path, prop)
			if len(berrs) == 0 {
				closest = nil
				break
			}
			if i == 0 || len(berrs) < len(closest) {
				closest = berrs
			}
		}
		if closest != nil {
			fail("matches no branch of %s; closest: %s", key, strings.Join(closest, "; "))
		}
	}
	for _, b := range asList(sc["allOf"]) {
		errs = append(errs, s.check(b, v, path, prop)...)
	}
	switch v := v.(type) {
	case string:
		n := utf8.RuneCountInString(v)
		if max, ok := number(sc["maxLength"]); ok && n > max {
			fail("%d characters, over %d", n, max)
		}
		if min, ok := number(sc["minLength"]); ok && n < min {
			fail("%d characters, under %d", n, min)
		}
		if p, ok := sc["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
			fail("%q does not match %s", v, p)
		}
	case json.Number:
		x, _ := new(big.Float).SetString(string(v))
		if m, ok := sc["maximum"].(json.Number); ok {
			if y, _ := new(big.Float).SetString(string(m)); x.Cmp(y) > 0 {
				fail("%s over %s", v, m)
			}
		}
		if m, ok := sc["minimum"].(json.Number); ok {
			if y, _ := new(big.Float).SetString(string(m)); x.Cmp(y) < 0 {
				fail("%s under %s", v, m)
			}
		}
	case []any:
		if max, ok := number(sc["maxItems"]); ok && len(v) > max {
			fail("%d items, over %d", len(v), max)
		}
		if min, ok := number(sc["minItems"]); ok && len(v) < min {
			fail("%d items, under %d", len(v), min)
		}
		for i, item := range v {
			if items, ok := sc["items"]; ok {
				errs = append(errs, s.check(items, item, fmt.Sprintf("%s[%d]", path, i), "")...)
			}
		}
	case map[string]any:
		props, ok := sc["properties"].(map[string]any)
		if !ok {
			break // an object schema that leaves its properties to oneOf/allOf
		}
		for key, val := range v {
			p, ok := props[key]
			if !ok {
				fail("property %q is not in the schema", key)
				continue
			}
			errs = append(errs, s.check(p, val, path+"."+key, key)...)
		}
		for _, r := range asList(sc["required"]) {
			if _, ok := v[r.(string)]; !ok {
				fail("required property %q missing", r)
			}
		}
	}
	return errs
}

func asList(v any) []any { l, _ := v.([]any); return l }

func number(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return int(i), err == nil
}

func typeOK(t, v any, prop string) bool {
	if list, ok := t.([]any); ok {
		return slices.ContainsFunc(list, func(x any) bool { return typeOK(x, v, prop) })
	}
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		if s, ok := v.(string); ok && prop == "default_member_permissions" {
			_, ok := new(big.Int).SetString(s, 10)
			return ok
		}
		n, ok := v.(json.Number)
		return ok && !strings.ContainsAny(string(n), ".eE")
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// TestSpecCatchesMistakes keeps the checker honest: bodies Discord would refuse must fail.
func TestSpecCatchesMistakes(t *testing.T) {
	t.Parallel()
	s := loadSpec(t, "../../testdata/openapi/application-commands.json")
	bad := map[string]string{
		"unknown field":          `[{"name":"a","description":"d","colour":1}]`,
		"long name":              `[{"name":"` + strings.Repeat("a", 33) + `","description":"d"}]`,
		"option without type":    `[{"name":"a","description":"d","options":[{"name":"o","description":"d"}]}]`,
		"string choice integer":  `[{"name":"a","description":"d","options":[{"type":3,"name":"o","description":"d","choices":[{"name":"x","value":1}]}]}]`,
		"bad context":            `[{"name":"a","description":"d","contexts":[7]}]`,
		"permissions not digits": `[{"name":"a","description":"d","default_member_permissions":"admin"}]`,
	}
	for name, body := range bad {
		if errs := s.checkRequest("PUT /applications/{application_id}/commands", []byte(body)); len(errs) == 0 {
			t.Errorf("%s: %s passes", name, body)
		}
	}
}
