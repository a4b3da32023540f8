package planmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// smallPlan has the shapes the reader follows: a module call with an
// input and an output, count and for_each instances, inline blocks and an
// unknown group id resolved through the configuration.
const smallPlan = `{"format_version":"1.2","terraform_version":"1.8.5",
"resource_changes":[
{"address":"module.m[0].aws_security_group.s","module_address":"module.m[0]","mode":"managed","type":"aws_security_group","name":"s","change":{"actions":["create"],"after":{"ingress":[{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"],"security_groups":[null]}]},"after_unknown":{"id":true,"ingress":[{"security_groups":[true]}]}}},
{"address":"aws_vpc_security_group_ingress_rule.r[\"a\"]","mode":"managed","type":"aws_vpc_security_group_ingress_rule","name":"r","index":"a","change":{"actions":["create"],"after":{"ip_protocol":"-1","cidr_ipv6":"::/0"},"after_unknown":{"security_group_id":true}}},
{"address":"aws_instance.i[0]","mode":"managed","type":"aws_instance","name":"i","index":0,"change":{"actions":["create"],"after":{"vpc_security_group_ids":[null]},"after_unknown":{"vpc_security_group_ids":[true],"associate_public_ip_address":true,"subnet_id":true}}}],
"configuration":{"root_module":{
"resources":[
{"mode":"managed","type":"aws_vpc_security_group_ingress_rule","name":"r","for_each_expression":{"constant_value":{"a":1}},"expressions":{"security_group_id":{"references":["module.m[0].sg","module.m[0]"]}}},
{"mode":"managed","type":"aws_instance","name":"i","count_expression":{"constant_value":1},"expressions":{"vpc_security_group_ids":{"references":["module.m","count.index"]},"subnet_id":{"references":["var.subnet"]}}}],
"module_calls":{"m":{"count_expression":{"constant_value":1},"expressions":{"peer":{"references":["aws_instance.i[0].id"]}},"module":{
"outputs":{"sg":{"expression":{"references":["aws_security_group.s.id","aws_security_group.s"]}}},
"resources":[{"mode":"managed","type":"aws_security_group","name":"s","expressions":{"ingress":[{"security_groups":{"references":["var.peer"]}}]}}]}}}}}}`

// FuzzReadPlan checks that any input either parses into a model that
// encodes as JSON, or fails with an InputError; never a panic.
func FuzzReadPlan(f *testing.F) {
	// Seeds stay small: the fuzzer mutates them byte by byte, and the
	// real-plan fixtures (80 KB) make instrumented runs crawl.
	f.Add([]byte(smallPlan))
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"aws_security_group_rule.r[\"a\"]","mode":"managed","type":"aws_security_group_rule","name":"r","index":"a","change":{"actions":["create"],"after":{"type":"ingress","from_port":22,"to_port":22,"protocol":"-1","cidr_blocks":["0.0.0.0/1","128.0.0.0/1"]},"after_unknown":{"security_group_id":true}}}],"configuration":{"root_module":{"resources":[{"mode":"managed","type":"aws_security_group_rule","name":"r","expressions":{"security_group_id":{"references":["module.m[0].x","var.y","each.value"]}}}]}}}`))
	// Compact, as Terraform writes it: the split reader has points.
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","change":{"actions":["create"],"after":{}}},{"address":"aws_security_group.s","mode":"managed","type":"aws_security_group","name":"s","change":{"actions":["create"],"after":{"ingress":[{"from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"]}]}}},{"address":"aws_instance.i","mode":"managed","type":"aws_instance","name":"i","change":{"actions":["update"],"before":{},"after":{"associate_public_ip_address":true}}}],"configuration":{"root_module":{}}}`))
	f.Add([]byte(`{"format_version":"1.0"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		// The same document streamed a byte at a time through a tiny
		// window reads the same.
		sp, serr := read(newReaderScanner(iotest.OneByteReader(bytes.NewReader(data)), MaxPlanSize, 1))
		// So does a file read by two readers split at the last point.
		if i := bytes.LastIndex(data, []byte(splitPattern)); i >= 0 {
			xp, xerr, _ := readSplit(t, data, int64(i))
			if (xerr == nil) != (err == nil) || err != nil && xerr.Error() != err.Error() {
				t.Fatalf("split: %v, in memory: %v", xerr, err)
			}
			if err == nil {
				want, _ := json.Marshal(mustBuild(t, p))
				if got, _ := json.Marshal(mustBuild(t, xp)); !bytes.Equal(got, want) {
					t.Fatalf("split model differs:\n%s\n%s", got, want)
				}
			}
		}
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("error is not an InputError: %v", err)
			}
			if serr == nil || serr.Error() != err.Error() {
				t.Fatalf("streamed: %v, in memory: %v", serr, err)
			}
			return
		}
		if serr != nil {
			t.Fatalf("streamed: %v, in memory: no error", serr)
		}
		m, err := Build(p, Options{BastionTags: map[string]string{"Role": "*"}})
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		got, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("encode model: %v", err)
		}
		sm, err := Build(sp, Options{BastionTags: map[string]string{"Role": "*"}})
		if err != nil {
			t.Fatalf("build streamed: %v", err)
		}
		if want, _ := json.Marshal(sm); !bytes.Equal(got, want) {
			t.Fatalf("streamed model differs:\n%s\n%s", want, got)
		}
	})
}

func mustBuild(t *testing.T, p *Plan) *Model {
	m, err := Build(p, Options{BastionTags: map[string]string{"Role": "*"}})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return m
}

// FuzzScannerValidates checks that the one-pass reader accepts exactly the
// documents encoding/json accepts: Parse relies on it instead of a separate
// json.Valid pass.
func FuzzScannerValidates(f *testing.F) {
	f.Add([]byte(smallPlan))
	for _, s := range []string{`{"a":[1,-0.5e+3,"\u00e9\"\\",true,false,null,{}]}`, `"\ud800"`, `[1,]`, `{"a" 1}`, `01`, `"a` + "\x01" + `"`, `1.`, `-`, `[` + "\t" + `]`, `"\x"`, `"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x\udc00"`, "\"\\n\xff\xc3\xa9\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tm := time.AfterFunc(time.Second, func() { panic(fmt.Sprintf("slow on %q", data)) })
		defer tm.Stop()
		valid := json.Valid(data)
		for _, s := range []*scanner{
			newScanner(data),
			newReaderScanner(iotest.OneByteReader(bytes.NewReader(data)), MaxPlanSize, 1),
		} {
			err := s.skip()
			if err == nil {
				err = s.end()
			}
			if got := err == nil; got != valid {
				t.Fatalf("scanner accepts %q: %v, encoding/json: %v (%v)", data, got, valid, err)
			}
			// It reports the error encoding/json reports, where it does.
			if err != nil {
				if got, want := s.syntaxError().Error(), jsonSyntaxError(data).Error(); got != want {
					t.Fatalf("error for %q: %s, want %s", data, got, want)
				}
			}
		}
		// Strings with escapes decode as encoding/json decodes them.
		var want string
		if valid && json.Unmarshal(data, &want) == nil && bytes.IndexByte(data, '\\') >= 0 {
			s := newScanner(data)
			s.peek()
			raw, _ := s.str()
			if got, err := unquote(raw); err != nil || got != want {
				t.Fatalf("unquote(%q) = %q, %v; encoding/json: %q", raw, got, err, want)
			}
		}
	})
}

// jsonSyntaxError is the message the reader gave when it held the whole
// document and asked encoding/json where the error was.
func jsonSyntaxError(data []byte) error {
	var v struct{}
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, se.Offset)
		if strings.Contains(se.Error(), "unexpected end") {
			return inputErrorf("plan JSON ends early at line %d, column %d (truncated file?); %s", line, col, howToMake)
		}
		return inputErrorf("plan is not valid JSON: %v at line %d, column %d", se, line, col)
	}
	if err != nil {
		return inputErrorf("plan is not valid JSON: %v", err)
	}
	return inputErrorf("plan is not valid JSON")
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
