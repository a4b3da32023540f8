package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sre-provider/terraform-provider-sre/internal/planmodel"
	"github.com/sre-provider/terraform-provider-sre/policies"
)

// loadData returns the policy data document: the bundle's default
// parameters with the user's --data file laid over them.
func loadData(path string) (map[string]any, error) {
	raw, err := policies.FS.ReadFile("data.json")
	if err != nil {
		return nil, fmt.Errorf("read default policy data: %w", err)
	}
	var data map[string]any
	if err := json.Unmarshal(raw, &data); err != nil {
		return nil, fmt.Errorf("parse default policy data: %w", err)
	}
	params := data["sre"].(map[string]any)["params"].(map[string]any)
	if path == "" {
		return data, nil
	}
	user, err := readDoc(path)
	if err != nil {
		return nil, inputErrorf("--data %s: %v", path, err)
	}
	um, ok := user.(map[string]any)
	if !ok {
		return nil, inputErrorf("--data %s: must be an object of parameters (admin_cidrs, bastion, public_ports, ...)", path)
	}
	for k, v := range um {
		def, known := params[k]
		if !known {
			return nil, inputErrorf("--data %s: unknown parameter %q; known parameters: %s", path, k, strings.Join(sortedKeys(params), ", "))
		}
		if dm, ok := def.(map[string]any); ok {
			vm, ok := v.(map[string]any)
			if !ok {
				return nil, inputErrorf("--data %s: %s must be an object", path, k)
			}
			merged := map[string]any{}
			for dk, dv := range dm {
				merged[dk] = dv
			}
			for vk, vv := range vm {
				if _, ok := dm[vk]; !ok {
					return nil, inputErrorf("--data %s: unknown parameter %s.%s; known: %s", path, k, vk, strings.Join(sortedKeys(dm), ", "))
				}
				merged[vk] = vv
			}
			v = merged
		}
		params[k] = v
	}
	if err := validateParams(params); err != nil {
		return nil, inputErrorf("--data %s: %v", path, err)
	}
	return data, nil
}

// readDoc reads a YAML or JSON file (JSON is YAML) into plain Go values
// with JSON-compatible types.
func readDoc(path string) (any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read file: %w", err)
	}
	var v any
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid YAML or JSON: %w", err)
	}
	return normalizeYAML(v), nil
}

// normalizeYAML turns YAML's ints and map[string]any into what JSON
// decoding would give, so OPA and the validators see one shape.
func normalizeYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeYAML(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalizeYAML(e)
		}
		return x
	case int:
		return json.Number(fmt.Sprint(x))
	case float64:
		return json.Number(fmt.Sprint(x))
	}
	return v
}

func validateParams(p map[string]any) error {
	cidrs, ok := p["admin_cidrs"].([]any)
	if !ok {
		return fmt.Errorf("admin_cidrs must be a list of CIDRs")
	}
	for _, c := range cidrs {
		s, _ := c.(string)
		if _, err := netip.ParsePrefix(s); err != nil {
			return fmt.Errorf("admin_cidrs: %q is not a CIDR such as 203.0.113.0/24", c)
		}
	}
	if u := p["unknown"]; u != "fail" && u != "warn" {
		return fmt.Errorf("unknown must be \"fail\" or \"warn\", not %v", u)
	}
	ports, ok := p["public_ports"].([]any)
	if !ok {
		return fmt.Errorf("public_ports must be a list of port numbers")
	}
	for _, x := range ports {
		if _, ok := asInt(x); !ok {
			return fmt.Errorf("public_ports: %v is not a port number", x)
		}
	}
	for _, k := range []string{"ssh_port", "max_bastion_instance_lifetime"} {
		if _, ok := asInt(p[k]); !ok {
			return fmt.Errorf("%s must be a number", k)
		}
	}
	if s := p["rel_severity"]; s != "warning" && s != "error" {
		return fmt.Errorf("rel_severity must be \"warning\" or \"error\", not %v", s)
	}
	if _, ok := p["allow_http_redirect"].(bool); !ok {
		return fmt.Errorf("allow_http_redirect must be true or false")
	}
	b, _ := p["bastion"].(map[string]any)
	if pat, ok := b["name_pattern"].(string); !ok {
		return fmt.Errorf("bastion.name_pattern must be a regular expression string")
	} else if _, err := regexp.Compile(pat); err != nil {
		return fmt.Errorf("bastion.name_pattern: %v", err)
	}
	tags, ok := b["tags"].(map[string]any)
	if !ok {
		return fmt.Errorf("bastion.tags must be an object of tag key to value")
	}
	for k, v := range tags {
		if _, ok := v.(string); !ok {
			return fmt.Errorf("bastion.tags.%s must be a string", k)
		}
	}
	return nil
}

func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		return int(x), x == float64(int(x))
	case json.Number:
		n, err := x.Int64()
		return int(n), err == nil
	}
	return 0, false
}

// modelOptions derives the model's role settings from the parameters.
func modelOptions(data map[string]any) planmodel.Options {
	params := data["sre"].(map[string]any)["params"].(map[string]any)
	b, _ := params["bastion"].(map[string]any)
	opts := planmodel.Options{BastionTags: map[string]string{}}
	opts.BastionNamePattern, _ = b["name_pattern"].(string)
	tags, _ := b["tags"].(map[string]any)
	for k, v := range tags {
		opts.BastionTags[k], _ = v.(string)
	}
	return opts
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
