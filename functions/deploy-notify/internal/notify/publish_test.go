package notify

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
)

const (
	appID     = "1290000000000000001"
	channelID = "1100000000000000009"
)

// call is one call Discord received, with the message it carried.
type call struct {
	Method    string
	ChannelID string
	MessageID string
	Message   discord.Message
}

// calls are the requests d received, as calls.
func calls(d *discordtest.Server) []call {
	var out []call
	for _, r := range d.Requests() {
		c := call{Method: r.Method, ChannelID: r.ChannelID, Message: r.Message}
		if parts := strings.Split(r.Path, "/"); len(parts) == 7 { // /api/v10/channels/{c}/messages/{m}
			c.MessageID = parts[6]
		}
		out = append(out, c)
	}
	return out
}

// sent is m as the REST client puts it on the wire: pinging nobody unless it says otherwise.
func sent(m discord.Message) discord.Message {
	if m.AllowedMentions == nil {
		m.AllowedMentions = discord.NoMentions()
	}
	return m
}

// sameError reports whether got is, or wraps, an error of want's type with want's fields.
func sameError(got, want error) bool {
	var e *rest.Error
	var rl *rest.RateLimitError
	switch w := want.(type) {
	case nil:
		return got == nil
	case *rest.Error:
		return errors.As(got, &e) && cmp.Equal(*w, *e)
	case *rest.RateLimitError:
		return errors.As(got, &rl) && cmp.Equal(*w, *rl)
	}
	return errors.Is(got, want)
}

// approval is the card's embed, owned by the interactions function.
var approval = discord.Embed{
	Title:  "Deploy main to prod",
	Color:  discord.ColorGreen,
	Fields: []discord.EmbedField{{Name: "Approved by", Value: "bob", Inline: true}},
	Footer: &discord.EmbedFooter{Text: "correlation 1100000000000000002-1300000000000000100"},
}

// cardShowing puts the card in Discord, with the status embed of r in English when r is not nil.
func cardShowing(r *Report, author string) func(*discordtest.Server) {
	return cardShowingIn(i18n.English, r, author)
}

// cardShowingIn puts the card in Discord, with the status embed of r in lang when r is not nil.
func cardShowingIn(lang i18n.Language, r *Report, author string) func(*discordtest.Server) {
	return func(d *discordtest.Server) {
		m := discord.Message{
			ID: cardMessageID, ChannelID: cardChannelID, Content: "Deploy request",
			Author:     &discord.User{ID: author, Bot: true},
			Embeds:     []discord.Embed{approval},
			Components: []discord.Component{},
		}
		if r != nil {
			m.Embeds = append(m.Embeds, r.Embed(testTexts(lang).Printer()))
		}
		d.Seed(m)
	}
}

// then runs the setups in turn.
func then(setups ...func(*discordtest.Server)) func(*discordtest.Server) {
	return func(d *discordtest.Server) {
		for _, f := range setups {
			f(d)
		}
	}
}

// fails scripts the next request of method to fail as err says.
func fails(method string, err error) func(*discordtest.Server) {
	return func(d *discordtest.Server) {
		var e *rest.Error
		var rl *rest.RateLimitError
		switch {
		case errors.As(err, &e):
			d.Script(method, discordtest.Error(e.Status, e.Code, e.Message))
		case errors.As(err, &rl):
			d.Script(method, discordtest.RateLimited(rl.RetryAfter, rl.Global))
		}
	}
}

// newDiscord starts a Discord readied by setup (nothing when nil) and a client that neither
// retries nor waits, so that each failure reaches Publish as it is.
func newDiscord(t *testing.T, setup func(*discordtest.Server)) (*discordtest.Server, *rest.Client) {
	d := discordtest.NewServer(t, discordtest.Options{AppID: appID, BotToken: "bot-token"})
	if setup != nil {
		setup(d)
	}
	return d, rest.New(rest.Options{BaseURL: d.URL, BotToken: "bot-token", MaxRetries: -1, MaxWait: -1})
}

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

	cardPath, channelPath := "/channels/"+cardChannelID+"/messages/"+cardMessageID, "/channels/"+channelID+"/messages"
	gone := &rest.Error{Status: http.StatusNotFound, Code: 10008, Message: "Unknown Message", Method: "GET", Path: cardPath}
	noAccess := &rest.Error{Status: http.StatusForbidden, Code: 50001, Message: "Missing Access", Method: "GET", Path: cardPath}
	notOurs := &rest.Error{Status: http.StatusForbidden, Code: 50005, Message: "Cannot edit a message authored by another user", Method: "PATCH", Path: cardPath}
	serverError := &rest.Error{Status: http.StatusBadGateway, Message: "Bad Gateway", Method: "GET", Path: cardPath}
	postError := &rest.Error{Status: http.StatusBadGateway, Message: "Bad Gateway", Method: "POST", Path: channelPath}
	limited := &rest.RateLimitError{RetryAfter: time.Minute, Method: "PATCH", Path: cardPath}

	en := testTexts(i18n.English).Printer()
	edit := func(r Report) call {
		return call{Method: "PATCH", ChannelID: cardChannelID, MessageID: cardMessageID,
			Message: sent(discord.Message{Embeds: []discord.Embed{approval, r.Embed(en)}, Components: r.Components(en)})}
	}
	get := call{Method: "GET", ChannelID: cardChannelID, MessageID: cardMessageID}
	post := func(r Report) call { return call{Method: "POST", ChannelID: channelID, Message: sent(r.Message(en))} }
	const posted = "(the message posted)"

	tests := []struct {
		name      string
		r         Report
		discord   func(*discordtest.Server)
		want      Result
		wantCalls []call
		wantErr   error
	}{
		{"no card: posted", uncorrelated, nil,
			Result{Action: Posted, ChannelID: channelID, MessageID: posted, Current: true}, []call{post(uncorrelated)}, nil},
		{"fresh card", requested, cardShowing(nil, appID),
			Result{Action: Edited, ChannelID: cardChannelID, MessageID: cardMessageID, Current: true}, []call{get, edit(requested)}, nil},
		{"running, then failed", failed, cardShowing(&running, appID),
			Result{Action: Edited, ChannelID: cardChannelID, MessageID: cardMessageID, Current: true}, []call{get, edit(failed)}, nil},
		{"duplicate", failed, cardShowing(&failed, appID),
			Result{Action: Unchanged, ChannelID: cardChannelID, MessageID: cardMessageID, Reason: "card shows run 500 · attempt 1 · failure", Current: true}, []call{get}, nil},
		{"in_progress after completed", running, cardShowing(&failed, appID),
			Result{Action: Unchanged, ChannelID: cardChannelID, MessageID: cardMessageID, Reason: "card shows run 500 · attempt 1 · failure"}, []call{get}, nil},
		{"requested after in_progress", requested, cardShowing(&running, appID),
			Result{Action: Unchanged, ChannelID: cardChannelID, MessageID: cardMessageID, Reason: "card shows run 500 · attempt 1 · in_progress"}, []call{get}, nil},
		{"re-run replaces the failure and its button", rerun, cardShowing(&failed, appID),
			Result{Action: Edited, ChannelID: cardChannelID, MessageID: cardMessageID, Current: true}, []call{get, edit(rerun)}, nil},
		{"older attempt after a re-run", failed, cardShowing(&rerun, appID),
			Result{Action: Unchanged, ChannelID: cardChannelID, MessageID: cardMessageID, Reason: "card shows run 500 · attempt 2 · in_progress"}, []call{get}, nil},
		{"card gone", failed, nil,
			Result{Action: Posted, ChannelID: channelID, MessageID: posted, Reason: "card unreadable: " + gone.Error(), Current: true}, []call{get, post(failed)}, nil},
		{"card out of reach", failed, fails("GET", noAccess),
			Result{Action: Posted, ChannelID: channelID, MessageID: posted, Reason: "card unreadable: " + noAccess.Error(), Current: true}, []call{get, post(failed)}, nil},
		{"card by another author", failed, cardShowing(nil, "999"),
			Result{Action: Posted, ChannelID: channelID, MessageID: posted, Reason: "card not posted by this application", Current: true}, []call{get, post(failed)}, nil},
		{"edit refused", failed, then(cardShowing(nil, appID), fails("PATCH", notOurs)),
			Result{Action: Posted, ChannelID: channelID, MessageID: posted, Reason: "card not editable: " + notOurs.Error(), Current: true}, []call{get, edit(failed), post(failed)}, nil},
		{"read fails", failed, fails("GET", serverError),
			Result{}, []call{get}, serverError},
		{"edit rate limited", failed, then(cardShowing(nil, appID), fails("PATCH", limited)),
			Result{}, []call{get, edit(failed)}, limited},
		{"post fails", uncorrelated, fails("POST", postError),
			Result{}, []call{post(uncorrelated)}, postError},
		{"fallback post fails", failed, fails("POST", postError),
			Result{}, []call{get, post(failed)}, postError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, client := newDiscord(t, tt.discord)
			p := Publisher{Discord: client, ChannelID: channelID, ApplicationID: appID, Texts: testTexts(i18n.English)}
			got, err := p.Publish(context.Background(), tt.r)
			if !sameError(err, tt.wantErr) {
				t.Fatalf("Publish error = %v, want %v", err, tt.wantErr)
			}
			if created := d.Created(channelID); tt.want.MessageID == posted && len(created) == 1 {
				tt.want.MessageID = created[0].ID
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Publish result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, calls(d)); diff != "" {
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
	d, client := newDiscord(t, cardShowing(nil, appID))
	if _, err := (Publisher{Discord: client, ChannelID: channelID, Texts: testTexts(i18n.English)}).Publish(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if c := calls(d); len(c) != 2 || c[1].Message.Components == nil || len(c[1].Message.Components) != 0 {
		t.Errorf("edit components = %#v, want empty and not nil", c[len(c)-1].Message.Components)
	}
}

// TestPublishEitherLanguage: a card keeps the status embed it was given when CHATOPS_LANGUAGE
// changes; the status is still read back, so a stale event leaves the card alone and a newer
// one replaces the status, in the language of now.
func TestPublishEitherLanguage(t *testing.T) {
	t.Parallel()
	report := func(status string, attempt int) Report {
		return Report{Source: SourceRun, Status: status, Environment: "prod", RunID: 500, Attempt: attempt,
			URL: "https://github.com/o/r/actions/runs/500", CardChannelID: cardChannelID, CardMessageID: cardMessageID}
	}
	failed, late, rerun := report("failure", 1), report("in_progress", 1), report("in_progress", 2)
	for _, written := range i18n.Languages() {
		for _, now := range i18n.Languages() {
			t.Run(string(written)+" card, "+string(now)+" now", func(t *testing.T) {
				t.Parallel()
				texts := testTexts(now)
				d, client := newDiscord(t, cardShowingIn(written, &failed, appID))
				p := Publisher{Discord: client, ChannelID: channelID, ApplicationID: appID, Texts: texts}
				if got, err := p.Publish(context.Background(), late); err != nil || got.Action != Unchanged {
					t.Errorf("in_progress after the failure: %+v, %v; want unchanged", got, err)
				}
				got, err := p.Publish(context.Background(), rerun)
				if err != nil || got.Action != Edited {
					t.Fatalf("a re-run: %+v, %v; want edited", got, err)
				}
				card, _ := d.Message(cardMessageID)
				want := []discord.Embed{approval, rerun.Embed(texts.Printer())}
				if diff := cmp.Diff(want, card.Embeds); diff != "" {
					t.Errorf("card embeds (-want +got):\n%s", diff)
				}
			})
		}
	}
}
