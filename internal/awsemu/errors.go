package awsemu

import (
	"fmt"
	"net/http"
)

// APIError is an AWS error as the wire protocols carry it: a code the SDK
// maps to a typed error, a message, and the HTTP status AWS uses.
type APIError struct {
	Code    string
	Message string
	Status  int
	// QueryCode is the legacy AWS Query code that query-compatible services
	// (CloudWatch) report in the X-Amzn-Query-Error header.
	QueryCode string
	// Receiver marks server-side faults.
	Receiver bool
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func errValidation(format string, args ...any) *APIError {
	return &APIError{Code: "ValidationError", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func errMissing(param string) *APIError {
	return &APIError{Code: "MissingParameter", Message: fmt.Sprintf("The request must contain the parameter %s", param), Status: http.StatusBadRequest}
}

func errCode(code string, status int, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}
