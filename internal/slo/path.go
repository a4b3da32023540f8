package slo

import (
	"fmt"
	"strconv"
	"strings"
)

// PathStep is one step of an attribute path: an attribute name, or the key
// of a map element.
type PathStep struct {
	Name  string
	Key   string
	IsKey bool
}

// Path locates an attribute in configuration, the way the resource schema
// nests it, so that a caller can attach an error to it without parsing text.
type Path []PathStep

// Root starts a path at a top-level attribute.
func Root(name string) Path { return Path{{Name: name}} }

// At returns the path of a nested attribute.
func (p Path) At(name string) Path { return append(p[:len(p):len(p)], PathStep{Name: name}) }

// Key returns the path of a map element.
func (p Path) Key(key string) Path {
	return append(p[:len(p):len(p)], PathStep{Key: key, IsKey: true})
}

// String renders the path as Terraform does, e.g. sli.ratio.bad.metrics["e4"].statistic.
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.IsKey:
			b.WriteString("[" + strconv.Quote(s.Key) + "]")
		case i > 0:
			b.WriteString("." + s.Name)
		default:
			b.WriteString(s.Name)
		}
	}
	return b.String()
}

// FieldError is a validation error attached to the attribute it concerns.
type FieldError struct {
	Path Path
	Err  error
}

func (e *FieldError) Error() string { return e.Path.String() + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(p Path, format string, args ...any) error {
	return &FieldError{Path: p, Err: fmt.Errorf(format, args...)}
}
