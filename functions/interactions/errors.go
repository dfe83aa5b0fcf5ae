package main

// The errors Invoke returns, named so that the Lambda runtime reports a type to search for
// (errorType "EventError", "EditError", "RetryError") rather than the "wrapError" of a fmt.Errorf wrap.
//
// See https://docs.aws.amazon.com/lambda/latest/dg/golang-exceptions.html

// EventError is an event the function could not read, or a response it could not encode.
type EventError struct {
	Step string // "decode event", "encode response"
	Err  error
}

func (e *EventError) Error() string { return e.Step + ": " + e.Err.Error() }

func (e *EventError) Unwrap() error { return e.Err }

// EditError is a deferred interaction whose result could not be delivered: the edit of its
// original response failed. Lambda retries the asynchronous invocation.
type EditError struct {
	InteractionID string
	Err           error
}

func (e *EditError) Error() string {
	return "edit original response of interaction " + e.InteractionID + ": " + e.Err.Error()
}

func (e *EditError) Unwrap() error { return e.Err }

// RetryError is a deferred interaction whose work another invocation is doing (a duplicate
// delivery of the asynchronous event): nothing was done or edited, and Lambda retries it.
type RetryError struct {
	InteractionID string
	Err           error
}

func (e *RetryError) Error() string {
	return "work of interaction " + e.InteractionID + " left for a retry: " + e.Err.Error()
}

func (e *RetryError) Unwrap() error { return e.Err }
