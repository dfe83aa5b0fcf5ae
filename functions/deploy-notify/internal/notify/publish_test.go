package notify

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
)

const (
	appID     = "1290000000000000001"
	channelID = "1100000000000000009"
)

// call is one call the fake Discord received.
type call struct {
	Method    string
	ChannelID string
	MessageID string
	Message   discord.Message
}

// fakeDiscord records calls and answers with its func fields; a nil field answers success.
type fakeDiscord struct {
	calls  []call
	get    func() (discord.Message, error)
	edit   func() error
	create func() error
}

func (f *fakeDiscord) GetMessage(_ context.Context, channelID, messageID string) (discord.Message, error) {
	f.calls = append(f.calls, call{Method: "GET", ChannelID: channelID, MessageID: messageID})
	return f.get()
}

func (f *fakeDiscord) EditMessage(_ context.Context, channelID, messageID string, m discord.Message) (discord.Message, error) {
	f.calls = append(f.calls, call{Method: "PATCH", ChannelID: channelID, MessageID: messageID, Message: m})
	if f.edit != nil {
		if err := f.edit(); err != nil {
			return discord.Message{}, err
		}
	}
	return discord.Message{ID: messageID, ChannelID: channelID}, nil
}

func (f *fakeDiscord) CreateMessage(_ context.Context, channelID string, m discord.Message) (discord.Message, error) {
	f.calls = append(f.calls, call{Method: "POST", ChannelID: channelID, Message: m})
	if f.create != nil {
		if err := f.create(); err != nil {
			return discord.Message{}, err
		}
	}
	return discord.Message{ID: "1300000000000000999", ChannelID: channelID}, nil
}

// approval is the card's embed, owned by the interactions function.
var approval = discord.Embed{
	Title:  "Deploy main to prod",
	Color:  discord.ColorGreen,
	Fields: []discord.EmbedField{{Name: "Approved by", Value: "bob", Inline: true}},
	Footer: &discord.EmbedFooter{Text: "correlation 1100000000000000002-1300000000000000100"},
}

// cardShowing is the card as read back, with the status embed of r when r is not nil.
func cardShowing(r *Report, author string) func() (discord.Message, error) {
	return func() (discord.Message, error) {
		m := discord.Message{
			ID: cardMessageID, ChannelID: cardChannelID, Content: "Deploy request",
			Author:     &discord.User{ID: author, Bot: true},
			Embeds:     []discord.Embed{approval},
			Components: []discord.Component{},
		}
		if r != nil {
			m.Embeds = append(m.Embeds, r.Embed())
		}
		return m, nil
	}
}

func fails(err error) func() error { return func() error { return err } }

func TestPublish(t *testing.T) {
	t.Parallel()
	started := time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)
	runReport := func(status string, attempt int) Report {
		return Report{
			Source: SourceRun, Status: status, Environment: "prod", Ref: "main", SHA: "3484a3fb816e0859fd6e1cea078d76385ff50625",
			RequestedBy: "alice", URL: "https://github.com/o/r/actions/runs/500", Time: started.Add(time.Minute), Started: started,
			RunID: 500, Attempt: attempt, CardChannelID: cardChannelID, CardMessageID: cardMessageID,
		}
	}
	failed, running, requested := runReport("failure", 1), runReport("in_progress", 1), runReport("requested", 1)
	rerun := runReport("in_progress", 2)
	uncorrelated := runReport("success", 1)
	uncorrelated.CardChannelID, uncorrelated.CardMessageID = "", ""

	gone := &rest.Error{Status: http.StatusNotFound, Code: 10008, Message: "Unknown Message", Method: "GET", Path: "/channels/1/messages/2"}
	noAccess := &rest.Error{Status: http.StatusForbidden, Code: 50001, Message: "Missing Access", Method: "GET", Path: "/channels/1/messages/2"}
	notOurs := &rest.Error{Status: http.StatusForbidden, Code: 50005, Message: "Cannot edit a message authored by another user", Method: "PATCH", Path: "/channels/1/messages/2"}
	serverError := &rest.Error{Status: http.StatusBadGateway, Message: "Bad Gateway", Method: "GET", Path: "/channels/1/messages/2"}
	limited := &rest.RateLimitError{RetryAfter: time.Minute, Method: "PATCH", Path: "/channels/1/messages/2"}

	edit := func(r Report) call {
		return call{Method: "PATCH", ChannelID: cardChannelID, MessageID: cardMessageID,
			Message: discord.Message{Embeds: []discord.Embed{approval, r.Embed()}, Components: r.Components()}}
	}
	get := call{Method: "GET", ChannelID: cardChannelID, MessageID: cardMessageID}
	post := func(r Report) call { return call{Method: "POST", ChannelID: channelID, Message: r.Message()} }

	tests := []struct {
		name      string
		r         Report
		discord   *fakeDiscord
		want      Result
		wantCalls []call
		wantErr   error
	}{
		{"no card: posted", uncorrelated, &fakeDiscord{},
			Result{Action: Posted, ChannelID: channelID, MessageID: "1300000000000000999"}, []call{post(uncorrelated)}, nil},
		{"fresh card", requested, &fakeDiscord{get: cardShowing(nil, appID)},
			Result{Action: Edited, ChannelID: cardChannelID, MessageID: cardMessageID}, []call{get, edit(requested)}, nil},
		{"running, then failed", failed, &fakeDiscord{get: cardShowing(&running, appID)},
			Result{Action: Edited, ChannelID: cardChannelID, MessageID: cardMessageID}, []call{get, edit(failed)}, nil},
		{"duplicate", failed, &fakeDiscord{get: cardShowing(&failed, appID)},
			Result{Action: Unchanged, ChannelID: cardChannelID, MessageID: cardMessageID, Reason: "card shows run 500 · attempt 1 · failure"}, []call{get}, nil},
		{"in_progress after completed", running, &fakeDiscord{get: cardShowing(&failed, appID)},
			Result{Action: Unchanged, ChannelID: cardChannelID, MessageID: cardMessageID, Reason: "card shows run 500 · attempt 1 · failure"}, []call{get}, nil},
		{"requested after in_progress", requested, &fakeDiscord{get: cardShowing(&running, appID)},
			Result{Action: Unchanged, ChannelID: cardChannelID, MessageID: cardMessageID, Reason: "card shows run 500 · attempt 1 · in_progress"}, []call{get}, nil},
		{"re-run replaces the failure and its button", rerun, &fakeDiscord{get: cardShowing(&failed, appID)},
			Result{Action: Edited, ChannelID: cardChannelID, MessageID: cardMessageID}, []call{get, edit(rerun)}, nil},
		{"older attempt after a re-run", failed, &fakeDiscord{get: cardShowing(&rerun, appID)},
			Result{Action: Unchanged, ChannelID: cardChannelID, MessageID: cardMessageID, Reason: "card shows run 500 · attempt 2 · in_progress"}, []call{get}, nil},
		{"card gone", failed, &fakeDiscord{get: func() (discord.Message, error) { return discord.Message{}, gone }},
			Result{Action: Posted, ChannelID: channelID, MessageID: "1300000000000000999", Reason: "card unreadable: " + gone.Error()}, []call{get, post(failed)}, nil},
		{"card out of reach", failed, &fakeDiscord{get: func() (discord.Message, error) { return discord.Message{}, noAccess }},
			Result{Action: Posted, ChannelID: channelID, MessageID: "1300000000000000999", Reason: "card unreadable: " + noAccess.Error()}, []call{get, post(failed)}, nil},
		{"card by another author", failed, &fakeDiscord{get: cardShowing(nil, "999")},
			Result{Action: Posted, ChannelID: channelID, MessageID: "1300000000000000999", Reason: "card not posted by this application"}, []call{get, post(failed)}, nil},
		{"edit refused", failed, &fakeDiscord{get: cardShowing(nil, appID), edit: fails(notOurs)},
			Result{Action: Posted, ChannelID: channelID, MessageID: "1300000000000000999", Reason: "card not editable: " + notOurs.Error()}, []call{get, edit(failed), post(failed)}, nil},
		{"read fails", failed, &fakeDiscord{get: func() (discord.Message, error) { return discord.Message{}, serverError }},
			Result{}, []call{get}, serverError},
		{"edit rate limited", failed, &fakeDiscord{get: cardShowing(nil, appID), edit: fails(limited)},
			Result{}, []call{get, edit(failed)}, limited},
		{"post fails", uncorrelated, &fakeDiscord{create: fails(serverError)},
			Result{}, []call{post(uncorrelated)}, serverError},
		{"fallback post fails", failed, &fakeDiscord{get: func() (discord.Message, error) { return discord.Message{}, gone }, create: fails(serverError)},
			Result{}, []call{get, post(failed)}, serverError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Publisher{Discord: tt.discord, ChannelID: channelID, ApplicationID: appID}
			got, err := p.Publish(context.Background(), tt.r)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("Publish error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Publish result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, tt.discord.calls); diff != "" {
				t.Errorf("Discord calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPublishRemovesButtons: a status without buttons still sends an empty component list,
// so that the card's own buttons do not linger.
func TestPublishRemovesButtons(t *testing.T) {
	t.Parallel()
	r := Report{Source: SourceRun, Status: "success", Environment: "prod", RunID: 1, Attempt: 1, CardChannelID: cardChannelID, CardMessageID: cardMessageID}
	f := &fakeDiscord{get: cardShowing(nil, appID)}
	if _, err := (Publisher{Discord: f, ChannelID: channelID}).Publish(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 2 || f.calls[1].Message.Components == nil || len(f.calls[1].Message.Components) != 0 {
		t.Errorf("edit components = %#v, want empty and not nil", f.calls[len(f.calls)-1].Message.Components)
	}
}
