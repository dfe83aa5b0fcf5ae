// Package recorder is the local Discord of the suite: discordtest's fake Discord, which keeps
// the messages the functions create and edit, with each change printed readably. The answers
// to interactions are not REST calls: the local gateway tells the recorder what the endpoint
// answered (ObserveInteraction), and the recorder shows it as Discord would.
package recorder

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
)

// Recorder is the local Discord.
type Recorder struct {
	*discordtest.Server

	dir Directory
	out io.Writer
	mu  sync.Mutex // orders what is printed
}

// New returns a Recorder for the application appID that accepts only botToken (any when
// empty) and prints each change to out (nothing when out is nil), with the names and the time
// zone of dir. A body that breaks Discord's request schema is refused, as Discord refuses it,
// and printed.
func New(appID, botToken string, dir Directory, out io.Writer) *Recorder {
	r := &Recorder{dir: dir, out: out}
	r.Server = discordtest.New(discordtest.Options{AppID: appID, BotToken: botToken, OnRecord: r.printRecord,
		Invalid: func(what string, err error) {
			r.print(fmt.Sprintf("── Discord refused %s: the body breaks its request schema:\n%v\n", what, err))
		}})
	return r
}

// ObserveInteraction shows what the endpoint answered to an interaction (status and answer)
// and hands a valid answer to the fake Discord.
func (r *Recorder) ObserveInteraction(body []byte, status int, answer []byte) {
	var err error
	if status == http.StatusOK {
		err = r.Answer(body, answer)
	}
	switch {
	case status != http.StatusOK || errors.Is(err, discordtest.ErrNotInteraction):
		r.print(fmt.Sprintf("── the endpoint refused a request: HTTP %d %s\n", status, strings.TrimSpace(string(answer))))
	case errors.Is(err, discordtest.ErrNotResponse):
		r.print(fmt.Sprintf("── the endpoint answered something that is not an interaction response: %s\n", answer))
	}
}

// printRecord prints rec, with its note in place of a message when there is one.
func (r *Recorder) printRecord(rec discordtest.Record) {
	var b strings.Builder
	fmt.Fprintf(&b, "── Discord %s", heading(rec, r.dir))
	if rec.Note != "" {
		fmt.Fprintf(&b, ": %s\n", rec.Note)
	} else {
		b.WriteString("\n")
		thinking := rec.Kind == discordtest.KindResponse && rec.Response == discord.ResponseDeferredChannelMessageWithSource
		b.WriteString(r.dir.Render(rec.Message, thinking))
	}
	r.print(b.String())
}

func (r *Recorder) print(s string) {
	if r.out == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprint(r.out, s)
}

// Render shows m as the channel shows it, with the recorder's names and time zone.
func (r *Recorder) Render(m discord.Message, thinking bool) string { return r.dir.Render(m, thinking) }

// ChannelName is the name of the channel id, or the id when the recorder knows no name.
func (r *Recorder) ChannelName(id string) string { return r.dir.ChannelName(id) }

func heading(rec discordtest.Record, dir Directory) string {
	where := ""
	if rec.ChannelID != "" {
		where = " in #" + dir.ChannelName(rec.ChannelID)
	}
	about := ""
	if rec.Label != "" {
		about = " (" + rec.Label + ")"
	}
	switch rec.Kind {
	case discordtest.KindResponse:
		switch rec.Response {
		case discord.ResponseChannelMessageWithSource:
			return "reply" + where + about
		case discord.ResponseDeferredChannelMessageWithSource:
			return "deferred reply" + where + about
		case discord.ResponseUpdateMessage:
			return "message updated by the button's answer" + where + about
		case discord.ResponseDeferredUpdateMessage:
			return "button acknowledged, message unchanged for now" + where + about
		}
		return "interaction answer" + about
	case discordtest.KindEditOrig:
		return "reply edited" + where + about + " [PATCH …/messages/@original]"
	case discordtest.KindFollowup:
		return "follow-up" + where + about
	case discordtest.KindCreate:
		return "new bot message" + where + " [POST " + rec.Path + "]"
	case discordtest.KindEdit:
		return "bot message " + rec.MessageID + " edited" + where + about + " [PATCH " + rec.Path + "]"
	case discordtest.KindThread:
		return "thread started on message " + rec.MessageID + where + " [POST " + rec.Path + "]"
	case discordtest.KindCommands:
		return "slash commands [PUT " + rec.Path + "]"
	}
	return "got an unsupported call " + rec.Method + " " + rec.Path
}
