package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/discord/discordtest"
	"github.com/discord-chatops/chatops/shared/discord/rest"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/mototest"
	"github.com/discord-chatops/chatops/shared/state/statetest"
)

// readEvent reads a recorded event from testdata/events.
func readEvent(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/events/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deadLetterQueues creates the three dead-letter queues in moto, named prefix-<function>-dlq
// (tests that share a moto use different prefixes), holding sizes[i] messages each (-1: not
// created, so that reading it fails), and returns DEAD_LETTER_QUEUES for them as the stack
// writes it.
func deadLetterQueues(t *testing.T, s *mototest.Server, prefix string, sizes [3]int) string {
	t.Helper()
	client := sqs.NewFromConfig(s.Config(t))
	var pairs []string
	for i, name := range []string{"interactions", "cost-cron", "deploy-notify"} {
		queue := prefix + "-" + name + "-dlq"
		url := s.URL + "/123456789012/" + queue
		if sizes[i] >= 0 {
			out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(queue)})
			if err != nil {
				t.Fatal(err)
			}
			url = *out.QueueUrl
			for n := range sizes[i] {
				if _, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String(`{"failed": ` + strconv.Itoa(n) + `}`)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		pairs = append(pairs, name+"="+url)
	}
	return strings.Join(pairs, ",")
}

// alarmHandler is testHandler with the queues in DEAD_LETTER_QUEUES, posting in lang.
func alarmHandler(t *testing.T, s *mototest.Server, d *discordtest.Server, queues string, lang i18n.Language) *handler {
	t.Helper()
	h, awsCfg, _ := testHandler(t, s, d, map[string]string{"DEAD_LETTER_QUEUES": queues, "CHATOPS_LANGUAGE": string(lang)})
	putToken(t, awsCfg)
	return h
}

// TestAlarmPosts: the dead-letter alarm's state changes, as EventBridge delivers them, post which
// queue holds how many events and the command that redrives them, or that the alarm cleared.
// The golden files have moto's address replaced by SQS's, and the queues' names by the stack's.
func TestAlarmPosts(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	tests := []struct {
		name  string
		event string
		sizes [3]int
		want  []string // in the post
		// wantKorean is in the post in Korean
		wantKorean []string
	}{
		{"into ALARM", "alarm-metric-math-alarm.json", [3]int{3, 0, 1}, []string{"interactions: 3 events", "cost-cron: empty", "deploy-notify: 1 event", "make redrive QUEUE="},
			[]string{"interactions: 이벤트 3개", "cost-cron: 비어 있음", "deploy-notify: 이벤트 1개", "make redrive QUEUE="}},
		{"into ALARM, a queue unreadable", "alarm-metric-math-alarm.json", [3]int{2, -1, 0}, []string{"interactions: 2 events", "cost-cron: size unknown"},
			[]string{"interactions: 이벤트 2개", "cost-cron: 개수를 알 수 없음"}},
		{"back to OK", "alarm-metric-math-ok.json", [3]int{0, 0, 0}, []string{"Dead-letter queues are empty again"}, []string{"데드 레터 큐가 다시 비었습니다"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, lang := range i18n.Languages() {
				d := newFakeDiscord(t, 0)
				prefix := "alarm" + strconv.Itoa(i) + string(lang)
				h := alarmHandler(t, s, d, deadLetterQueues(t, s, prefix, tt.sizes), lang)
				res, err := h.Handle(context.Background(), readEvent(t, tt.event))
				if err != nil {
					t.Fatalf("%s: Handle: %v", lang, err)
				}
				if res.MessageID == "" || res.Already || !strings.HasPrefix(res.Nonce, "dlq-") {
					t.Errorf("%s: result = %+v, want a new message", lang, res)
				}
				checkPosts(t, d.Requests(), 1)
				body := d.Requests()[0].Body
				want := tt.want
				if lang == i18n.Korean {
					want = tt.wantKorean
				}
				for _, w := range want {
					if !strings.Contains(string(body), w) {
						t.Errorf("%s: post does not say %q:\n%s", lang, w, body)
					}
				}
				golden(t, string(lang), []byte(strings.ReplaceAll(string(body), s.URL+"/123456789012/"+prefix, "https://sqs.us-east-1.amazonaws.com/123456789012/DiscordChatOps")))
			}
		})
	}
}

// TestAlarmOnce: EventBridge delivering the same alarm event twice (a retry, a redrive) posts
// once, a minute or hours apart; another event of the same alarm posts.
func TestAlarmOnce(t *testing.T) {
	t.Parallel()
	s := mototest.Start(t)
	for i, later := range []time.Duration{time.Minute, 3 * time.Hour} {
		t.Run(later.String(), func(t *testing.T) {
			t.Parallel()
			clock := statetest.NewClock(time.Date(2019, 10, 2, 17, 20, 50, 0, time.UTC))
			first := newFakeDiscord(t, 0)
			h := alarmHandler(t, s, first, deadLetterQueues(t, s, "once"+strconv.Itoa(i), [3]int{1, 0, 0}), i18n.English)
			h.table = statetest.New(t, s, clock.Now)
			posted, err := h.Handle(context.Background(), readEvent(t, "alarm-metric-math-alarm.json"))
			if err != nil {
				t.Fatal(err)
			}
			checkPosts(t, first.Requests(), 1)

			clock.Advance(later)
			second := newFakeDiscord(t, 0)
			useDiscord(h, second)
			again, err := h.Handle(context.Background(), readEvent(t, "alarm-metric-math-alarm.json"))
			if err != nil {
				t.Fatal(err)
			}
			if n := len(second.Requests()); n != 0 || !again.Already || again.MessageID != posted.MessageID {
				t.Errorf("same event again = %+v with %d Discord requests, want the first message %s and none", again, n, posted.MessageID)
			}
			if _, err := h.Handle(context.Background(), readEvent(t, "alarm-metric-math-ok.json")); err != nil {
				t.Fatal(err)
			}
			checkPosts(t, second.Requests(), 1)
		})
	}
}

// TestUnknownEvents: an EventBridge event other than the alarm's state change is refused by
// name, before anything is read or posted, rather than taken for "post the report now".
func TestUnknownEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, event, wantErr string
	}{
		{"a scheduled rule's event", `{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2015-10-08T16:53:06Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"],"detail":{}}`,
			`EventBridge event from source "aws.events", detail-type "Scheduled Event"`},
		{"another alarm event", `{"id":"1","source":"aws.cloudwatch","detail-type":"CloudWatch Alarm Configuration Change","detail":{}}`,
			`detail-type "CloudWatch Alarm Configuration Change"`},
		{"a detail-type alone", `{"detail-type":"CloudWatch Alarm State Change"}`, `source ""`},
		{"an alarm state change without an id", `{"source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change","detail":{"state":{"value":"ALARM"}}}`, "no id"},
		{"an alarm state change without a state", `{"id":"1","source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change","detail":{}}`, "no detail.state.value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newFakeDiscord(t, 0)
			h := &handler{now: time.Now, discord: rest.NewBotClients(rest.Options{}), tokens: tokensFunc(func(context.Context, string) (string, error) {
				t.Error("the token was read for an event that should be refused")
				return "", nil
			})}
			useDiscord(h, d)
			_, err := h.Handle(context.Background(), json.RawMessage(tt.event))
			if err == nil || !strings.HasPrefix(err.Error(), "read the event: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Handle = %v, want read the event: ...%s", err, tt.wantErr)
			}
			if n := len(d.Requests()); n != 0 {
				t.Errorf("Discord received %d requests", n)
			}
		})
	}
}

// TestAlarmMessagesWithoutGolden: the posts the recorded events do not reach, an alarm leaving
// ALARM for INSUFFICIENT_DATA and an alarm with no queue to count, say so in both languages
// with every message found.
func TestAlarmMessagesWithoutGolden(t *testing.T) {
	t.Parallel()
	catalog := texts()
	e := &alarmEvent{ID: "e-1"}
	e.Detail.AlarmName = "DiscordChatOps-DeadLetters"
	for _, tt := range []struct {
		lang          i18n.Language
		left, noQueue string
	}{
		{i18n.English, "went from ALARM to INSUFFICIENT_DATA", "DEAD_LETTER_QUEUES is empty"},
		{i18n.Korean, "ALARM에서 INSUFFICIENT_DATA 상태로 바뀌었습니다", "DEAD_LETTER_QUEUES가 비어 있습니다"},
	} {
		p := catalog.Printer(tt.lang)
		left := *e
		left.Detail.State.Value = "INSUFFICIENT_DATA"
		for _, c := range []struct {
			m    discord.Message
			want string
		}{
			{clearedMessage(p, &left), tt.left},
			{alarmMessage(p, e, nil), tt.noQueue},
		} {
			b, err := json.Marshal(c.m)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), c.want) || strings.Contains(string(b), "[costcron.") {
				t.Errorf("%s: post does not say %q, or shows a message id:\n%s", tt.lang, c.want, b)
			}
		}
	}
}
