package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The EventBridge envelope of the dead-letter alarm's state changes, which the stack routes here
// from the default bus (infra/failures.go).
//
// See https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
const (
	alarmSource     = "aws.cloudwatch"
	alarmDetailType = "CloudWatch Alarm State Change"
)

// input is what an invocation asks for: the report for now, or an alarm's state change.
type input struct {
	now   time.Time
	alarm *alarmEvent
}

// alarmEvent is the part of a CloudWatch Alarm State Change event that the post uses.
type alarmEvent struct {
	ID         string    `json:"id"`
	Source     string    `json:"source"`
	DetailType string    `json:"detail-type"`
	Time       time.Time `json:"time"`
	Detail     struct {
		AlarmName     string     `json:"alarmName"`
		State         alarmState `json:"state"`
		PreviousState alarmState `json:"previousState"`
	} `json:"detail"`
}

// alarmState is an alarm's state in the event: ALARM, OK or INSUFFICIENT_DATA, and CloudWatch's
// reason.
type alarmState struct {
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// read tells the Scheduler's input ({}, {"now": ...}, or nothing) from an EventBridge event
// (an object with "source" or "detail-type"), and takes only the alarm's state change of the
// latter: any other event is refused by name rather than read as "post the report now".
func (h *handler) read(raw json.RawMessage) (input, error) {
	var fields map[string]json.RawMessage
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] == '{' {
		if err := json.Unmarshal(trimmed, &fields); err != nil {
			return input{}, fmt.Errorf("event %s: %w", trimmed, err)
		}
	}
	_, hasSource := fields["source"]
	_, hasDetailType := fields["detail-type"]
	if !hasSource && !hasDetailType {
		now, err := h.parse(raw)
		return input{now: now}, err
	}
	var e alarmEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		return input{}, fmt.Errorf("EventBridge event: %w", err)
	}
	if e.Source != alarmSource || e.DetailType != alarmDetailType {
		return input{}, fmt.Errorf("EventBridge event from source %q, detail-type %q: cost-cron takes {}, {\"now\": \"<RFC 3339 time>\"} or a %q event from %s",
			e.Source, e.DetailType, alarmDetailType, alarmSource)
	}
	var errs []error
	if e.ID == "" {
		errs = append(errs, errors.New("no id"))
	}
	if e.Detail.State.Value == "" {
		errs = append(errs, errors.New("no detail.state.value"))
	}
	if err := errors.Join(errs...); err != nil {
		return input{}, fmt.Errorf("%s event: %w", alarmDetailType, err)
	}
	return input{alarm: &e}, nil
}
