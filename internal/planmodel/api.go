package planmodel

import "io"

// Read parses a plan from r, streaming it, and builds its model. Errors
// about the plan itself are *InputError.
func Read(r io.Reader, opts Options) (*Model, *Plan, error) {
	p, err := ParseReader(r, MaxPlanSize)
	if err != nil {
		return nil, nil, err
	}
	m, err := Build(p, opts)
	if err != nil {
		return nil, nil, err
	}
	return m, p, nil
}
