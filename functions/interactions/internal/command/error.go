package command

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/discord-chatops/chatops/shared/i18n"
)

// Error is a failure whose text is safe and useful to show the user as it is: what failed and
// what to try. Text, when set, is printed in the reader's language; otherwise Message is shown
// as it is, for a text already worded in the reader's language. Err, when set, is the cause,
// for the log only.
type Error struct {
	Text    Text
	Message string
	Err     error
}

// Fail returns an *Error showing t, with cause err, which may be nil.
func Fail(err error, t Text) *Error {
	return &Error{Text: t, Err: err}
}

// Errorf returns an *Error with a formatted message, already in its reader's language, and
// cause err, which may be nil.
func Errorf(err error, format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...), Err: err}
}

// In is what the user reads, in p's language.
func (e *Error) In(p *i18n.Printer) string {
	if e.Text.ID == "" {
		return e.Message
	}
	return e.Text.In(p)
}

// Error is the message for the log: Message, or the Text's id and fields.
func (e *Error) Error() string {
	msg := e.Message
	if e.Text.ID != "" {
		msg = logText(e.Text)
	}
	if e.Err == nil {
		return msg
	}
	return msg + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// logText is t for a log line: "status.target.empty" or "status.notfound.ec2 Instances=`i-1`".
func logText(t Text) string {
	var b strings.Builder
	b.WriteString(t.ID)
	for _, k := range slices.Sorted(maps.Keys(t.Args)) {
		v := t.Args[k]
		if nested, ok := v.(Text); ok {
			v = "(" + logText(nested) + ")"
		}
		fmt.Fprintf(&b, " %s=%v", k, v)
	}
	return b.String()
}

// ErrRetry is wrapped by a worker's error when the work must neither be answered nor given
// up: another invocation is doing it. The function then edits nothing and fails the
// invocation, so that Lambda delivers it again later.
var ErrRetry = errors.New("try the work again later")
