package recorder

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
)

const (
	appID   = "1290000000000000001"
	channel = "1100000000000000002"
	token   = "bot-token"
)

// setup runs a recorder and returns it with a REST client of the suite aimed at it.
func setup(t *testing.T, botToken string) (*Recorder, *rest.Client, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	r := New(appID, token, &out)
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	return r, rest.New(rest.Options{BaseURL: srv.URL + APIPath, BotToken: botToken, MaxRetries: -1}), &out
}

func embed(title string) []discord.Embed { return []discord.Embed{{Title: title}} }

func TestChannelMessages(t *testing.T) {
	t.Parallel()
	r, c, out := setup(t, token)
	ctx := context.Background()
	m := discord.Message{Content: "hello", Embeds: embed("card"), Nonce: "n-1", EnforceNonce: true,
		Components: []discord.Component{discord.ActionRow(discord.Button(discord.ButtonSuccess, "Approve", "deploy:approve"))}}
	first, err := c.CreateMessage(ctx, channel, m)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateMessage(ctx, channel, m)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || again.ID != first.ID {
		t.Errorf("ids %q and %q: a repeated nonce must answer with the first message", first.ID, again.ID)
	}
	if first.Author == nil || first.Author.ID != appID || first.ChannelID != channel {
		t.Errorf("created %+v, want authored by the application in %s", first, channel)
	}
	// An edit replaces what it carries (embeds, an empty components list) and keeps the rest.
	if _, err := c.EditMessage(ctx, channel, first.ID, discord.Message{Embeds: embed("done"), Components: []discord.Component{}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetMessage(ctx, channel, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(discord.Message{ID: first.ID, ChannelID: channel, Content: "hello", Embeds: embed("done"),
		Components: []discord.Component{}, AllowedMentions: &discord.AllowedMentions{Parse: []string{}}, Nonce: "n-1",
		Author: first.Author, Timestamp: first.Timestamp}, got); diff != "" {
		t.Errorf("message after the edit (-want +got):\n%s", diff)
	}
	var e *rest.Error
	if _, err := c.GetMessage(ctx, channel, "1"); !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Code != 10008 {
		t.Errorf("unknown message: %v, want 404 code 10008", err)
	}
	if n := len(r.Records()); n != 2 {
		t.Errorf("%d records, want the creation and the edit", n)
	}
	if !strings.Contains(out.String(), "[ Approve ]") || !strings.Contains(out.String(), "┃ **done**") {
		t.Errorf("printed:\n%s", out.String())
	}
}

func TestBotToken(t *testing.T) {
	t.Parallel()
	_, c, _ := setup(t, "another-token")
	var e *rest.Error
	if _, err := c.CreateMessage(context.Background(), channel, discord.Message{Content: "x"}); !errors.As(err, &e) || e.Status != http.StatusUnauthorized {
		t.Errorf("wrong bot token: %v, want 401", err)
	}
}

func TestInteractionWebhooks(t *testing.T) {
	t.Parallel()
	r, c, _ := setup(t, token)
	ctx := context.Background()
	in := `{"id":"1","application_id":"` + appID + `","type":2,"token":"tok-1","version":1,"channel_id":"` + channel +
		`","data":{"id":"2","name":"status","type":1}}`
	r.ObserveInteraction([]byte(in), http.StatusOK, []byte(`{"type":5}`))
	if _, err := c.EditOriginal(ctx, appID, "tok-1", discord.Message{Content: "done"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateFollowup(ctx, appID, "tok-1", discord.Message{Content: "more"}); err != nil {
		t.Fatal(err)
	}
	m, ok := r.Original("tok-1")
	if !ok || m.Content != "done" || m.ChannelID != channel {
		t.Errorf("original %+v, want the edited reply", m)
	}
	var e *rest.Error
	if _, err := c.EditOriginal(ctx, appID, "unknown", discord.Message{Content: "x"}); !errors.As(err, &e) || e.Code != 10015 {
		t.Errorf("unknown token: %v, want Unknown Webhook", err)
	}
	var kinds []string
	for _, rec := range r.Records() {
		kinds = append(kinds, rec.Kind)
	}
	if diff := cmp.Diff([]string{KindResponse, KindEditOrig, KindFollowup}, kinds); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}

	// A button's UPDATE_MESSAGE answer edits the message the button is on.
	click := `{"id":"3","application_id":"` + appID + `","type":3,"token":"tok-2","version":1,"channel_id":"` + channel +
		`","message":{"id":"` + m.ID + `","channel_id":"` + channel + `"},"data":{"custom_id":"x","component_type":2}}`
	r.ObserveInteraction([]byte(click), http.StatusOK, []byte(`{"type":7,"data":{"content":"approved","components":[]}}`))
	if got, _ := r.Message(m.ID); got.Content != "approved" || got.Components == nil || len(got.Components) != 0 {
		t.Errorf("after the click %+v, want the update applied", got)
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	r, c, _ := setup(t, token)
	got, err := c.BulkOverwriteCommands(context.Background(), appID, "77", []discord.Command{{Name: "status", Description: "d"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID == "" || got[0].Name != "status" || len(r.Commands("77")) != 1 {
		t.Errorf("registered %+v", got)
	}
}
