package discord_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/openapitest"
)

const callbackOperation = "POST /interactions/{interaction_id}/{interaction_token}/callback"

func TestResponses(t *testing.T) {
	t.Parallel()
	spec, err := openapitest.Extract("interaction-callback.json")
	if err != nil {
		t.Fatal(err)
	}
	card := discord.Message{
		Embeds: []discord.Embed{{Title: "Deploy request", Color: discord.ColorYellow}},
		Components: []discord.Component{discord.ActionRow(
			discord.Button(discord.ButtonSuccess, "Approve", "deploy:approve:1"),
			discord.Button(discord.ButtonDanger, "Cancel", "deploy:cancel:1"),
			discord.LinkButton("Run", "https://github.com/o/r/actions/runs/1"),
		)},
	}
	tests := []struct {
		name string
		got  discord.Response
		want string
	}{
		{"pong", discord.Pong(), `{"type":1}`},
		{"reply pings nobody by default", discord.Reply(discord.Message{Content: "hi @everyone"}),
			`{"type":4,"data":{"content":"hi @everyone","allowed_mentions":{"parse":[]}}}`},
		{"reply keeps explicit mentions", discord.Reply(discord.Message{Content: "<@&9>", AllowedMentions: &discord.AllowedMentions{Parse: []string{}, Roles: []string{"9"}}}),
			`{"type":4,"data":{"content":"<@&9>","allowed_mentions":{"parse":[],"roles":["9"]}}}`},
		{"reply with a card", discord.Reply(card),
			`{"type":4,"data":{"embeds":[{"title":"Deploy request","color":15844367}],"components":[{"type":1,"components":[
				{"type":2,"style":3,"label":"Approve","custom_id":"deploy:approve:1"},
				{"type":2,"style":4,"label":"Cancel","custom_id":"deploy:cancel:1"},
				{"type":2,"style":5,"label":"Run","url":"https://github.com/o/r/actions/runs/1"}]}],"allowed_mentions":{"parse":[]}}}`},
		{"ephemeral reply", discord.EphemeralReply("You may not deploy."),
			`{"type":4,"data":{"content":"You may not deploy.","flags":64,"allowed_mentions":{"parse":[]}}}`},
		{"deferred", discord.Deferred(false), `{"type":5}`},
		{"deferred ephemeral", discord.Deferred(true), `{"type":5,"data":{"flags":64}}`},
		{"deferred update", discord.DeferredUpdate(), `{"type":6}`},
		{"update removing buttons", discord.Update(discord.Message{Content: "Cancelled by <@1>", Components: []discord.Component{}}),
			`{"type":7,"data":{"content":"Cancelled by \u003c@1\u003e","components":[],"allowed_mentions":{"parse":[]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, err := json.Marshal(tt.got)
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatalf("bad want: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("response JSON mismatch (-want +got):\n%s", diff)
			}
			if err := spec.CheckOperation(callbackOperation, body); err != nil {
				t.Errorf("response breaks the callback schema:\n%v\nbody: %s", err, body)
			}
		})
	}
}

func TestReplyFits(t *testing.T) {
	t.Parallel()
	spec, err := openapitest.Extract("interaction-callback.json")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("🚀", 3000)
	for _, r := range []discord.Response{
		discord.Reply(discord.Message{Content: long, Embeds: []discord.Embed{{Description: long}}}),
		discord.EphemeralReply(long),
		discord.Update(discord.Message{Content: long}),
	} {
		body, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := spec.CheckOperation(callbackOperation, body); err != nil {
			t.Errorf("type %d response not cut to the limits:\n%v", r.Type, err)
		}
	}
}
