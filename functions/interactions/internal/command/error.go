package command

import (
	"errors"
	"fmt"
)

// Error is a failure whose Message is safe and useful to show the user as it is: what failed
// and what to try. Err, when set, is the cause, for the log only.
type Error struct {
	Message string
	Err     error
}

// Errorf returns an *Error with a formatted message and cause err, which may be nil.
func Errorf(err error, format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...), Err: err}
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrRetry is wrapped by a worker's error when the work must neither be answered nor given
// up: another invocation is doing it. The function then edits nothing and fails the
// invocation, so that Lambda delivers it again later.
var ErrRetry = errors.New("try the work again later")
