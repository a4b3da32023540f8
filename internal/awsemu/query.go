package awsemu

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// params is a flattened AWS Query request ("Tags.member.1.Key=...").
type params map[string]string

func (p params) str(key string) string { return p[key] }

func (p params) has(key string) bool {
	if _, ok := p[key]; ok {
		return true
	}
	prefix := key + "."
	for k := range p {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// require returns the value or a MissingParameter error.
func (p params) require(key string) (string, error) {
	v, ok := p[key]
	if !ok || v == "" {
		return "", errMissing(key)
	}
	return v, nil
}

func (p params) intOr(key string, def int) (int, error) {
	v, ok := p[key]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errValidation("Value %q for parameter %s is not a valid integer", v, key)
	}
	return n, nil
}

func (p params) boolOr(key string, def bool) bool {
	v, ok := p[key]
	if !ok {
		return def
	}
	return strings.EqualFold(v, "true")
}

// indices returns the sorted N of every "prefix.N..." key.
func (p params) indices(prefix string) []int {
	seen := map[int]bool{}
	pre := prefix + "."
	for k := range p {
		if !strings.HasPrefix(k, pre) {
			continue
		}
		rest := k[len(pre):]
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		if n, err := strconv.Atoi(rest); err == nil {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// list reads scalar lists: "prefix.1", "prefix.2", ...
func (p params) list(prefix string) []string {
	var out []string
	for _, n := range p.indices(prefix) {
		if v, ok := p[prefix+"."+strconv.Itoa(n)]; ok {
			out = append(out, v)
		}
	}
	return out
}

// structs reads lists of structures, each as params relative to its element.
func (p params) structs(prefix string) []params {
	var out []params
	for _, n := range p.indices(prefix) {
		out = append(out, p.sub(prefix+"."+strconv.Itoa(n)))
	}
	return out
}

// sub returns the params under "prefix.".
func (p params) sub(prefix string) params {
	pre := prefix + "."
	out := params{}
	for k, v := range p {
		if strings.HasPrefix(k, pre) {
			out[k[len(pre):]] = v
		}
	}
	return out
}

// X is a response XML element built by handlers: either text or children.
type X struct {
	Name string
	Text *string
	Kids []*X
}

// E builds an element with children; nil children are skipped so optional
// fields can be written inline.
func E(name string, kids ...*X) *X {
	x := &X{Name: name}
	for _, k := range kids {
		if k != nil {
			x.Kids = append(x.Kids, k)
		}
	}
	return x
}

// T builds a text element.
func T(name, text string) *X { return &X{Name: name, Text: &text} }

// Topt builds a text element, or nothing when text is empty.
func Topt(name, text string) *X {
	if text == "" {
		return nil
	}
	return T(name, text)
}

// Tint builds an integer element.
func Tint(name string, n int) *X { return T(name, strconv.Itoa(n)) }

// Tbool builds a boolean element.
func Tbool(name string, b bool) *X { return T(name, strconv.FormatBool(b)) }

// Ttime builds an ISO 8601 timestamp element.
func Ttime(name string, t time.Time) *X { return T(name, t.UTC().Format("2006-01-02T15:04:05.000Z")) }

// Tfloat builds a float element.
func Tfloat(name string, f float64) *X { return T(name, strconv.FormatFloat(f, 'g', -1, 64)) }

// List wraps items in a container, each item named itemName ("member" or "item").
func List(name, itemName string, items []*X) *X {
	x := &X{Name: name, Kids: []*X{}}
	for _, it := range items {
		it.Name = itemName
		x.Kids = append(x.Kids, it)
	}
	return x
}

func (x *X) write(b *strings.Builder) {
	b.WriteString("<" + x.Name + ">")
	if x.Text != nil {
		_ = xml.EscapeText(b, []byte(*x.Text))
	}
	for _, k := range x.Kids {
		k.write(b)
	}
	b.WriteString("</" + x.Name + ">")
}

// queryHandler adapts a typed AWS Query handler to the dispatch table.
func queryOp(h func(*Server, params) (*X, error)) func(*Server, any) (any, error) {
	return func(s *Server, in any) (any, error) {
		x, err := h(s, in.(params))
		if err != nil {
			return nil, err
		}
		return x, nil
	}
}

// protocol is one wire format: how to read an operation and write its reply.
type protocol interface {
	decode(r *http.Request, body []byte) (op string, in any, err error)
	writeResult(w http.ResponseWriter, op string, out any)
	writeError(w http.ResponseWriter, op string, err error)
}

func protocolFor(service string, r *http.Request) protocol {
	switch {
	case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor" || strings.HasPrefix(r.URL.Path, "/service/"):
		return cborProtocol{}
	case service == "ec2":
		return queryProtocol{ec2: true, xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/"}
	case service == "sts":
		return queryProtocol{xmlns: "https://sts.amazonaws.com/doc/2011-06-15/"}
	case service == "autoscaling":
		return queryProtocol{xmlns: "http://autoscaling.amazonaws.com/doc/2011-01-01/"}
	case service == "elasticloadbalancing":
		return queryProtocol{xmlns: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"}
	}
	return queryProtocol{}
}

// queryProtocol is AWS Query, and with ec2 set, the EC2 dialect whose
// responses carry fields at the top level and errors in <Response><Errors>.
type queryProtocol struct {
	ec2   bool
	xmlns string
}

func (q queryProtocol) decode(r *http.Request, body []byte) (string, any, error) {
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return "", nil, errCode("MalformedQueryString", http.StatusBadRequest, "cannot parse request body: %v", err)
	}
	for k, v := range r.URL.Query() {
		values[k] = v
	}
	p := params{}
	for k, v := range values {
		if len(v) > 0 {
			p[k] = v[0]
		}
	}
	op := p["Action"]
	if op == "" {
		return "", nil, errCode("MissingAction", http.StatusBadRequest, "the request has no Action parameter")
	}
	delete(p, "Action")
	delete(p, "Version")
	return op, p, nil
}

func (q queryProtocol) writeResult(w http.ResponseWriter, op string, out any) {
	var b strings.Builder
	b.WriteString(xml.Header)
	result, _ := out.(*X)
	reqID := requestID()
	if q.ec2 {
		fmt.Fprintf(&b, "<%sResponse xmlns=%q><requestId>%s</requestId>", op, q.xmlns, reqID)
		if result != nil {
			for _, k := range result.Kids {
				k.write(&b)
			}
		}
		fmt.Fprintf(&b, "</%sResponse>", op)
	} else {
		fmt.Fprintf(&b, "<%sResponse xmlns=%q>", op, q.xmlns)
		if result != nil {
			result.Name = op + "Result"
			result.write(&b)
		}
		fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", reqID, op)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(b.String()))
}

func (q queryProtocol) writeError(w http.ResponseWriter, _ string, err error) {
	ae := asAPIError(err)
	var b strings.Builder
	b.WriteString(xml.Header)
	reqID := requestID()
	if q.ec2 {
		b.WriteString("<Response><Errors><Error>")
		T("Code", ae.Code).write(&b)
		T("Message", ae.Message).write(&b)
		fmt.Fprintf(&b, "</Error></Errors><RequestID>%s</RequestID></Response>", reqID)
	} else {
		fault := "Sender"
		if ae.Receiver {
			fault = "Receiver"
		}
		b.WriteString("<ErrorResponse><Error>")
		T("Type", fault).write(&b)
		T("Code", ae.Code).write(&b)
		T("Message", ae.Message).write(&b)
		fmt.Fprintf(&b, "</Error><RequestId>%s</RequestId></ErrorResponse>", reqID)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(statusOr(ae.Status))
	_, _ = w.Write([]byte(b.String()))
}

func statusOr(s int) int {
	if s == 0 {
		return http.StatusBadRequest
	}
	return s
}

var reqCounter atomic.Uint64

func requestID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", reqCounter.Add(1))
}
