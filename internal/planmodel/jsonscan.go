package planmodel

import (
	"bytes"
	"errors"
)

// The plan reader walks already-validated JSON with these helpers instead of
// decoding whole documents: most of a plan (planned_values, prior_state,
// sensitivity masks) is never needed, and skipping it by scanning bytes keeps
// memory close to the size of the file.

var errScan = errors.New("malformed JSON")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return 0, errScan
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				j, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = j - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errScan
	default:
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' {
			i++
		}
		return i, nil
	}
}

// skipString finds the closing quote with IndexByte (vectorized), then
// checks it is not escaped by an odd run of backslashes.
func skipString(b []byte, i int) (int, error) {
	for i++; i < len(b); {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return 0, errScan
		}
		q := i + j
		n := 0
		for k := q - 1; k >= i && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, nil
		}
		i = q + 1
	}
	return 0, errScan
}

// eachMember calls fn with the raw key (without quotes, still escaped) and
// the raw value of every member of the object b.
func eachMember(b []byte, fn func(key string, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errScan
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for i < len(b) {
		ks := skipSpace(b, i)
		ke, err := skipString(b, ks)
		if err != nil {
			return err
		}
		vs := skipSpace(b, ke)
		if vs >= len(b) || b[vs] != ':' {
			return errScan
		}
		vs = skipSpace(b, vs+1)
		ve, err := skipValue(b, vs)
		if err != nil {
			return err
		}
		if err := fn(string(b[ks+1:ke-1]), b[vs:ve]); err != nil {
			return err
		}
		i = skipSpace(b, ve)
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		if i < len(b) && b[i] == '}' {
			return nil
		}
		return errScan
	}
	return errScan
}

// eachElement calls fn with every element of the array b; null counts as an
// empty array.
func eachElement(b []byte, fn func(val []byte) error) error {
	i := skipSpace(b, 0)
	if i+4 <= len(b) && string(b[i:i+4]) == "null" {
		return nil
	}
	if i >= len(b) || b[i] != '[' {
		return errScan
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	for i < len(b) {
		vs := skipSpace(b, i)
		ve, err := skipValue(b, vs)
		if err != nil {
			return err
		}
		if err := fn(b[vs:ve]); err != nil {
			return err
		}
		i = skipSpace(b, ve)
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		if i < len(b) && b[i] == ']' {
			return nil
		}
		return errScan
	}
	return errScan
}
