// Package cliargs parses subcommand flags that may come before or after the
// positional arguments (`rollout status GROUP -watch` as well as
// `rollout status -watch GROUP`), which the standard flag package stops at.
package cliargs

import "flag"

// Parse parses args with fs and returns the positional arguments in order.
// A lone "--" ends flag parsing; everything after it is positional.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag.Parse consumed a "--" when it is what stopped it.
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
