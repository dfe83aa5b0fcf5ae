// Package eventbus is a local EventBridge for the suite: an endpoint that speaks PutEvents
// (AWS JSON 1.1, X-Amz-Target AWSEvents.PutEvents) and hands each entry that a rule matches to
// its target as the event envelope EventBridge delivers to a Lambda function. Point the AWS
// SDK of the function that puts events at it with AWS_ENDPOINT_URL_EVENTBRIDGE.
//
// Upstream references:
//   - PutEvents: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
//   - The envelope: https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
package eventbus

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// Rule sends the entries put on Bus with Source and one of DetailTypes to Target.
type Rule struct {
	Bus         string
	Source      string
	DetailTypes []string
	// Target receives the event envelope. The bus calls it after answering PutEvents, as
	// EventBridge delivers asynchronously; Deliver decides how.
	Target string
}

// Envelope is the event EventBridge hands a target.
type Envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// Bus is the PutEvents endpoint.
type Bus struct {
	// Rules decide where entries go; an entry no rule matches is accepted and dropped, as on
	// EventBridge.
	Rules []Rule
	// Deliver hands an envelope to a rule's target. It is called once per match, from the
	// request that put the entry, after the answer is written; it should not block for long.
	Deliver func(target string, envelope []byte)
	// Account and Region fill in the envelope.
	Account, Region string
	// Now stamps entries that carry no Time.
	Now func() time.Time
}

type putEventsInput struct {
	Entries []entry `json:"Entries"`
}

type entry struct {
	Source       string   `json:"Source"`
	DetailType   string   `json:"DetailType"`
	Detail       string   `json:"Detail"`
	EventBusName string   `json:"EventBusName"`
	Resources    []string `json:"Resources"`
	Time         *float64 `json:"Time"` // epoch seconds, as the JSON protocol sends timestamps
}

type resultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putEventsOutput struct {
	FailedEntryCount int           `json:"FailedEntryCount"`
	Entries          []resultEntry `json:"Entries"`
}

// maxEntries is PutEvents' limit of entries per call.
const maxEntries = 10

// ServeHTTP answers PutEvents; any other operation is refused as EventBridge refuses an
// unknown one.
func (b *Bus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if target := r.Header.Get("X-Amz-Target"); r.Method != http.MethodPost || target != "AWSEvents.PutEvents" {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("operation %q is not served by the local bus", target))
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	var in putEventsInput
	if err := json.Unmarshal(raw, &in); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if len(in.Entries) == 0 || len(in.Entries) > maxEntries {
		writeError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf("%d entries: want 1 to %d", len(in.Entries), maxEntries))
		return
	}
	out := putEventsOutput{Entries: make([]resultEntry, len(in.Entries))}
	type delivery struct {
		target   string
		envelope []byte
	}
	var deliveries []delivery
	for i, e := range in.Entries {
		env, code, msg := b.envelope(e)
		if code != "" {
			out.FailedEntryCount++
			out.Entries[i] = resultEntry{ErrorCode: code, ErrorMessage: msg}
			continue
		}
		out.Entries[i] = resultEntry{EventID: env.ID}
		body, err := json.Marshal(env)
		if err != nil {
			out.FailedEntryCount++
			out.Entries[i] = resultEntry{ErrorCode: "InternalFailure", ErrorMessage: err.Error()}
			continue
		}
		for _, rule := range b.Rules {
			if rule.matches(e) {
				deliveries = append(deliveries, delivery{rule.Target, body})
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
	for _, d := range deliveries {
		b.Deliver(d.target, d.envelope)
	}
}

func (r Rule) matches(e entry) bool {
	bus := e.EventBusName
	if bus == "" {
		bus = "default"
	}
	return bus == r.Bus && e.Source == r.Source && slices.Contains(r.DetailTypes, e.DetailType)
}

// envelope checks an entry as EventBridge does and wraps it, or returns the entry's error code.
func (b *Bus) envelope(e entry) (Envelope, string, string) {
	switch {
	case e.Source == "":
		return Envelope{}, "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == "":
		return Envelope{}, "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == "":
		return Envelope{}, "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(e.Detail), &obj); err != nil {
		return Envelope{}, "MalformedDetail", "Detail is malformed."
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	t := now()
	if e.Time != nil {
		t = time.UnixMilli(int64(*e.Time * 1000))
	}
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	return Envelope{
		Version:    "0",
		ID:         newID(),
		DetailType: e.DetailType,
		Source:     e.Source,
		Account:    b.Account,
		Time:       t.UTC().Format(time.RFC3339),
		Region:     b.Region,
		Resources:  resources,
		Detail:     json.RawMessage(e.Detail),
	}, "", ""
}

// newID is a random UUID (version 4), as EventBridge event ids are.
func newID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}
