package planmodel

import (
	"strings"
	"testing"
)

func TestHugeAndHostileInputAreInputErrors(t *testing.T) {
	tests := []struct {
		name string
		read func() error
		want string
	}{
		{"input over the size limit", func() error {
			_, err := ReadAll(strings.NewReader(strings.Repeat(" ", 2048)), 1024)
			return err
		}, "larger than"},
		{"a value nested a million deep", func() error {
			deep := strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)
			_, err := Parse([]byte(`{"format_version":"1.2","resource_changes":[{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","change":{"actions":["create"],"after":` + deep + `}}]}`))
			return err
		}, "not valid JSON"},
		{"a selected attribute nested a million deep", func() error {
			deep := strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)
			_, err := Parse([]byte(`{"format_version":"1.2","resource_changes":[{"address":"aws_security_group.a","mode":"managed","type":"aws_security_group","name":"a","change":{"actions":["create"],"after":{"ingress":` + deep + `}}}]}`))
			return err
		}, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.read()
			if !IsInputError(err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an input error saying %q", err, tt.want)
			}
		})
	}
}
