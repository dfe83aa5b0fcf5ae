package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/discord-chatops/chatops/shared/discord"
	"github.com/discord-chatops/chatops/shared/i18n"
	"github.com/discord-chatops/chatops/shared/secrets"
)

// queueAttributes reads a queue's attributes; *sqs.Client satisfies it.
type queueAttributes interface {
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// queueCount is one dead-letter queue's size as the alarm's post tells it.
type queueCount struct {
	queue    deadLetterQueue
	messages int
	err      error // the size could not be read
}

// postAlarm posts the dead-letter alarm's state change, once per event: into ALARM, which queue
// holds how many failed events and the command that redrives them; out of it, that the alarm
// cleared.
func (h *handler) postAlarm(ctx context.Context, log *slog.Logger, e *alarmEvent) (result, error) {
	token, err := h.tokens.String(ctx, secrets.DiscordBotToken)
	if err != nil {
		return result{}, &ReportError{Step: "discord bot token", Err: err}
	}
	n := alarmNonce(e.ID)
	what := fmt.Sprintf("dead-letter alarm %s (event %s) to channel %s", e.Detail.State.Value, e.ID, h.channelID)
	id, already, err := h.postOnce(ctx, log, alarmKey(e.ID), alarmClaimTTL, what, func(ctx context.Context) (string, error) {
		var m discord.Message
		if e.Detail.State.Value == "ALARM" {
			counts := h.countQueues(ctx, log)
			m = alarmMessage(h.printer(), e, counts)
			log.Info("dead-letter queues counted", "queues", countsAttr(counts))
		} else {
			m = clearedMessage(h.printer(), e)
		}
		m.Nonce, m.EnforceNonce = n, true
		posted, err := h.discord.Client(token).CreateMessage(ctx, h.channelID, m)
		return posted.ID, err
	})
	if err != nil {
		return result{}, err
	}
	if !already {
		log.Info("dead-letter alarm posted", "event_id", e.ID, "state", e.Detail.State.Value, "previous", e.Detail.PreviousState.Value, "message_id", id)
	}
	return result{MessageID: id, Nonce: n, Already: already}, nil
}

// countQueues reads each dead-letter queue's ApproximateNumberOfMessages: the visible messages,
// the ones the alarm counts. A queue that cannot be read is posted as such rather than holding
// up the post.
//
// See https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
func (h *handler) countQueues(ctx context.Context, log *slog.Logger) []queueCount {
	counts := make([]queueCount, 0, len(h.deadLetters))
	for _, q := range h.deadLetters {
		c := queueCount{queue: q}
		out, err := h.queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       aws.String(q.url),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
		})
		if err == nil {
			c.messages, err = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
		}
		if err != nil {
			c.err = fmt.Errorf("read the size of queue %s: %w", q.url, err)
			log.Warn("dead-letter queue size unavailable", "queue", q.name, "err", c.err)
		}
		counts = append(counts, c)
	}
	return counts
}

// countsAttr is the counts for a log line: "interactions=3 cost-cron=0 deploy-notify=?".
func countsAttr(counts []queueCount) string {
	parts := make([]string, 0, len(counts))
	for _, c := range counts {
		v := strconv.Itoa(c.messages)
		if c.err != nil {
			v = "?"
		}
		parts = append(parts, c.queue.name+"="+v)
	}
	return strings.Join(parts, " ")
}

// redriveCommand is the command that sends a queue's failed events back to their function
// (cmd/redrive; docs/DEPLOY.md, "Failed events").
func redriveCommand(queueURL string) string { return "make redrive QUEUE=" + queueURL }

// alarmMessage is the post for the alarm going into ALARM, in p's language. Queue and alarm
// names, the command and CloudWatch's state names stay as written.
func alarmMessage(p *i18n.Printer, e *alarmEvent, counts []queueCount) discord.Message {
	emb := discord.Embed{
		Title:       p.T("costcron.alarm.title"),
		Description: p.T("costcron.alarm.description", i18n.Args{"Alarm": e.Detail.AlarmName}),
		Color:       discord.ColorRed,
		Footer:      &discord.EmbedFooter{Text: p.T("costcron.alarm.footer", i18n.Args{"Event": e.ID})},
	}
	if !e.Time.IsZero() {
		emb.Timestamp = e.Time.UTC().Format(time.RFC3339)
	}
	if len(counts) == 0 {
		emb.Fields = append(emb.Fields, discord.EmbedField{Name: p.T("costcron.alarm.noqueues.name"), Value: p.T("costcron.alarm.noqueues.value")})
	}
	for _, c := range counts {
		f := discord.EmbedField{Value: "```\n" + redriveCommand(c.queue.url) + "\n```"}
		queue := i18n.Args{"Queue": c.queue.name}
		switch {
		case c.err != nil:
			f.Name = p.T("costcron.alarm.queue.unknown", queue)
		case c.messages == 0:
			f.Name, f.Value = p.T("costcron.alarm.queue.empty", queue), p.T("costcron.alarm.queue.emptyvalue")
		default:
			f.Name = p.N("costcron.alarm.queue.events", c.messages, queue)
		}
		emb.Fields = append(emb.Fields, f)
	}
	return discord.Message{Embeds: []discord.Embed{emb}, AllowedMentions: discord.NoMentions()}.Fit()
}

// clearedMessage is the post for the alarm leaving ALARM, in p's language.
func clearedMessage(p *i18n.Printer, e *alarmEvent) discord.Message {
	emb := discord.Embed{
		Title:       p.T("costcron.cleared.title"),
		Description: p.T("costcron.cleared.description", i18n.Args{"Alarm": e.Detail.AlarmName}),
		Color:       discord.ColorGreen,
		Footer:      &discord.EmbedFooter{Text: p.T("costcron.alarm.footer", i18n.Args{"Event": e.ID})},
	}
	if e.Detail.State.Value != "OK" {
		emb.Title = p.T("costcron.left.title")
		emb.Description = p.T("costcron.left.description", i18n.Args{"Alarm": e.Detail.AlarmName, "State": e.Detail.State.Value})
		emb.Color = discord.ColorYellow
	}
	if !e.Time.IsZero() {
		emb.Timestamp = e.Time.UTC().Format(time.RFC3339)
	}
	return discord.Message{Embeds: []discord.Embed{emb}, AllowedMentions: discord.NoMentions()}.Fit()
}

// alarmNonce identifies an alarm event's post to Discord: "dlq-" and 16 hex digits of its id,
// 20 characters of the 25 allowed.
func alarmNonce(eventID string) string {
	h := fnv.New64a()
	h.Write([]byte(eventID))
	return fmt.Sprintf("dlq-%016x", h.Sum64())
}
