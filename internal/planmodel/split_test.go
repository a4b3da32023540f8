package planmodel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compactPlan is a fixture plan as Terraform writes it, compact (the
// split pattern only matches that), with a newline before each change so
// that error positions have lines and columns to get right.
func compactPlan(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte(`,"change":`), []byte(",\n\"change\":"))
}

// readSplit reads data from a file with B told to look for its point
// from offset at, through small windows so that both readers refill
// often. joined says whether A verified the point and joined B.
// tempFile writes data to a file in the test's temporary directory and
// opens it for reading until the test ends.
func tempFile(t testing.TB, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readSplit(t testing.TB, data []byte, at int64) (p *Plan, err error, joined bool) {
	t.Helper()
	f := tempFile(t, data)
	defer f.Close() // called for every split point: do not hold the files
	s := newReaderScanner(f, MaxPlanSize, 512)
	sp := newSplitter(f, int64(len(data)), MaxPlanSize)
	sp.guess = func(int64, int64) int64 { return at }
	sp.window = 256
	sp.await = true
	s.split = sp
	p, err = read(s)
	sp.stop()
	return p, err, sp.size >= 0
}

// splitPoints are the offsets of every split pattern in data: points in
// resource_changes, and false ones elsewhere that A must refuse.
func splitPoints(data []byte) []int64 {
	var out []int64
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte(splitPattern))
		if j < 0 {
			return out
		}
		out = append(out, int64(i+j))
		i += j + 1
	}
}

func TestSplitReadsTheSame(t *testing.T) {
	paths := fixturePlans(t)
	for _, path := range paths {
		data := compactPlan(t, path)
		want := readModel(t, func() (*Plan, error) { return Parse(data) })
		// Every point in resource_changes, and a few false ones.
		rc := int64(bytes.Index(data, []byte(`"resource_changes":`)))
		var points []int64
		for _, at := range splitPoints(data) {
			if at > rc || len(points) < 3 {
				points = append(points, at)
			}
		}
		joins := 0
		for _, at := range points {
			var joined bool
			got := readModel(t, func() (*Plan, error) {
				p, err, j := readSplit(t, data, at)
				joined = j
				return p, err
			})
			if joined {
				joins++
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s split at %d (joined %v): model differs", filepath.Base(path), at, joined)
			}
		}
		if joins == 0 {
			t.Errorf("%s: no split point was joined", filepath.Base(path))
		}
	}
}

// TestSplitErrors breaks a plan before, at and after the split point, in
// the part each reader reads, and checks the error is the one a single
// pass gives: the first syntax error wins over everything, with its line
// and column, and element errors keep their index.
func TestSplitErrors(t *testing.T) {
	data := compactPlan(t, filepath.Join("..", "check", "testdata", "plans", "evasion_split_across_groups.json"))
	rc := int64(bytes.Index(data, []byte(`"resource_changes":`)))
	var points []int64
	for _, at := range splitPoints(data) {
		if at > rc {
			points = append(points, at)
		}
	}
	if len(points) < 4 {
		t.Fatalf("only %d split points in resource_changes", len(points))
	}
	at := points[len(points)/2]
	m := int(at) + 2
	end := bytes.LastIndex(data, []byte(`"configuration"`))
	// sub replaces the first old at or after offset i of doc.
	sub := func(doc []byte, i int, old, new string) []byte {
		j := bytes.Index(doc[i:], []byte(old))
		if j < 0 {
			t.Fatalf("no %q after %d", old, i)
		}
		return bytes.Join([][]byte{doc[:i+j], []byte(new), doc[i+j+len(old):]}, nil)
	}
	after := func(old, new string) []byte { return sub(data, m+10, old, new) }
	before := func(old, new string) []byte { return sub(data, int(rc), old, new) }
	later := func(new string) []byte { return sub(data, end, `"configuration"`, new+`"configuration"`) }
	edits := []struct {
		name string
		doc  []byte
	}{
		{"syntax error before the point", before(`"mode":"managed"`, `"mode":"managed",,`)},
		{"syntax errors before and after the point", sub(before(`"mode":"managed"`, `"mode":y`), m+10, `"mode":"managed"`, `"mode":x`)},
		{"syntax error at the point", sub(data, m, `{"address"`, `{"address",`)},
		{"syntax error after the point", after(`"actions":[`, `"actions":[}`)},
		{"syntax error after a newline after the point", after("\n\"change\":{", "\n\"change\":{]")},
		{"syntax error in the configuration", sub(data, end, `"root_module"`, `"root_module" 1`)},
		{"truncated after the point", data[:m+200]},
		{"truncated in the configuration", data[:end+50]},
		{"trailing garbage", append(bytes.Clone(data), " x"...)},
		{"element error before the point", before(`"mode":"managed"`, `"mode":1`)},
		{"element error at the point", sub(data, m, `"mode":"managed"`, `"mode":1`)},
		{"element error after the point", after(`"mode":"managed"`, `"mode":1`)},
		{"element errors before and after the point", sub(before(`"mode":"managed"`, `"mode":1`), m+10, `"mode":"managed"`, `"mode":2`)},
		{"element error and syntax error after the point", sub(after(`"mode":"managed"`, `"mode":1`), m+100, `"actions":[`, `"actions":[}`)},
		{"not an array later", later(`"resource_changes":{},`)},
		{"element error before, not an array later", sub(before(`"mode":"managed"`, `"mode":1`), end, `"configuration"`, `"resource_changes":7,"configuration"`)},
		{"a second array later", later(`"resource_changes":[{"address":1}],`)},
		{"wrong format_version later", later(`"format_version":"0.1",`)},
		{"wrong type of format_version later", later(`"format_version":1,`)},
		{"configuration null later", append(bytes.Clone(data[:len(data)-1]), `,"configuration":null}`...)},
		{"too deep after the point", after(`"actions":`, `"x":`+strings.Repeat("[", maxNesting)+`,"actions":`)},
	}
	for _, e := range edits {
		want, werr := Parse(e.doc)
		got, gerr, _ := readSplit(t, e.doc, at)
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Errorf("%s: split read says %v, one pass %v", e.name, gerr, werr)
			continue
		}
		if werr == nil && len(got.Instances) != len(want.Instances) {
			t.Errorf("%s: %d instances, want %d", e.name, len(got.Instances), len(want.Instances))
		}
	}
}

// TestSplitLargePlan reads a plan large enough for ParseReader to split
// on its own, as the CLI reads a file.
func TestSplitLargePlan(t *testing.T) {
	var b strings.Builder
	elem := func(i int) string {
		return fmt.Sprintf(`{"address":"aws_security_group.s[%d]","mode":"managed","type":"aws_security_group","name":"s","index":%d,"change":{"actions":["create"],"after":{"name":"g%d","ingress":[{"from_port":%d,"to_port":%d,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"],"description":"\u00e9\"x"}]},"after_unknown":{"id":true}}}`, i, i, i, i%65536, i%65536)
	}
	b.WriteString(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"address":"aws_security_group.s[%d]","values":{"name":"g%d","tags":null}}`, i, i)
	}
	b.WriteString(`]}},"resource_changes":[`)
	for i := 0; b.Len() < 3*splitMinSize/2; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(elem(i))
	}
	b.WriteString(`],"configuration":{"root_module":{}}}`)
	data := []byte(b.String())
	want := readModel(t, func() (*Plan, error) { return Parse(data) })
	got := readModel(t, func() (*Plan, error) { return ParseReader(tempFile(t, data), MaxPlanSize) })
	if !bytes.Equal(got, want) {
		t.Error("model differs")
	}
	// A syntax error near the end is placed in the whole document.
	bad := append(bytes.Clone(data[:len(data)-30]), '\n', ']')
	_, gerr := ParseReader(tempFile(t, bad), MaxPlanSize)
	if _, werr := Parse(bad); gerr == nil || werr == nil || gerr.Error() != werr.Error() {
		t.Errorf("split read says %v, one pass %v", gerr, werr)
	}
}

// TestConfigStart: B finds where the plan's configuration starts, the
// offset of its top-level key, even with a resource attribute of that
// name earlier in the plan.
func TestConfigStart(t *testing.T) {
	paths := fixturePlans(t)
	for _, path := range paths {
		data := compactPlan(t, path)
		// A resource attribute named configuration, in the first change.
		data = bytes.Replace(data, []byte(`"after":{`), []byte(`"after":{"configuration":{"root_module":1},`), 1)
		want := topLevelOffset(t, data, "configuration")
		sp := newSplitter(tempFile(t, data), int64(len(data)), MaxPlanSize)
		if got := sp.configStart(0); got != want {
			t.Errorf("%s: configuration at %d, want %d", filepath.Base(path), got, want)
		}
	}
}

// topLevelOffset is the offset of the quote that opens key in the
// document's top-level object, or -1.
func topLevelOffset(t *testing.T, data []byte, key string) int64 {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		before := dec.InputOffset()
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		// InputOffset is after the comma that ends the previous member.
		at := before + int64(bytes.IndexByte(data[before:], '"'))
		if k == key {
			return at
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return -1
}
