package planmodel

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
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

// fixturePlans lists the checker's real-plan fixtures, which the reader's
// and the builder's tests read too.
func fixturePlans(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "check", "testdata", "plans", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixture plans: %v", err)
	}
	return paths
}

// TestStreamedPlansReadTheSame reads every fixture plan through the
// smallest window, a byte per read, so that every value straddles a
// refill somewhere, and compares the model with the in-memory read.
func TestStreamedPlansReadTheSame(t *testing.T) {
	paths := fixturePlans(t)
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := readModel(t, func() (*Plan, error) { return Parse(data) })
		got := readModel(t, func() (*Plan, error) {
			return read(newReaderScanner(iotest.OneByteReader(bytes.NewReader(data)), MaxPlanSize, 1))
		})
		if !bytes.Equal(got, want) {
			t.Errorf("%s: streamed model differs", filepath.Base(path))
		}
	}
}

func readModel(t *testing.T, read func() (*Plan, error)) []byte {
	t.Helper()
	p, err := read()
	if err != nil {
		t.Fatal(err)
	}
	return modelJSON(t, p, Options{BastionTags: map[string]string{"Role": "bastion"}})
}

// modelJSON builds the model of p and returns its JSON.
func modelJSON(t *testing.T, p *Plan, opts Options) []byte {
	t.Helper()
	m, err := Build(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStreamErrors checks the messages the reader gives on the input it
// refuses, streamed as stdin is.
func TestStreamErrors(t *testing.T) {
	big := `{"format_version":"1.2","resource_changes":[],"x":"` + strings.Repeat("a", 4096) + `"}`
	tests := []struct {
		in    string
		limit int64
		want  string
	}{
		{"", MaxPlanSize, "plan is empty"},
		{" \n\t\v\u00a0\u2003 ", MaxPlanSize, "plan is empty"},
		{"PK\x03\x04zip", MaxPlanSize, "binary plan file"},
		{"\u00a0[]", MaxPlanSize, "not a JSON object"},
		{"\u00a0{}", MaxPlanSize, "not valid JSON: invalid character 'Â' looking for beginning of value at line 1, column 2"},
		{"{\n\"a\":\n[1,]}", MaxPlanSize, "not valid JSON: invalid character ']' looking for beginning of value at line 3, column 5"},
		{`{"format_version":"1.2","resource_changes":[`, MaxPlanSize, "ends early at line 1, column 45"},
		{`{"format_version":"1.2","resource_changes":[], "x": tru`, MaxPlanSize, "invalid character ' ' in literal true (expecting 'e') at line 1, column 56"},
		{`{"format_version":"1.2","x": 1.}`, MaxPlanSize, `invalid character '}' after decimal point in numeric literal at line 1, column 33`},
		{`{"format_version":"0.1","resource_changes":[]}`, MaxPlanSize, `format_version "0.1" is not supported`},
		{`{"format_version":"1.0","values":{}}`, MaxPlanSize, "looks like a state file"},
		{big, 1024, "larger than"},
		{"PK\x03\x04" + big, 1024, "larger than"},
		{big[:2000], 1024, "larger than"},
	}
	for _, tt := range tests {
		_, err := ParseReader(iotest.HalfReader(strings.NewReader(tt.in)), tt.limit)
		if !IsInputError(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%.40q: got %v, want an input error saying %q", tt.in, err, tt.want)
		}
		if tt.limit == MaxPlanSize {
			if _, perr := Parse([]byte(tt.in)); perr == nil || perr.Error() != err.Error() {
				t.Errorf("%.40q: Parse says %v, ParseReader %v", tt.in, perr, err)
			}
			if strings.Contains(tt.want, "character") && !json.Valid([]byte(tt.in)) && err.Error() != jsonSyntaxError([]byte(tt.in)).Error() {
				t.Errorf("%.40q: got %v, encoding/json says %v", tt.in, err, jsonSyntaxError([]byte(tt.in)))
			}
		}
	}
}

// TestSkipDeepNesting checks the skipper's container stack past the 64
// levels it keeps in a register: every mix of objects and arrays closes
// right, and errors deep inside read as encoding/json's.
func TestSkipDeepNesting(t *testing.T) {
	for _, depth := range []int{63, 64, 65, 130, 200} {
		var open, close strings.Builder
		for d := 0; d < depth; d++ {
			if d%3 == 1 {
				open.WriteString(`{"k":1,"v":`)
			} else {
				open.WriteString(`[0,`)
			}
		}
		for d := depth - 1; d >= 0; d-- {
			if d%3 == 1 {
				close.WriteString(`,"w":null}`)
			} else {
				close.WriteString(`,true]`)
			}
		}
		valid := open.String() + `"x"` + close.String()
		for _, doc := range []string{
			valid,
			open.String() + `"x"` + close.String()[:len(close.String())/2] + `]` + close.String()[len(close.String())/2:],
			open.String() + `"x"` + close.String()[:len(close.String())-1],
			open.String() + `"x",}` + close.String(),
			open.String() + `{"a" 1}` + close.String(),
		} {
			data := []byte(doc)
			s := newScanner(data)
			err := s.skip()
			if err == nil {
				err = s.end()
			}
			if got, want := err == nil, json.Valid(data); got != want {
				t.Fatalf("depth %d: scanner accepts %v, encoding/json %v", depth, got, want)
			}
			if err != nil {
				if got, want := s.syntaxError().Error(), jsonSyntaxError(data).Error(); got != want {
					t.Errorf("depth %d: %s, want %s", depth, got, want)
				}
			}
		}
	}
}

// TestDeepConfiguration: the configuration is decoded in the scan, yet a
// value nested past the limit is reported after it, as a configuration
// error, and a syntax error later in the document still comes first.
func TestDeepConfiguration(t *testing.T) {
	deep := strings.Repeat("[", 70) + strings.Repeat("]", 70)
	config := `"configuration":{"root_module":{"resources":[{"mode":"managed","type":"aws_vpc","name":"a","expressions":{"cidr_block":{"constant_value":` + deep + `}}}]}}`
	changes := `"resource_changes":[{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","change":{"actions":["create"],"after":{}}}]`
	tests := []struct {
		name, doc, want string
	}{
		{"deep value", `{"format_version":"1.2",` + changes + `,` + config + `}`, "plan: configuration: value nested more than 64 levels deep"},
		{"deep value, then bad JSON", `{"format_version":"1.2",` + changes + `,` + config + `,"x":tru}`, "not valid JSON"},
		{"deep value replaced by a later configuration", `{"format_version":"1.2",` + changes + `,` + config + `,"configuration":{"root_module":{}}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			_, serr := read(newReaderScanner(iotest.OneByteReader(strings.NewReader(tt.doc)), MaxPlanSize, 1))
			for _, e := range []error{err, serr} {
				switch {
				case tt.want == "" && e != nil:
					t.Errorf("got %v, want no error", e)
				case tt.want != "" && (e == nil || !IsInputError(e) || !strings.Contains(e.Error(), tt.want)):
					t.Errorf("got %v, want an input error saying %q", e, tt.want)
				}
			}
		})
	}
}

// TestConfigurationSkipsUnreadMembers: the members of the configuration
// parseConfig never reads are skipped, not decoded (a value nested too
// deep there is no error), still checked as JSON, and a member it reads
// with the wrong type is reported as before.
func TestConfigurationSkipsUnreadMembers(t *testing.T) {
	deep := strings.Repeat("[", 70) + strings.Repeat("]", 70)
	changes := `"resource_changes":[{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","change":{"actions":["create"],"after":{}}}]`
	doc := func(module string) string {
		return `{"format_version":"1.2",` + changes + `,"configuration":{"provider_config":` + deep + `,"root_module":` + module + `}}`
	}
	resource := `{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","provisioners":` + deep + `,"schema_version":0,"expressions":{}}`
	tests := []struct {
		name, doc, want string
	}{
		{"deep values in unread members", doc(`{"variables":` + deep + `,"resources":[` + resource + `],"module_calls":{"m":{"source":` + deep + `,"module":{"outputs":{"o":{"description":` + deep + `,"expression":{"references":["aws_vpc.a"]}}}}}}}`), ""},
		{"bad JSON in an unread member", doc(`{"variables":{"x":tru}}`), "not valid JSON"},
		{"resources not a list", doc(`{"resources":{}}`), "resources is not a list"},
		{"module calls not an object", doc(`{"module_calls":[]}`), "module_calls is not an object"},
		{"resource type not a string", doc(`{"resources":[{"mode":"managed","type":5,"name":"a"}]}`), "type is not a string"},
		{"call module not an object", doc(`{"module_calls":{"m":{"module":[]}}}`), "module is not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !IsInputError(err) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an input error saying %q", err, tt.want)
			}
		})
	}
}
