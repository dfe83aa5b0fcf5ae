package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// openAPI checks JSON bodies against a schema of Discord's OpenAPI extract
// (testdata/discord-openapi). It implements the JSON Schema keywords the extract uses: $ref,
// type, properties, required, items, oneOf, anyOf, allOf, const, enum, pattern, maxLength,
// minLength, maxItems, minItems, uniqueItems, minimum, maximum and the uri and date-time formats. It is stricter than the spec in
// one way: a property the schema does not name is an error, so that a misspelt field
// ("allowed_mention") fails the test instead of being ignored by Discord.
type openAPI struct {
	schemas map[string]map[string]any
}

func loadOpenAPI(t *testing.T) openAPI {
	t.Helper()
	raw, err := os.ReadFile("testdata/discord-openapi/message-create.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schemas map[string]map[string]any `json:"schemas"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return openAPI{schemas: doc.Schemas}
}

// check validates body against the named schema.
func (o openAPI) check(body []byte, schema string) error {
	var v any
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return err
	}
	s, ok := o.schemas[schema]
	if !ok {
		return fmt.Errorf("no schema %s", schema)
	}
	return o.validate(v, s, "$")
}

func (o openAPI) validate(v any, s map[string]any, path string) error {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		target, ok := o.schemas[name]
		if !ok {
			return fmt.Errorf("%s: unresolved %s", path, ref)
		}
		return o.validate(v, target, path)
	}
	if t, ok := s["type"]; ok {
		if err := checkType(v, t, path); err != nil {
			return err
		}
	}
	for _, sub := range subschemas(s, "allOf") {
		if err := o.validate(v, sub, path); err != nil {
			return err
		}
	}
	if subs := subschemas(s, "oneOf"); subs != nil {
		var matched int
		var errs []error
		for _, sub := range subs {
			if err := o.validate(v, sub, path); err != nil {
				errs = append(errs, err)
			} else {
				matched++
			}
		}
		if matched != 1 {
			return fmt.Errorf("%s: matches %d of oneOf, want 1: %w", path, matched, errors.Join(errs...))
		}
	}
	if subs := subschemas(s, "anyOf"); subs != nil {
		var errs []error
		for _, sub := range subs {
			if err := o.validate(v, sub, path); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) == len(subs) {
			return fmt.Errorf("%s: matches none of anyOf: %w", path, errors.Join(errs...))
		}
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		return fmt.Errorf("%s: %v, want %v", path, v, c)
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		return fmt.Errorf("%s: %v not in %v", path, v, enum)
	}
	switch v := v.(type) {
	case string:
		n := float64(utf8.RuneCountInString(v))
		if limit, ok := s["maxLength"].(float64); ok && n > limit {
			return fmt.Errorf("%s: %v characters, max %v", path, n, limit)
		}
		if limit, ok := s["minLength"].(float64); ok && n < limit {
			return fmt.Errorf("%s: %v characters, min %v", path, n, limit)
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
			return fmt.Errorf("%s: %q does not match %s", path, v, p)
		}
		return checkFormat(v, s["format"], path)
	case json.Number:
		f, _ := v.Float64()
		if limit, ok := s["maximum"].(float64); ok && f > limit {
			return fmt.Errorf("%s: %v above %v", path, v, limit)
		}
		if limit, ok := s["minimum"].(float64); ok && f < limit {
			return fmt.Errorf("%s: %v below %v", path, v, limit)
		}
	case []any:
		if limit, ok := s["maxItems"].(float64); ok && float64(len(v)) > limit {
			return fmt.Errorf("%s: %d items, max %v", path, len(v), limit)
		}
		if limit, ok := s["minItems"].(float64); ok && float64(len(v)) < limit {
			return fmt.Errorf("%s: %d items, min %v", path, len(v), limit)
		}
		if unique, _ := s["uniqueItems"].(bool); unique {
			seen := map[string]bool{}
			for _, item := range v {
				k := fmt.Sprint(item)
				if seen[k] {
					return fmt.Errorf("%s: %v repeated", path, item)
				}
				seen[k] = true
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, item := range v {
				if err := o.validate(item, items, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	case map[string]any:
		props, hasProps := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, r := range required {
			if _, ok := v[r.(string)]; !ok {
				return fmt.Errorf("%s: %s required", path, r)
			}
		}
		if !hasProps {
			return nil
		}
		for k, val := range v {
			ps, ok := props[k].(map[string]any)
			if !ok {
				return fmt.Errorf("%s: property %q not in the schema", path, k)
			}
			if err := o.validate(val, ps, path+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

func subschemas(s map[string]any, key string) []map[string]any {
	raw, ok := s[key].([]any)
	if !ok {
		return nil
	}
	out := make([]map[string]any, len(raw))
	for i, r := range raw {
		out[i] = r.(map[string]any)
	}
	return out
}

func checkType(v any, want any, path string) error {
	var types []string
	switch w := want.(type) {
	case string:
		types = []string{w}
	case []any:
		for _, t := range w {
			types = append(types, t.(string))
		}
	}
	var got string
	switch v := v.(type) {
	case nil:
		got = "null"
	case bool:
		got = "boolean"
	case string:
		got = "string"
	case []any:
		got = "array"
	case map[string]any:
		got = "object"
	case json.Number:
		got = "number"
		if f, err := v.Float64(); err == nil && f == math.Trunc(f) && !strings.ContainsAny(v.String(), ".eE") {
			got = "integer"
		}
	}
	if slices.Contains(types, got) || (got == "integer" && slices.Contains(types, "number")) {
		return nil
	}
	return fmt.Errorf("%s: %s, want %v", path, got, types)
}

func checkFormat(v string, format any, path string) error {
	switch format {
	case "uri":
		u, err := url.Parse(v)
		if err != nil || !u.IsAbs() {
			return fmt.Errorf("%s: %q is not an absolute URI", path, v)
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return fmt.Errorf("%s: %q is not a date-time", path, v)
		}
	}
	return nil
}

// TestOpenAPICheckerCanFail shows that the checker catches what it must, so that a body passing
// it means something.
func TestOpenAPICheckerCanFail(t *testing.T) {
	t.Parallel()
	o := loadOpenAPI(t)
	good := `{"embeds":[{"title":"t","url":"https://x.test/1","color":1,"fields":[{"name":"n","value":"v"}]}],"allowed_mentions":{"parse":[]},"nonce":"abc","enforce_nonce":true}`
	if err := o.check([]byte(good), "MessageCreateRequest"); err != nil {
		t.Fatalf("good body refused: %v", err)
	}
	bad := map[string]string{
		"long nonce":        `{"nonce":"12345678901234567890123456"}`,
		"long title":        `{"embeds":[{"title":"` + strings.Repeat("é", 257) + `"}]}`,
		"field no value":    `{"embeds":[{"fields":[{"name":"n"}]}]}`,
		"colour too big":    `{"embeds":[{"color":16777216}]}`,
		"relative url":      `{"embeds":[{"url":"/pull/2"}]}`,
		"bad timestamp":     `{"embeds":[{"timestamp":"yesterday"}]}`,
		"unknown field":     `{"allowed_mention":{"parse":[]}}`,
		"bad mention type":  `{"allowed_mentions":{"parse":["all"]}}`,
		"enforce as string": `{"enforce_nonce":"true"}`,
		"eleven embeds":     `{"embeds":[{},{},{},{},{},{},{},{},{},{},{}]}`,
		"repeated parse":    `{"allowed_mentions":{"parse":["users","users"]}}`,
	}
	for name, body := range bad {
		if err := o.check([]byte(body), "MessageCreateRequest"); err == nil {
			t.Errorf("%s: accepted %s", name, body)
		}
	}
}
