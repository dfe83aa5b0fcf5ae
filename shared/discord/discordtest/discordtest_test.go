package discordtest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/rest"
)

const (
	appID   = "1290000000000000001"
	channel = "1100000000000000002"
	token   = "bot-token"
)

// setup runs a fake Discord and returns it with a REST client of the suite aimed at it, which
// never waits between retries but counts what it would have waited, on a clock its waits
// advance.
func setup(t *testing.T, o Options, retries int) (*Server, *rest.Client, *time.Duration) {
	t.Helper()
	if o.AppID == "" {
		o.AppID, o.BotToken = appID, token
	}
	s := NewServer(t, o)
	var mu sync.Mutex
	var waited time.Duration
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	c := rest.New(rest.Options{BaseURL: s.URL, BotToken: token, MaxRetries: retries, MaxWait: time.Minute,
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return start.Add(waited)
		},
		Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			waited += d
			return nil
		}})
	return s, c, &waited
}

func embed(title string) []discord.Embed { return []discord.Embed{{Title: title}} }

func TestChannelMessages(t *testing.T) {
	t.Parallel()
	var kept []string
	s, c, _ := setup(t, Options{AppID: appID, BotToken: token, OnRecord: func(r Record) { kept = append(kept, r.Kind) }}, -1)
	ctx := t.Context()
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
	// The same nonce in another channel, or without enforce_nonce, is another message.
	other, err := c.CreateMessage(ctx, "1100000000000000003", m)
	if err != nil {
		t.Fatal(err)
	}
	m.EnforceNonce = false
	loose, err := c.CreateMessage(ctx, channel, m)
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == first.ID || loose.ID == first.ID {
		t.Errorf("ids %s, %s, %s: want new messages for another channel and without enforce_nonce", first.ID, other.ID, loose.ID)
	}
	if n := len(s.Created(channel)); n != 2 {
		t.Errorf("%d messages created in the channel, want 2", n)
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
	if diff := cmp.Diff([]string{KindCreate, KindCreate, KindCreate, KindEdit}, kept); diff != "" {
		t.Errorf("records told (-want +got):\n%s", diff)
	}
	reqs := s.Requests()
	if len(reqs) != 7 || reqs[1].Path != APIPath+"/channels/"+channel+"/messages" || reqs[1].ChannelID != channel ||
		reqs[1].Message.Nonce != "n-1" || reqs[1].Header.Get("Authorization") != "Bot "+token || reqs[1].Status != http.StatusOK {
		t.Errorf("requests %+v", reqs)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	var invalid []string
	s, _, _ := setup(t, Options{AppID: appID, BotToken: token, Invalid: func(what string, _ error) { invalid = append(invalid, what) }}, -1)
	wrong := rest.New(rest.Options{BaseURL: s.URL, BotToken: "another-token", MaxRetries: -1})
	var e *rest.Error
	if _, err := wrong.CreateMessage(t.Context(), channel, discord.Message{Content: "x"}); !errors.As(err, &e) || e.Status != http.StatusUnauthorized {
		t.Errorf("wrong bot token: %v, want 401", err)
	}
	post := func(body string, header map[string]string) int {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/channels/"+channel+"/messages", strings.NewReader(body))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	bot := map[string]string{"Authorization": "Bot " + token, "User-Agent": rest.UserAgent}
	if got := post(`{"content":"x"}`, map[string]string{"Authorization": "Bot " + token}); got != http.StatusBadRequest {
		t.Errorf("no DiscordBot User-Agent: %d, want 400", got)
	}
	if got := post(`{"content":"x","author":{"id":"1"}}`, bot); got != http.StatusBadRequest {
		t.Errorf("a field outside the schema: %d, want 400", got)
	}
	if got := post(`{"content":"`+strings.Repeat("x", 4001)+`"}`, bot); got != http.StatusBadRequest {
		t.Errorf("content over the schema's maxLength: %d, want 400", got)
	}
	path := "POST " + APIPath + "/channels/" + channel + "/messages"
	if diff := cmp.Diff([]string{path, path}, invalid); diff != "" {
		t.Errorf("reported invalid (-want +got):\n%s", diff)
	}
	if n := len(s.Created("")); n != 0 {
		t.Errorf("%d messages created by refused requests", n)
	}
}

func TestInteractionWebhooks(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t, Options{}, -1)
	ctx := t.Context()
	in := `{"id":"1","application_id":"` + appID + `","type":2,"token":"tok-1","version":1,"channel_id":"` + channel +
		`","data":{"id":"2","name":"status","type":1}}`
	var e *rest.Error
	// An edit that overtakes the deferred answer finds no webhook yet.
	if _, err := c.EditOriginal(ctx, appID, "tok-1", discord.Message{Content: "early"}); !errors.As(err, &e) || e.Code != 10015 {
		t.Errorf("edit before the answer: %v, want Unknown Webhook", err)
	}
	if err := s.Answer([]byte(in), []byte(`{"type":5}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer([]byte(in), []byte(`{"type":5}`)); !errors.Is(err, ErrAlreadyAnswered) {
		t.Errorf("second answer: %v, want ErrAlreadyAnswered", err)
	}
	if _, err := c.EditOriginal(ctx, appID, "tok-1", discord.Message{Content: "done"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateFollowup(ctx, appID, "tok-1", discord.Message{Content: "more"}); err != nil {
		t.Fatal(err)
	}
	m, ok := s.Original("tok-1")
	if !ok || m.Content != "done" || m.ChannelID != channel {
		t.Errorf("original %+v, want the edited reply", m)
	}
	if got, err := c.GetOriginal(ctx, appID, "tok-1"); err != nil || got.ID != m.ID {
		t.Errorf("GET @original = %+v, %v; want %s", got, err, m.ID)
	}
	if _, err := c.EditOriginal(ctx, "1290000000000000099", "tok-1", discord.Message{Content: "x"}); !errors.As(err, &e) || e.Code != 10015 {
		t.Errorf("another application: %v, want Unknown Webhook", err)
	}
	var kinds []string
	for _, rec := range s.Records() {
		kinds = append(kinds, rec.Kind)
	}
	if diff := cmp.Diff([]string{KindResponse, KindResponse, KindEditOrig, KindFollowup}, kinds); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}

	// A button's UPDATE_MESSAGE answer edits the message the button is on, and its token
	// reaches that message.
	click := `{"id":"3","application_id":"` + appID + `","type":3,"token":"tok-2","version":1,"channel_id":"` + channel +
		`","message":{"id":"` + m.ID + `","channel_id":"` + channel + `"},"data":{"custom_id":"x","component_type":2}}`
	if err := s.Answer([]byte(click), []byte(`{"type":7,"data":{"content":"approved","components":[]}}`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Message(m.ID); got.Content != "approved" || got.Components == nil || len(got.Components) != 0 {
		t.Errorf("after the click %+v, want the update applied", got)
	}
	if got, _ := s.Original("tok-2"); got.ID != m.ID {
		t.Errorf("the click's original is %s, want the message clicked %s", got.ID, m.ID)
	}
	// An answer that breaks the schema is refused.
	bad := strings.Replace(in, `"id":"1"`, `"id":"9"`, 1)
	if err := (New(Options{Invalid: func(string, error) {}})).Answer([]byte(bad), []byte(`{"type":3}`)); !errors.Is(err, ErrInvalidAnswer) {
		t.Errorf("answer type 3: %v, want ErrInvalidAnswer", err)
	}
}

func TestAssumeDeferred(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t, Options{AppID: appID, AssumeDeferred: true}, -1)
	if _, err := c.EditOriginal(t.Context(), appID, "never-answered", discord.Message{Content: "done"}); err != nil {
		t.Fatal(err)
	}
	if m, ok := s.Original("never-answered"); !ok || m.Content != "done" {
		t.Errorf("original %+v, want the edit kept", m)
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t, Options{}, -1)
	got, err := c.BulkOverwriteCommands(t.Context(), appID, "77", []discord.Command{{Name: "status", Description: "d"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID == "" || got[0].Name != "status" || len(s.Commands("77")) != 1 || len(s.Commands("")) != 0 {
		t.Errorf("registered %+v", got)
	}
	if recs := s.Records(); len(recs) != 1 || recs[0].Note != "registered /status" {
		t.Errorf("records %+v", recs)
	}
}

// TestScripts: scripted failures reach the client as Discord's would, and the fake answers
// itself again once they are used up.
func TestScripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		replies    []Reply
		retries    int
		wantErr    func(error) bool
		wantCalls  int
		wantWaited time.Duration
	}{
		{"429 on the route waited out", "", []Reply{RateLimited(1500*time.Millisecond, false)}, 3, nil, 2, 1500 * time.Millisecond},
		{"global 429 waited out", http.MethodPost, []Reply{RateLimited(250*time.Millisecond, true)}, 3, nil, 2, 250 * time.Millisecond},
		{"429 beyond the client's budget", "", []Reply{RateLimited(2*time.Minute, true)}, 3, func(err error) bool {
			var rl *rest.RateLimitError
			return errors.As(err, &rl) && rl.Global && rl.RetryAfter == 2*time.Minute
		}, 1, 0},
		{"5xx retried", "", []Reply{ServerError(http.StatusBadGateway), ServerError(http.StatusInternalServerError)}, 3, nil, 3, 1500 * time.Millisecond},
		{"5xx beyond the retries", "", []Reply{ServerError(502), ServerError(502), ServerError(502)}, 2, func(err error) bool {
			var e *rest.Error
			return errors.As(err, &e) && e.Status == http.StatusBadGateway && e.Message == "502: Bad Gateway"
		}, 3, 1500 * time.Millisecond},
		{"another method's script is left", http.MethodGet, []Reply{ServerError(500)}, 3, nil, 1, 0},
		{"missing access", "", []Reply{Error(http.StatusForbidden, 50001, "Missing Access")}, 3, func(err error) bool {
			var e *rest.Error
			return errors.As(err, &e) && e.Status == http.StatusForbidden && e.Code == 50001
		}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, c, waited := setup(t, Options{}, tt.retries)
			s.Script(tt.method, tt.replies...)
			_, err := c.CreateMessage(t.Context(), channel, discord.Message{Content: "x"})
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !tt.wantErr(err) {
				t.Fatalf("CreateMessage error = %v", err)
			}
			if n := len(s.Requests()); n != tt.wantCalls {
				t.Errorf("%d requests, want %d", n, tt.wantCalls)
			}
			if *waited != tt.wantWaited {
				t.Errorf("waited %s, want %s", *waited, tt.wantWaited)
			}
			if created := len(s.Created(channel)); (err == nil) != (created == 1) {
				t.Errorf("%d messages created with error %v", created, err)
			}
		})
	}
}

func TestUnknownWebhookScripted(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t, Options{AssumeDeferred: true, AppID: appID}, 3)
	s.Script(http.MethodPatch, UnknownWebhook())
	var e *rest.Error
	if _, err := c.EditOriginal(t.Context(), appID, "tok", discord.Message{Content: "x"}); !errors.As(err, &e) || e.Code != 10015 {
		t.Errorf("scripted Unknown Webhook: %v", err)
	}
	if _, err := c.EditOriginal(t.Context(), appID, "tok", discord.Message{Content: "x"}); err != nil {
		t.Errorf("after the script: %v", err)
	}
}

// TestIntercept: an interceptor holds a request until the test lets it go, and the test waits
// for the request's answer on an event, not a duration.
func TestIntercept(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t, Options{}, -1)
	arrived, release := make(chan Request, 1), make(chan struct{})
	s.Intercept(func(r Request) (Reply, bool) {
		if r.Method != http.MethodPost {
			return Reply{}, false
		}
		arrived <- r
		<-release
		return ServerError(http.StatusServiceUnavailable), true
	})
	errc := make(chan error, 1)
	go func() {
		_, err := c.CreateMessage(t.Context(), channel, discord.Message{Content: "held"})
		errc <- err
	}()
	r := <-arrived
	if r.Message.Content != "held" || len(s.Requests()) != 1 || s.Requests()[0].Status != 0 {
		t.Errorf("held request %+v, requests %+v", r, s.Requests())
	}
	close(release)
	reqs, err := s.WaitRequests(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if reqs[0].Status != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", reqs[0].Status)
	}
	var e *rest.Error
	if err := <-errc; !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable {
		t.Errorf("CreateMessage = %v, want the 503", err)
	}
	if _, err := c.GetMessage(t.Context(), channel, "1"); !errors.As(err, &e) || e.Code != 10008 {
		t.Errorf("a GET, not intercepted: %v", err)
	}
}

func TestWait(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t, Options{}, -1)
	go func() {
		for i := range 3 {
			_, _ = c.CreateMessage(context.Background(), channel, discord.Message{Content: strings.Repeat("x", i+1)})
		}
	}()
	recs, err := s.WaitRecords(t.Context(), 3)
	if err != nil || len(recs) != 3 {
		t.Fatalf("WaitRecords = %d records, %v", len(recs), err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.WaitRequests(ctx, 4); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitRequests on a done context = %v, want context.Canceled", err)
	}
}

func TestSeedAndUpdate(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t, Options{}, -1)
	id := s.Seed(discord.Message{ID: "1300000000000000100", ChannelID: channel, Author: &discord.User{ID: "77"}, Embeds: embed("card")})
	if !s.Update(id, func(m *discord.Message) { m.Embeds = append(m.Embeds, embed("status")...) }) || s.Update("1", func(*discord.Message) {}) {
		t.Error("Update: want true for the seeded message, false for an unknown one")
	}
	got, err := c.GetMessage(t.Context(), channel, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Author.ID != "77" || len(got.Embeds) != 2 {
		t.Errorf("seeded message %+v", got)
	}
	if n := len(s.Created("")); n != 0 {
		t.Errorf("a seeded message counts as created (%d)", n)
	}
}

// TestThreads: a thread on a message has the message's id, a second start is refused with
// 160004, and the thread takes messages as a channel.
func TestThreads(t *testing.T) {
	t.Parallel()
	s, c, _ := setup(t, Options{AppID: appID, BotToken: token}, -1)
	ctx := t.Context()
	m, err := c.CreateMessage(ctx, channel, discord.Message{Content: "pull request"})
	if err != nil {
		t.Fatal(err)
	}
	thread, err := c.StartThread(ctx, channel, m.ID, "#2 README")
	if err != nil || thread.ID != m.ID {
		t.Fatalf("StartThread = %+v, %v; want the message's id", thread, err)
	}
	_, err = c.StartThread(ctx, channel, m.ID, "#2 README")
	var derr *rest.Error
	if !errors.As(err, &derr) || derr.Code != rest.ErrCodeThreadExists {
		t.Errorf("second StartThread: %v, want code %d", err, rest.ErrCodeThreadExists)
	}
	if _, err := c.StartThread(ctx, channel, "1400000000000099999", "x"); err == nil {
		t.Error("a thread on an unknown message was started")
	}
	if _, err := c.CreateMessage(ctx, thread.ID, discord.Message{Content: "note"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Threads(); len(got) != 1 || got[m.ID] != "#2 README" {
		t.Errorf("Threads() = %v", got)
	}
	if n := len(s.Created(thread.ID)); n != 1 {
		t.Errorf("%d messages in the thread, want 1", n)
	}
}
