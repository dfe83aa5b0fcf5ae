// Package openapitest checks JSON request bodies against the request schemas of Discord's
// OpenAPI spec (https://github.com/discord/discord-api-spec), as cut into the extracts of
// extracts/ (see extracts/README.md), which Extract reads from the package itself so that every
// module's tests check against the same copy. It knows the JSON Schema keywords those extracts use: $ref, type,
// enum, const, oneOf, anyOf, allOf, properties, additionalProperties, required, minLength,
// maxLength, pattern, minItems, maxItems, items, minimum and maximum.
//
// It is stricter than JSON Schema in one way: an object may carry only the properties its
// schema defines, so that a body with a misspelt or response-only field fails. It is looser in
// one: where the docs and the spec disagree the docs win, and they send permission bitfields
// (default_member_permissions) as decimal strings where the spec says integer.
package openapitest

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Spec is one extract: its operations and the schemas they refer to.
type Spec struct {
	operations map[string]any
	schemas    map[string]any
}

//go:embed extracts/*.json
var extracts embed.FS

// Extract returns one of the extracts kept in this package ("message-create.json",
// "discord-requests.json", "interaction-callback.json", "application-commands.json",
// "errors-ratelimits.json").
func Extract(name string) (*Spec, error) {
	b, err := extracts.ReadFile("extracts/" + name)
	if err != nil {
		return nil, err
	}
	return parse(name, b)
}

// Load reads an extract. Both layouts are understood: schemas at the top level with
// operations carrying a requestBody, or components.schemas with operations that are schemas.
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, b)
}

func parse(path string, b []byte) (*Spec, error) {
	var doc struct {
		Operations map[string]any `json:"operations"`
		Schemas    map[string]any `json:"schemas"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := decode(b, &doc); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	s := &Spec{operations: doc.Operations, schemas: doc.Schemas}
	if s.schemas == nil {
		s.schemas = doc.Components.Schemas
	}
	if len(s.schemas) == 0 {
		return nil, fmt.Errorf("%s: no schemas", path)
	}
	return s, nil
}

// CheckOperation checks body against the application/json request schema of operation, named
// as the extract names it ("POST /channels/{channel_id}/messages", "message-edit").
func (s *Spec) CheckOperation(operation string, body []byte) error {
	op, ok := s.operations[operation].(map[string]any)
	if !ok {
		return fmt.Errorf("no operation %q", operation)
	}
	schema := any(op)
	if rb, ok := op["requestBody"].(map[string]any); ok {
		schema = dig(rb, "content", "application/json", "schema")
		if schema == nil {
			return fmt.Errorf("operation %q has no application/json body", operation)
		}
	}
	return s.check(schema, body)
}

// CheckSchema checks body against the named schema ("MessageCreateRequest").
func (s *Spec) CheckSchema(name string, body []byte) error {
	schema, ok := s.schemas[name]
	if !ok {
		return fmt.Errorf("no schema %q", name)
	}
	return s.check(schema, body)
}

func (s *Spec) check(schema any, body []byte) error {
	var v any
	if err := decode(body, &v); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	if errs := s.validate(schema, v, "$", ""); len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func dig(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// validate lists how v breaks schema; path locates v in the body, prop is the name of the
// property v is the value of.
func (s *Spec) validate(schema any, v any, path, prop string) []string {
	sc, ok := schema.(map[string]any)
	if !ok {
		return nil // true: anything goes
	}
	if ref, ok := sc["$ref"].(string); ok {
		target, ok := s.schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		if !ok {
			return []string{fmt.Sprintf("%s: unresolved %s", path, ref)}
		}
		return s.validate(target, v, path, prop)
	}
	var errs []string
	fail := func(format string, args ...any) {
		errs = append(errs, path+": "+fmt.Sprintf(format, args...))
	}
	if t, ok := sc["type"]; ok && !typeMatches(t, v, prop) {
		fail("%s is not of type %v", kind(v), t)
		return errs
	}
	if enum, ok := sc["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return equal(e, v) }) {
		fail("%v not in enum %v", v, enum)
	}
	if c, ok := sc["const"]; ok && !equal(c, v) {
		fail("%v is not %v", v, c)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		branches, ok := sc[key].([]any)
		if !ok {
			continue
		}
		// The closest branch is the one with the fewest errors among those of the right
		// type: a null branch is never the one that says what is wrong.
		var best []string
		bestScore := 0
		for _, b := range branches {
			berrs := s.validate(b, v, path, prop)
			if len(berrs) == 0 {
				best = nil
				break
			}
			score := len(berrs)
			if !s.typeMatchesSchema(b, v, prop) {
				score += 1 << 20
			}
			if best == nil || score < bestScore {
				best, bestScore = berrs, score
			}
		}
		if best != nil {
			fail("matches no branch of %s; closest:", key)
			errs = append(errs, best...)
		}
	}
	if all, ok := sc["allOf"].([]any); ok {
		for _, b := range all {
			errs = append(errs, s.validate(b, v, path, prop)...)
		}
	}
	switch v := v.(type) {
	case string:
		n := utf8.RuneCountInString(v)
		if limit, ok := intOf(sc["maxLength"]); ok && n > limit {
			fail("%d characters, more than maxLength %d", n, limit)
		}
		if limit, ok := intOf(sc["minLength"]); ok && n < limit {
			fail("%d characters, fewer than minLength %d", n, limit)
		}
		if p, ok := sc["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				fail("pattern %q: %v", p, err)
			} else if !re.MatchString(v) {
				fail("%q does not match %s", v, p)
			}
		}
	case json.Number:
		if limit, ok := sc["maximum"].(json.Number); ok && compare(v, limit) > 0 {
			fail("%s above maximum %s", v, limit)
		}
		if limit, ok := sc["minimum"].(json.Number); ok && compare(v, limit) < 0 {
			fail("%s below minimum %s", v, limit)
		}
	case []any:
		if limit, ok := intOf(sc["maxItems"]); ok && len(v) > limit {
			fail("%d items, more than maxItems %d", len(v), limit)
		}
		if limit, ok := intOf(sc["minItems"]); ok && len(v) < limit {
			fail("%d items, fewer than minItems %d", len(v), limit)
		}
		if items, ok := sc["items"]; ok {
			for i, item := range v {
				errs = append(errs, s.validate(items, item, fmt.Sprintf("%s[%d]", path, i), "")...)
			}
		}
	case map[string]any:
		errs = append(errs, s.validateObject(sc, v, path)...)
	}
	return errs
}

func (s *Spec) validateObject(sc map[string]any, v map[string]any, path string) []string {
	props, hasProps := sc["properties"].(map[string]any)
	additional, hasAdditional := sc["additionalProperties"]
	if !hasProps && !hasAdditional {
		return nil // an object schema that says nothing of its properties: oneOf/allOf do
	}
	var errs []string
	for _, key := range slices.Sorted(maps.Keys(v)) {
		sub := path + "." + key
		if p, ok := props[key]; ok {
			errs = append(errs, s.validate(p, v[key], sub, key)...)
			continue
		}
		switch a := additional.(type) {
		case map[string]any:
			errs = append(errs, s.validate(a, v[key], sub, key)...)
		case bool:
			if !a {
				errs = append(errs, sub+": property not in the schema")
			}
		default:
			errs = append(errs, sub+": property not in the schema")
		}
	}
	if req, ok := sc["required"].([]any); ok {
		for _, r := range req {
			if _, ok := v[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required property %q missing", path, r))
			}
		}
	}
	return errs
}

func (s *Spec) typeMatchesSchema(schema any, v any, prop string) bool {
	sc, ok := schema.(map[string]any)
	if !ok {
		return true
	}
	if ref, ok := sc["$ref"].(string); ok {
		return s.typeMatchesSchema(s.schemas[strings.TrimPrefix(ref, "#/components/schemas/")], v, prop)
	}
	t, ok := sc["type"]
	return !ok || typeMatches(t, v, prop)
}

func typeMatches(t any, v any, prop string) bool {
	switch t := t.(type) {
	case string:
		return typeIs(t, v, prop)
	case []any:
		return slices.ContainsFunc(t, func(x any) bool { s, _ := x.(string); return typeIs(s, v, prop) })
	}
	return true
}

func typeIs(t string, v any, prop string) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		if s, ok := v.(string); ok && docsTakeString(prop) {
			_, ok := new(big.Int).SetString(s, 10)
			return ok
		}
		n, ok := v.(json.Number)
		return ok && !strings.ContainsAny(string(n), ".eE")
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// docsTakeString says whether the docs send prop, an integer in the spec, as a decimal
// string: https://discord.com/developers/docs/interactions/application-commands#application-command-object
func docsTakeString(prop string) bool {
	return prop == "default_member_permissions"
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func equal(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		return compare(an, bn) == 0
	}
	if aok || bok {
		return false
	}
	switch a.(type) {
	case string, bool, nil:
		return a == b
	}
	return false
}

func compare(a, b json.Number) int {
	x, _, errX := big.ParseFloat(string(a), 10, 128, big.ToNearestEven)
	y, _, errY := big.ParseFloat(string(b), 10, 128, big.ToNearestEven)
	if errX != nil || errY != nil {
		return strings.Compare(string(a), string(b))
	}
	return x.Cmp(y)
}

func intOf(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return int(i), err == nil
}
