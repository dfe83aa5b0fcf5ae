package openapitest

import (
	"strings"
	"testing"
)

// TestCheck shows that the checker catches each kind of violation it exists for, so that a
// passing check elsewhere means something.
func TestCheck(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 2001)
	tests := []struct {
		name      string
		file      string
		operation string
		body      string
		wantErr   string // "" for a body the schema accepts
	}{
		{"valid message", "message-create.json", "POST /channels/{channel_id}/messages",
			`{"content":"hi","allowed_mentions":{"parse":[]},"components":[{"type":1,"components":[{"type":2,"style":1,"label":"Go","custom_id":"go"}]}]}`, ""},
		{"unknown property", "message-create.json", "POST /channels/{channel_id}/messages",
			`{"content":"hi","author":{"id":"1"}}`, "$.author: property not in the schema"},
		{"content over maxLength", "interaction-callback.json", "POST /webhooks/{webhook_id}/{webhook_token}",
			`{"content":"` + long + `"}`, "more than maxLength 2000"},
		{"too many embeds", "message-create.json", "POST /channels/{channel_id}/messages",
			`{"embeds":[{},{},{},{},{},{},{},{},{},{},{}]}`, "11 items, more than maxItems 10"},
		{"button label over maxLength", "message-create.json", "POST /channels/{channel_id}/messages",
			`{"components":[{"type":1,"components":[{"type":2,"style":1,"label":"` + long[:81] + `","custom_id":"go"}]}]}`, "matches no branch"},
		{"wrong type", "message-create.json", "POST /channels/{channel_id}/messages",
			`{"content":5}`, "number is not of type"},
		{"enum", "interaction-callback.json", "POST /interactions/{interaction_id}/{interaction_token}/callback",
			`{"type":3}`, "matches no branch"},
		{"permissions as a string, as the docs send them", "application-commands.json", "PUT /applications/{application_id}/commands",
			`[{"name":"deploy","description":"Deploy","default_member_permissions":"32"}]`, ""},
		{"nonce over 25 characters", "message-create.json", "POST /channels/{channel_id}/messages",
			`{"content":"x","nonce":"` + long[:26] + `"}`, "matches no branch"},
		{"snowflake pattern", "message-create.json", "POST /channels/{channel_id}/messages",
			`{"content":"x","message_reference":{"message_id":"abc"}}`, "does not match"},
		{"message-edit from the merged extract", "discord-requests.json", "message-edit",
			`{"content":"x","nonce":"1"}`, "$.nonce: property not in the schema"},
		{"missing required", "application-commands.json", "PUT /applications/{application_id}/commands",
			`[{"description":"no name"}]`, `required property "name" missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec, err := Extract(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			err = spec.CheckOperation(tt.operation, []byte(tt.body))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CheckOperation: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("CheckOperation accepted %s, want an error containing %q", tt.body, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("CheckOperation error:\n%v\nwant it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestCheckSchema(t *testing.T) {
	t.Parallel()
	spec, err := Extract("message-create.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := spec.CheckSchema("RichEmbedField", []byte(`{"name":"a","value":"b","inline":true}`)); err != nil {
		t.Errorf("valid field: %v", err)
	}
	if err := spec.CheckSchema("RichEmbedField", []byte(`{"name":"a"}`)); err == nil {
		t.Error("field without value accepted")
	}
	if err := spec.CheckSchema("NoSuchSchema", []byte(`{}`)); err == nil {
		t.Error("unknown schema accepted")
	}
	if err := spec.CheckOperation("GET /nowhere", []byte(`{}`)); err == nil {
		t.Error("unknown operation accepted")
	}
}
