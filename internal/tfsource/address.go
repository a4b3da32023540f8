package tfsource

import (
	"os"
	"path/filepath"
	"strings"
)

// Address is a plan address with its instance keys dropped: the module
// calls it goes through and the resource block it names.
type Address struct {
	// Modules are the module call names, outermost first.
	Modules []string
	// Resource is "resource.TYPE.NAME" or "data.TYPE.NAME"; empty when
	// the address names a module instance.
	Resource string
}

// ParseAddress reads a Terraform resource address such as
// module.svc["a"].module.db[0].aws_db_instance.this or
// data.aws_ami.base. Instance keys may be numbers or quoted strings with
// any characters. Anything after TYPE.NAME (an attribute path) is ignored.
func ParseAddress(s string) (Address, bool) {
	steps, ok := splitSteps(s)
	if !ok || len(steps) == 0 {
		return Address{}, false
	}
	var a Address
	i := 0
	for i+1 < len(steps) && steps[i] == "module" {
		a.Modules = append(a.Modules, steps[i+1])
		i += 2
	}
	rest := steps[i:]
	switch {
	case len(rest) == 0:
		return a, len(a.Modules) > 0
	case rest[0] == "data" && len(rest) >= 3:
		a.Resource = "data." + rest[1] + "." + rest[2]
	case rest[0] != "data" && rest[0] != "module" && len(rest) >= 2:
		a.Resource = "resource." + rest[0] + "." + rest[1]
	default:
		return Address{}, false
	}
	return a, true
}

// splitSteps splits an address at the dots outside instance keys and
// drops the keys: `module.a["x.y"].t.n[0]` is module, a, t, n.
func splitSteps(s string) ([]string, bool) {
	var steps []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '.':
			if cur.Len() == 0 {
				if len(steps) == 0 || s[i-1] != ']' {
					return nil, false
				}
				continue
			}
			steps = append(steps, cur.String())
			cur.Reset()
		case '[':
			end, ok := skipKey(s, i)
			if !ok || cur.Len() == 0 {
				return nil, false
			}
			steps = append(steps, cur.String())
			cur.Reset()
			i = end
			if i+1 < len(s) && s[i+1] != '.' && s[i+1] != '[' {
				return nil, false
			}
		default:
			if !isNameByte(ch) {
				return nil, false
			}
			cur.WriteByte(ch)
		}
	}
	if cur.Len() > 0 {
		steps = append(steps, cur.String())
	} else if len(s) == 0 || s[len(s)-1] == '.' {
		return nil, false
	}
	return steps, true
}

// skipKey returns the index of the ']' closing the key that opens at i.
func skipKey(s string, i int) (int, bool) {
	j := i + 1
	if j < len(s) && s[j] == '"' {
		for j++; j < len(s); j++ {
			if s[j] == '\\' {
				j++
				continue
			}
			if s[j] == '"' {
				break
			}
		}
		j++
	} else {
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '*') {
			j++
		}
	}
	if j >= len(s) || s[j] != ']' || j == i+1 {
		return 0, false
	}
	return j, true
}

func isNameByte(ch byte) bool {
	return ch == '_' || ch == '-' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
}

// Base is the directory paths in reports are relative to: the root of
// the git work tree that holds dir, when there is one (code-scanning
// dashboards and annotations resolve paths against the repository root),
// else the deepest directory that holds dir and every given file.
func Base(dir string, files []string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	base := abs
	for _, f := range files {
		fa, err := filepath.Abs(f)
		if err != nil {
			continue
		}
		for !within(base, fa) {
			parent := filepath.Dir(base)
			if parent == base {
				break
			}
			base = parent
		}
	}
	return base
}

func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Rel is path relative to base in slash form, as SARIF and GitHub
// annotations want it; path unchanged when it cannot be made relative.
func Rel(base, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}
