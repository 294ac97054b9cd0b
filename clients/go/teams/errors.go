package teams

import (
	"context"
	"errors"
	"fmt"
)

// Code is a call's status code, numbered as gRPC's (docs/PROTOCOL.md, "Status codes").
type Code uint8

// The status codes, named as in docs/PROTOCOL.md.
const (
	OK                 Code = 0
	Cancelled          Code = 1
	Unknown            Code = 2
	InvalidArgument    Code = 3
	DeadlineExceeded   Code = 4
	NotFound           Code = 5
	AlreadyExists      Code = 6
	PermissionDenied   Code = 7
	ResourceExhausted  Code = 8
	FailedPrecondition Code = 9
	Aborted            Code = 10
	OutOfRange         Code = 11
	Unimplemented      Code = 12
	Internal           Code = 13
	Unavailable        Code = 14
	DataLoss           Code = 15
	Unauthenticated    Code = 16
)

var codeNames = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
	"UNAUTHENTICATED",
}

// String returns the code's name as docs/PROTOCOL.md spells it, e.g. "NOT_FOUND".
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("CODE_%d", uint8(c))
}

// Error is how every call of this package fails: the status the server answered,
// or one the client decided on (DEADLINE_EXCEEDED and CANCELLED from the call's
// context, UNAVAILABLE when no server could be reached or a connection was lost).
// Use errors.As to get at it, or CodeOf for the code alone.
type Error struct {
	Code    Code
	Message string
	// Metadata is the response metadata the server sent with the error, if any
	// (it echoes a request's request-id).
	Metadata Metadata
	// cause is the underlying Go error, for errors.Is (context.DeadlineExceeded,
	// context.Canceled, a network error); nil for statuses the server answered.
	cause error
}

// Error returns "CODE: message".
func (e *Error) Error() string {
	return e.Code.String() + ": " + e.Message
}

// Unwrap returns the Go error behind a status the client decided on, so that
// errors.Is(err, context.DeadlineExceeded) holds for a call whose context expired.
func (e *Error) Unwrap() error { return e.cause }

// CodeOf returns err's status code: OK for nil, the Code of an *Error anywhere in
// err's chain, and Unknown for any other error.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Unknown
}

func newError(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// contextError turns a done context into the call's error: DEADLINE_EXCEEDED or CANCELLED.
func contextError(ctx context.Context) *Error {
	err := ctx.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: DeadlineExceeded, Message: "the call's deadline passed", cause: err}
	}
	return &Error{Code: Cancelled, Message: "the call was cancelled", cause: err}
}

// clientClosedError ends the calls waiting or in flight when the client is closed.
func clientClosedError() *Error {
	return &Error{Code: Cancelled, Message: "the client is closed"}
}
