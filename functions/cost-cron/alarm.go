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
			m = alarmMessage(e, counts)
			log.Info("dead-letter queues counted", "queues", countsAttr(counts))
		} else {
			m = clearedMessage(e)
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

// alarmMessage is the post for the alarm going into ALARM.
func alarmMessage(e *alarmEvent, counts []queueCount) discord.Message {
	emb := discord.Embed{
		Title: "Failed events are waiting in a dead-letter queue",
		Description: fmt.Sprintf("The alarm **%s** went into ALARM: events that a function could not handle after its retries wait in its dead-letter queue for 14 days. "+
			"Fix the cause (the function's logs say it), then redrive them with the command under each queue; `DRY_RUN=1` first shows what it would send.", e.Detail.AlarmName),
		Color:  discord.ColorRed,
		Footer: &discord.EmbedFooter{Text: "Alarm event " + e.ID},
	}
	if !e.Time.IsZero() {
		emb.Timestamp = e.Time.UTC().Format(time.RFC3339)
	}
	if len(counts) == 0 {
		emb.Fields = append(emb.Fields, discord.EmbedField{Name: "Queues", Value: "This function was given no queues to count (DEAD_LETTER_QUEUES is empty): see the stack's *DeadLetterQueueName outputs."})
	}
	for _, c := range counts {
		f := discord.EmbedField{Value: "```\n" + redriveCommand(c.queue.url) + "\n```"}
		switch {
		case c.err != nil:
			f.Name = c.queue.name + ": size unknown (the queue could not be read)"
		case c.messages == 0:
			f.Name, f.Value = c.queue.name+": empty", "Nothing to redrive."
		case c.messages == 1:
			f.Name = c.queue.name + ": 1 event"
		default:
			f.Name = fmt.Sprintf("%s: %d events", c.queue.name, c.messages)
		}
		emb.Fields = append(emb.Fields, f)
	}
	return discord.Message{Embeds: []discord.Embed{emb}, AllowedMentions: discord.NoMentions()}.Fit()
}

// clearedMessage is the post for the alarm leaving ALARM.
func clearedMessage(e *alarmEvent) discord.Message {
	emb := discord.Embed{
		Title:       "Dead-letter queues are empty again",
		Description: fmt.Sprintf("The alarm **%s** is back to OK: no failed event waits in the dead-letter queues.", e.Detail.AlarmName),
		Color:       discord.ColorGreen,
		Footer:      &discord.EmbedFooter{Text: "Alarm event " + e.ID},
	}
	if e.Detail.State.Value != "OK" {
		emb.Title = "Dead-letter alarm left ALARM"
		emb.Description = fmt.Sprintf("The alarm **%s** went from ALARM to %s: CloudWatch no longer counts failed events in the dead-letter queues.", e.Detail.AlarmName, e.Detail.State.Value)
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
