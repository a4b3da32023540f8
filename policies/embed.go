// Package policies embeds the Rego bundle the checker runs: rule packages
// under sre.rules, shared helpers in sre.lib, the sre.checker entry point and
// default parameters in data.json. The same directory is a plain OPA bundle
// for `opa eval` and `conftest` run on `check --dump-model` output.
package policies

import "embed"

// FS holds the Rego files (tests included) and data.json.
//
//go:embed data.json checker.rego lib rules
var FS embed.FS
