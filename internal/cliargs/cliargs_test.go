package cliargs

import (
	"flag"
	"io"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		args  []string
		pos   []string
		watch bool
		every string
	}{
		{[]string{"web"}, []string{"web"}, false, ""},
		{[]string{"-watch", "web"}, []string{"web"}, true, ""},
		{[]string{"web", "-watch"}, []string{"web"}, true, ""},
		{[]string{"web", "-every", "5s", "api"}, []string{"web", "api"}, false, "5s"},
		{[]string{"-every=1m", "web", "-watch"}, []string{"web"}, true, "1m"},
		{[]string{"web", "--", "-watch"}, []string{"web", "-watch"}, false, ""},
		{nil, nil, false, ""},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		watch := fs.Bool("watch", false, "")
		every := fs.String("every", "", "")
		pos, err := Parse(fs, tt.args)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if !reflect.DeepEqual(pos, tt.pos) || *watch != tt.watch || *every != tt.every {
			t.Errorf("%v: positional %q watch %v every %q; want %q %v %q", tt.args, pos, *watch, *every, tt.pos, tt.watch, tt.every)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := Parse(fs, []string{"web", "-nope"}); err == nil {
		t.Error("an unknown flag after the positional argument must fail")
	}
}
