// Package tfsource reads a Terraform configuration far enough to say where
// a resource is declared: it parses every .tf (and .tf.json) file of the
// root module and of the modules it calls, and maps a resource address
// from a plan (module.svc["a"].aws_instance.web[0]) to the file and lines
// of its resource, data or module block.
//
// Module directories come from .terraform/modules/modules.json when
// `terraform init` has written it (so registry and git modules resolve to
// their downloaded copies), and otherwise from local sources ("./x",
// "../x") in the module blocks. Nothing is evaluated: count, for_each and
// expressions play no part in where a block is written.
package tfsource

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Location is where a block is written. File is the path as read: the
// configuration directory joined with the module's directory and the file
// name.
type Location struct {
	File      string
	StartLine int
	EndLine   int
}

// Config is a parsed configuration: the root module and every module it
// calls, directly or through other modules, that could be found.
type Config struct {
	// Dir is the root module's directory as given to Load.
	Dir string
	// Warnings are the problems met on the way (a file that does not
	// parse, a module whose directory is not known); blocks in the rest
	// of the configuration are still located.
	Warnings []string

	modules map[string]*module // by module key: "" root, "a", "a.b"
}

type module struct {
	dir    string
	blocks map[string]Location // "resource.TYPE.NAME", "data.TYPE.NAME", "module.NAME"
	calls  map[string]string   // module call name → source
}

// maxDepth bounds module nesting, so a module that calls itself ends.
const maxDepth = 32

// HasFiles reports whether dir holds Terraform configuration files.
func HasFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && isConfigFile(e.Name()) {
			return true
		}
	}
	return false
}

func isConfigFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// Load reads the configuration rooted at dir. It fails only when dir is
// not a readable directory; everything else is a warning.
func Load(dir string) (*Config, error) {
	st, err := os.Stat(dir)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, err
	}
	if !st.IsDir() {
		return nil, errors.New("not a directory")
	}
	c := &Config{Dir: dir, modules: map[string]*module{}}
	manifest, err := readManifest(dir)
	if err != nil {
		c.Warnings = append(c.Warnings, err.Error())
	}
	parsed := map[string]*module{} // by directory: a module called twice is read once
	p := hclparse.NewParser()
	var walk func(key, mdir string, depth int)
	walk = func(key, mdir string, depth int) {
		m, ok := parsed[mdir]
		if !ok {
			m = c.parseModule(p, mdir)
			parsed[mdir] = m
		}
		c.modules[key] = m
		if depth >= maxDepth {
			return
		}
		names := make([]string, 0, len(m.calls))
		for name := range m.calls {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			child := name
			if key != "" {
				child = key + "." + name
			}
			if d, ok := manifest[child]; ok {
				walk(child, d, depth+1)
				continue
			}
			src := m.calls[name]
			if isLocal(src) {
				walk(child, filepath.Join(mdir, filepath.FromSlash(src)), depth+1)
				continue
			}
			c.Warnings = append(c.Warnings, fmt.Sprintf("module.%s: source %q is not a local path and .terraform/modules/modules.json does not list it (run terraform init); its resources get no file and line", strings.ReplaceAll(child, ".", ".module."), src))
		}
	}
	walk("", dir, 0)
	return c, nil
}

// isLocal reports whether a module source is a local path, which
// Terraform recognises by its "./" or "../" prefix.
func isLocal(src string) bool {
	return strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") ||
		strings.HasPrefix(src, `.\`) || strings.HasPrefix(src, `..\`)
}

// readManifest reads the module manifest `terraform init` writes: module
// key ("a.b" for module "b" called by module "a") to directory, relative
// to the root module. A missing manifest is no error.
func readManifest(root string) (map[string]string, error) {
	path := filepath.Join(root, ".terraform", "modules", "modules.json")
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var doc struct {
		Modules []struct {
			Key string `json:"Key"`
			Dir string `json:"Dir"`
		} `json:"Modules"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v; module directories come from local sources only", path, err)
	}
	out := map[string]string{}
	for _, m := range doc.Modules {
		if m.Key == "" || m.Dir == "" {
			continue
		}
		d := filepath.FromSlash(m.Dir)
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		out[m.Key] = d
	}
	return out, nil
}

var topSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
}}

var moduleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "source"}}}

func (c *Config) parseModule(p *hclparse.Parser, dir string) *module {
	m := &module{dir: dir, blocks: map[string]Location{}, calls: map[string]string{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		c.Warnings = append(c.Warnings, fmt.Sprintf("module directory %s: %v", dir, unwrap(err)))
		return m
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !isConfigFile(name) {
			continue
		}
		path := filepath.Join(dir, name)
		var f *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(name, ".json") {
			f, diags = p.ParseJSONFile(path)
		} else {
			f, diags = p.ParseHCLFile(path)
		}
		if diags.HasErrors() {
			c.Warnings = append(c.Warnings, diags.Errs()[0].Error())
		}
		if f == nil {
			continue
		}
		if body, ok := f.Body.(*hclsyntax.Body); ok {
			m.addNative(path, body)
		} else {
			m.addGeneric(path, f.Body)
		}
	}
	return m
}

// addNative records the blocks of a native-syntax file, from the block
// type keyword to the closing brace.
func (m *module) addNative(path string, body *hclsyntax.Body) {
	for _, b := range body.Blocks {
		key, ok := blockKey(b.Type, b.Labels)
		if !ok {
			continue
		}
		m.add(key, Location{File: path, StartLine: b.TypeRange.Start.Line, EndLine: b.CloseBraceRange.End.Line})
		if b.Type == "module" {
			if a, ok := b.Body.Attributes["source"]; ok {
				m.calls[b.Labels[0]] = staticString(a.Expr)
			}
		}
	}
}

// addGeneric records the blocks of a JSON-syntax file; its blocks are
// located by the line of their name.
func (m *module) addGeneric(path string, body hcl.Body) {
	content, _, _ := body.PartialContent(topSchema)
	if content == nil {
		return
	}
	for _, b := range content.Blocks {
		key, ok := blockKey(b.Type, b.Labels)
		if !ok {
			continue
		}
		line := b.DefRange.Start.Line
		m.add(key, Location{File: path, StartLine: line, EndLine: line})
		if b.Type == "module" {
			attrs, _, _ := b.Body.PartialContent(moduleSchema)
			if attrs != nil {
				if a, ok := attrs.Attributes["source"]; ok {
					m.calls[b.Labels[0]] = staticString(a.Expr)
				}
			}
		}
	}
}

// add keeps the first declaration; Terraform rejects duplicates anyway.
func (m *module) add(key string, loc Location) {
	if _, dup := m.blocks[key]; !dup {
		m.blocks[key] = loc
	}
}

func blockKey(typ string, labels []string) (string, bool) {
	switch {
	case (typ == "resource" || typ == "data") && len(labels) == 2:
		return typ + "." + labels[0] + "." + labels[1], true
	case typ == "module" && len(labels) == 1:
		return "module." + labels[0], true
	}
	return "", false
}

// staticString is the value of a literal string expression, "" otherwise
// (Terraform requires module sources to be literal).
func staticString(e hcl.Expression) string {
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type().FriendlyName() != "string" {
		return ""
	}
	return v.AsString()
}

func unwrap(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Locate returns where the block of a plan address is written: a resource
// or data source (instance keys ignored), or a module call when the
// address names a module instance only.
func (c *Config) Locate(address string) (Location, bool) {
	a, ok := ParseAddress(address)
	if !ok {
		return Location{}, false
	}
	var key string
	if a.Resource == "" {
		if len(a.Modules) == 0 {
			return Location{}, false
		}
		key = "module." + a.Modules[len(a.Modules)-1]
		a.Modules = a.Modules[:len(a.Modules)-1]
	} else {
		key = a.Resource
	}
	m, ok := c.modules[strings.Join(a.Modules, ".")]
	if !ok {
		return Location{}, false
	}
	loc, ok := m.blocks[key]
	return loc, ok
}

// Files lists every configuration file that holds a located block.
func (c *Config) Files() []string {
	seen := map[string]bool{}
	for _, m := range c.modules {
		for _, l := range m.blocks {
			seen[l.File] = true
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// ModuleDirs maps each module key found ("" for the root, "a.b" for
// module b called by a) to its directory.
func (c *Config) ModuleDirs() map[string]string {
	out := make(map[string]string, len(c.modules))
	for k, m := range c.modules {
		out[k] = m.dir
	}
	return out
}
