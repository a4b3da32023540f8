package planmodel

import "io"

// Read parses a plan from r and builds its model. Errors about the plan
// itself are *InputError.
func Read(r io.Reader, opts Options) (*Model, *Plan, error) {
	data, err := ReadAll(r, MaxPlanSize)
	if err != nil {
		return nil, nil, err
	}
	p, err := Parse(data)
	if err != nil {
		return nil, nil, err
	}
	m, err := Build(p, opts)
	if err != nil {
		return nil, nil, err
	}
	return m, p, nil
}
