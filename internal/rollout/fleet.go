package rollout

import (
	"context"
	"errors"
	"time"
)

// Fleet is what an adapter implements for one Auto Scaling group: read
// everything a step needs, and apply one command.
type Fleet interface {
	Observe(ctx context.Context) (Observation, error)
	Apply(ctx context.Context, c Command) error
}

// Clock is the driver's time. Tests use a simulated clock that advances a
// simulated fleet while "sleeping".
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// RetryableError marks a transient failure (throttling, 5xx) that the driver
// retries with backoff.
type RetryableError struct{ Err error }

func (e *RetryableError) Error() string { return e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// Retryable wraps err as transient.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return &RetryableError{Err: err}
}

// IsRetryable reports whether err is transient: a *RetryableError, or any
// error in the chain with a Retryable() bool method (as smithy-go's
// throttling and server errors can be adapted to).
func IsRetryable(err error) bool {
	var r *RetryableError
	if errors.As(err, &r) {
		return true
	}
	var m interface{ Retryable() bool }
	return errors.As(err, &m) && m.Retryable()
}
