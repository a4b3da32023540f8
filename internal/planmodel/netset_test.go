package planmodel

import (
	"slices"
	"testing"
)

func set(t *testing.T, cidrs ...string) addrSet {
	t.Helper()
	s, bad := parseCIDRs(cidrs)
	if bad {
		t.Fatalf("bad CIDR in %q", cidrs)
	}
	return s
}

func TestAddrSet(t *testing.T) {
	tests := []struct {
		name   string
		cidrs  []string
		world  bool
		public bool
		v4, v6 []string
	}{
		{"two /1 halves are the whole IPv4 internet", []string{"0.0.0.0/1", "128.0.0.0/1"}, true, true, []string{"0.0.0.0/0"}, nil},
		{"four /2 quarters in any order are the whole internet", []string{"192.0.0.0/2", "0.0.0.0/2", "128.0.0.0/2", "64.0.0.0/2"}, true, true, []string{"0.0.0.0/0"}, nil},
		{"one half is public but not the world", []string{"0.0.0.0/1"}, false, true, []string{"0.0.0.0/1"}, nil},
		{"RFC 1918 ranges are not public", []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.1.0/24"}, false, false, []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.1.0/24"}, nil},
		{"adjacent blocks merge into the fewest CIDRs", []string{"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"}, false, false, []string{"10.0.0.0/23", "10.0.2.0/24"}, nil},
		{"host bits are ignored as AWS does", []string{"10.0.0.1/8"}, false, false, []string{"10.0.0.0/8"}, nil},
		{"::/0 is the whole IPv6 internet", []string{"::/0"}, true, true, nil, []string{"::/0"}},
		{"IPv6 halves merge", []string{"::/1", "8000::/1"}, true, true, nil, []string{"::/0"}},
		{"unique local IPv6 is not public", []string{"fd00::/8"}, false, false, nil, []string{"fd00::/8"}},
		{"a private range next to a public one is public", []string{"10.0.0.0/8", "11.0.0.0/8"}, false, true, []string{"10.0.0.0/7"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := set(t, tt.cidrs...)
			if got := s.covers(allIPv4) || s.covers(allIPv6); got != tt.world {
				t.Errorf("world = %v", got)
			}
			if got := !s.within(internalSpace); got != tt.public {
				t.Errorf("public = %v", got)
			}
			v4, v6 := s.prefixes()
			if !slices.Equal(v4, tt.v4) || !slices.Equal(v6, tt.v6) {
				t.Errorf("prefixes = %q %q, want %q %q", v4, v6, tt.v4, tt.v6)
			}
		})
	}
}

func TestParseTraversal(t *testing.T) {
	steps, err := parseTraversal(`module.net["a.b"].aws_security_group.web[0].id`)
	if err != nil {
		t.Fatal(err)
	}
	if got := joinTraversal(steps); got != `module.net["a.b"].aws_security_group.web[0].id` {
		t.Errorf("round trip: %s", got)
	}
	if len(steps) != 7 || steps[2].key != "a.b" || steps[5].key != 0.0 {
		t.Errorf("steps: %+v", steps)
	}
	for _, bad := range []string{`a["x`, `a[0`, `a["x"`} {
		if _, err := parseTraversal(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSweepMergesRulesPerPort(t *testing.T) {
	rule := func(from, to int, cidr string) parsedRule {
		r := &Rule{DeclaredIn: cidr, Protocol: "tcp", FromPort: from, ToPort: to}
		s, _ := parseCIDRs([]string{cidr})
		return parsedRule{rule: r, set: s}
	}
	got := exposures([]parsedRule{rule(0, 1000, "0.0.0.0/1"), rule(20, 30, "128.0.0.0/1"), rule(25, 25, "10.0.0.0/8")}, nil)
	var world []string
	for _, e := range got {
		if e.World {
			world = append(world, portRange(e))
		}
	}
	if !slices.Equal(world, []string{"20-30"}) {
		t.Errorf("world-reachable ranges %q, want only 20-30 (25 has an extra private source but is still the world)", world)
	}
}

func portRange(e Exposure) string {
	return itoa(e.FromPort) + "-" + itoa(e.ToPort)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
