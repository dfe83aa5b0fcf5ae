package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// messageSchema checks request bodies against MessageCreateRequest in Discord's OpenAPI extract
// (testdata/discord-openapi). It knows the keywords the schemas of a message with embeds use:
// $ref, type, const, properties, required, items, oneOf, maxLength, maxItems, minimum and
// maximum. It
// is stricter than JSON Schema in one way: a property the schema does not name is an error, so
// that a misspelt field fails here instead of being ignored by Discord.
type messageSchema map[string]map[string]any

func loadMessageSchema(t *testing.T) messageSchema {
	t.Helper()
	raw, err := os.ReadFile("testdata/discord-openapi/message-create.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schemas messageSchema `json:"schemas"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Schemas
}

func (s messageSchema) check(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return s.validate(v, s["MessageCreateRequest"], "$")
}

func (s messageSchema) validate(v any, sch map[string]any, path string) error {
	if ref, ok := sch["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		target, ok := s[name]
		if !ok {
			return fmt.Errorf("%s: unknown schema %s", path, ref)
		}
		return s.validate(v, target, path)
	}
	if t, ok := sch["type"]; ok && !typeMatches(v, t) {
		return fmt.Errorf("%s: %v is not of type %v", path, v, t)
	}
	if c, ok := sch["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		return fmt.Errorf("%s: %v is not %v", path, v, c)
	}
	if alts, ok := sch["oneOf"].([]any); ok {
		matched := 0
		for _, alt := range alts {
			if s.validate(v, alt.(map[string]any), path) == nil {
				matched++
			}
		}
		if matched != 1 {
			return fmt.Errorf("%s: %d of the oneOf alternatives match, want 1", path, matched)
		}
		return nil // the matching alternative checked the rest
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := sch["properties"].(map[string]any)
		for _, r := range asSlice(sch["required"]) {
			if _, ok := v[r.(string)]; !ok {
				return fmt.Errorf("%s: required property %s is missing", path, r)
			}
		}
		for k, pv := range v {
			ps, ok := props[k].(map[string]any)
			if !ok {
				return fmt.Errorf("%s.%s: property not in the schema", path, k)
			}
			if err := s.validate(pv, ps, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		if max, ok := sch["maxItems"].(float64); ok && float64(len(v)) > max {
			return fmt.Errorf("%s: %d items, more than maxItems %v", path, len(v), max)
		}
		if items, ok := sch["items"].(map[string]any); ok {
			for i, item := range v {
				if err := s.validate(item, items, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	case string:
		if max, ok := sch["maxLength"].(float64); ok && float64(utf8.RuneCountInString(v)) > max {
			return fmt.Errorf("%s: %d characters, more than maxLength %v", path, utf8.RuneCountInString(v), max)
		}
	case json.Number:
		n, err := v.Float64()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if min, ok := sch["minimum"].(float64); ok && n < min {
			return fmt.Errorf("%s: %v is less than minimum %v", path, n, min)
		}
		if max, ok := sch["maximum"].(float64); ok && n > max {
			return fmt.Errorf("%s: %v is more than maximum %v", path, n, max)
		}
	}
	return nil
}

func typeMatches(v any, t any) bool {
	for _, name := range asSlice(t) {
		switch name {
		case "null":
			if v == nil {
				return true
			}
		case "object":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "array":
			if _, ok := v.([]any); ok {
				return true
			}
		case "string":
			if _, ok := v.(string); ok {
				return true
			}
		case "boolean":
			if _, ok := v.(bool); ok {
				return true
			}
		case "integer":
			if n, ok := v.(json.Number); ok && !strings.ContainsAny(string(n), ".eE") {
				return true
			}
		case "number":
			if _, ok := v.(json.Number); ok {
				return true
			}
		}
	}
	return false
}

// asSlice reads a keyword that may be one value or a list ("type": "string" or ["string", "null"]).
func asSlice(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// TestMessageSchemaCatches shows that the checker fails the bodies it exists to catch, so a
// passing check elsewhere means something.
func TestMessageSchemaCatches(t *testing.T) {
	t.Parallel()
	s := loadMessageSchema(t)
	tests := []struct {
		name, body, wantErr string
	}{
		{"valid", `{"content":"hi","nonce":"cost-20251018-1a2b3c4d","enforce_nonce":true,"allowed_mentions":{"parse":[]},"embeds":[{"title":"t","color":3066993,"fields":[{"name":"n","value":"v"}]}]}`, ""},
		{"mentions of a known type", `{"allowed_mentions":{"parse":["users"]}}`, ""},
		{"mentions of an unknown type", `{"allowed_mentions":{"parse":["channels"]}}`, "$.allowed_mentions: 0 of the oneOf"},
		{"unknown property", `{"content":"hi","author":{"id":"1"}}`, "$.author: property not in the schema"},
		{"nonce too long", `{"nonce":"cost-20251018-1a2b3c4d-and-more"}`, "$.nonce: 0 of the oneOf"},
		{"field value too long", `{"embeds":[{"fields":[{"name":"n","value":"` + strings.Repeat("x", 1025) + `"}]}]}`, "more than maxLength 1024"},
		{"field without value", `{"embeds":[{"fields":[{"name":"n"}]}]}`, "required property value"},
		{"too many embeds", `{"embeds":[{},{},{},{},{},{},{},{},{},{},{}]}`, "more than maxItems 10"},
		{"colour out of range", `{"embeds":[{"color":16777216}]}`, "more than maximum"},
		{"wrong type", `{"enforce_nonce":"yes"}`, "is not of type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := s.check([]byte(tt.body))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("check: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("check = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
