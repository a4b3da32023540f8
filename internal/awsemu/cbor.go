package awsemu

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Doc is a decoded Smithy RPC v2 CBOR document: strings, int64, float64,
// bool, time.Time, []byte, []any and map[string]any.
type Doc = map[string]any

// cborProtocol is Smithy RPC v2 CBOR, which the CloudWatch client sends:
// POST /service/<Service>/operation/<Operation>, CBOR bodies both ways,
// errors as {"__type", "message"} with the legacy code in X-Amzn-Query-Error.
type cborProtocol struct{}

func cborOp(h func(*Server, Doc) (Doc, error)) func(*Server, any) (any, error) {
	return func(s *Server, in any) (any, error) {
		out, err := h(s, in.(Doc))
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

func (cborProtocol) decode(r *http.Request, body []byte) (string, any, error) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "service" || parts[2] != "operation" {
		return "", nil, errCode("UnknownOperationException", http.StatusNotFound, "path %q is not /service/<name>/operation/<op>", r.URL.Path)
	}
	op := parts[3]
	if len(body) == 0 {
		return op, Doc{}, nil
	}
	body, err := maybeGunzip(r, body) // the SDK gzips large PutMetricData bodies
	if err != nil {
		return op, nil, errCode("SerializationException", http.StatusBadRequest, "cannot decode body: %v", err)
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return op, nil, errCode("SerializationException", http.StatusBadRequest, "cannot decode CBOR body: %v", err)
	}
	doc, ok := fromCBOR(v).(Doc)
	if !ok {
		return op, nil, errCode("SerializationException", http.StatusBadRequest, "request body is not a CBOR map")
	}
	return op, doc, nil
}

func (cborProtocol) writeResult(w http.ResponseWriter, _ string, out any) {
	doc, _ := out.(Doc)
	if doc == nil {
		doc = Doc{}
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("X-Amzn-Requestid", requestID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(cbor.Encode(toCBOR(doc)))
}

func (cborProtocol) writeError(w http.ResponseWriter, _ string, err error) {
	ae := asAPIError(err)
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("X-Amzn-Requestid", requestID())
	if ae.QueryCode != "" {
		fault := "Sender"
		if ae.Receiver {
			fault = "Receiver"
		}
		w.Header().Set("X-Amzn-Query-Error", ae.QueryCode+";"+fault)
	}
	w.WriteHeader(statusOr(ae.Status))
	body := cbor.Map{
		"__type":  cbor.String("com.amazonaws.cloudwatch#" + ae.Code),
		"message": cbor.String(ae.Message),
	}
	_, _ = w.Write(cbor.Encode(body))
}

func fromCBOR(v cbor.Value) any {
	switch t := v.(type) {
	case cbor.Uint:
		if uint64(t) > math.MaxInt64 {
			return float64(t)
		}
		return int64(t)
	case cbor.NegInt:
		return -int64(t) - 1
	case cbor.Float32:
		return float64(t)
	case cbor.Float64:
		return float64(t)
	case cbor.String:
		return string(t)
	case cbor.Slice:
		return []byte(t)
	case cbor.Bool:
		return bool(t)
	case cbor.List:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fromCBOR(e)
		}
		return out
	case cbor.Map:
		out := Doc{}
		for k, e := range t {
			out[k] = fromCBOR(e)
		}
		return out
	case *cbor.Tag:
		if t.ID == 1 {
			if ts, err := cbor.AsTime(t); err == nil {
				return ts
			}
		}
		return fromCBOR(t.Value)
	}
	return nil
}

func toCBOR(v any) cbor.Value {
	switch t := v.(type) {
	case nil:
		return &cbor.Nil{}
	case string:
		return cbor.String(t)
	case bool:
		return cbor.Bool(t)
	case int:
		return intCBOR(int64(t))
	case int32:
		return intCBOR(int64(t))
	case int64:
		return intCBOR(t)
	case float64:
		return cbor.Float64(t)
	case []byte:
		return cbor.Slice(t)
	case time.Time:
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
	case []any:
		out := make(cbor.List, len(t))
		for i, e := range t {
			out[i] = toCBOR(e)
		}
		return out
	case []string:
		out := make(cbor.List, len(t))
		for i, e := range t {
			out[i] = cbor.String(e)
		}
		return out
	case []float64:
		out := make(cbor.List, len(t))
		for i, e := range t {
			out[i] = cbor.Float64(e)
		}
		return out
	case []time.Time:
		out := make(cbor.List, len(t))
		for i, e := range t {
			out[i] = toCBOR(e)
		}
		return out
	case []Doc:
		out := make(cbor.List, len(t))
		for i, e := range t {
			out[i] = toCBOR(e)
		}
		return out
	case Doc:
		out := cbor.Map{}
		for k, e := range t {
			if e == nil {
				continue
			}
			out[k] = toCBOR(e)
		}
		return out
	}
	panic(fmt.Sprintf("awsemu: cannot encode %T as CBOR", v))
}

func intCBOR(n int64) cbor.Value {
	if n < 0 {
		return cbor.NegInt(uint64(-(n + 1)))
	}
	return cbor.Uint(uint64(n))
}

// Typed accessors for decoded documents. They return zero values when the
// member is absent or of another type; handlers validate what they require.

func dstr(d Doc, k string) string { s, _ := d[k].(string); return s }

func dint(d Doc, k string) (int64, bool) {
	switch n := d[k].(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), true
	}
	return 0, false
}

func dfloat(d Doc, k string) (float64, bool) {
	switch n := d[k].(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func dbool(d Doc, k string) (bool, bool) { b, ok := d[k].(bool); return b, ok }

func dtime(d Doc, k string) (time.Time, bool) { t, ok := d[k].(time.Time); return t, ok }

func ddoc(d Doc, k string) Doc { m, _ := d[k].(Doc); return m }

func dlist(d Doc, k string) []any { l, _ := d[k].([]any); return l }

func ddocs(d Doc, k string) []Doc {
	var out []Doc
	for _, e := range dlist(d, k) {
		if m, ok := e.(Doc); ok {
			out = append(out, m)
		}
	}
	return out
}

func dstrs(d Doc, k string) []string {
	var out []string
	for _, e := range dlist(d, k) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
