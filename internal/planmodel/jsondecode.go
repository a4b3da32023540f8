package planmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// decodeValue decodes one already-validated JSON value into the same Go
// values encoding/json produces for an `any` (map[string]any, []any,
// float64, string, bool, nil), several times faster: plans are mostly
// nulls, short strings and small objects, and reflection dominates the cost
// of decoding those with encoding/json.
func decodeValue(b []byte) (any, error) { return decodeDepth(b, 0) }

// maxDepth bounds nesting in decoded attribute values. Real ones nest a
// handful of levels; each level rescans its element, so hostile input
// nested thousands deep would otherwise cost time quadratic in its depth.
const maxDepth = 64

func decodeDepth(b []byte, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("value nested more than 64 levels deep")
	}
	i := skipSpace(b, 0)
	if i >= len(b) {
		return nil, errScan
	}
	switch c := b[i]; {
	case c == 'n':
		return nil, nil
	case c == 't':
		return true, nil
	case c == 'f':
		return false, nil
	case c == '"':
		return decodeString(bytes.TrimSpace(b[i:]))
	case c == '[':
		out := []any{}
		err := eachElement(b[i:], func(el []byte) error {
			v, err := decodeDepth(el, depth+1)
			out = append(out, v)
			return err
		})
		return out, err
	case c == '{':
		out := map[string]any{}
		err := eachMember(b[i:], func(key string, val []byte) error {
			k, err := unescapeKey(key)
			if err != nil {
				return err
			}
			v, err := decodeDepth(val, depth+1)
			out[k] = v
			return err
		})
		return out, err
	default:
		return strconv.ParseFloat(string(bytes.TrimSpace(b[i:])), 64)
	}
}

// decodeString decodes a quoted JSON string; the common case has no
// escapes and needs no more than a copy.
func decodeString(q []byte) (string, error) {
	if len(q) < 2 {
		return "", errScan
	}
	inner := q[1 : len(q)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(q, &s)
	return s, err
}

func unescapeKey(k string) (string, error) {
	if !bytes.Contains([]byte(k), []byte{'\\'}) {
		return k, nil
	}
	return decodeString([]byte(`"` + k + `"`))
}
