package planmodel

import (
	"net/netip"
	"slices"
)

// addrRange is an inclusive range of addresses of one family.
type addrRange struct{ lo, hi netip.Addr }

// addrSet is a union of address ranges, kept sorted and merged so that
// equality, containment and "covers the whole internet" are cheap and do not
// depend on how the rules happened to split their CIDRs.
type addrSet []addrRange

var (
	allIPv4 = mustPrefix("0.0.0.0/0")
	allIPv6 = mustPrefix("::/0")

	// internalSpace is address space that is not reachable from the
	// internet: RFC 1918, shared CGNAT space, loopback, link-local and IPv6
	// unique-local/link-local/loopback. A source outside it is public.
	internalSpace = newAddrSet(
		mustPrefix("10.0.0.0/8"), mustPrefix("172.16.0.0/12"), mustPrefix("192.168.0.0/16"),
		mustPrefix("100.64.0.0/10"), mustPrefix("127.0.0.0/8"), mustPrefix("169.254.0.0/16"),
		mustPrefix("fc00::/7"), mustPrefix("fe80::/10"), mustPrefix("::1/128"),
	)
)

func mustPrefix(s string) netip.Prefix {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		panic(err)
	}
	return p
}

// parseCIDR accepts a CIDR as AWS does, including host bits set
// ("10.0.0.1/8" means 10.0.0.0/8).
func parseCIDR(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr()
	if a.Is4() {
		b := a.As4()
		setHostBits(b[:], p.Bits())
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	setHostBits(b[:], p.Bits())
	return netip.AddrFrom16(b)
}

// setHostBits sets every bit of b after the first bits.
func setHostBits(b []byte, bits int) {
	for i := range b {
		keep := bits - i*8
		switch {
		case keep >= 8:
		case keep <= 0:
			b[i] = 0xff
		default:
			b[i] |= byte(0xff >> keep)
		}
	}
}

func newAddrSet(ps ...netip.Prefix) addrSet {
	var s addrSet
	for _, p := range ps {
		s = append(s, addrRange{p.Addr(), lastAddr(p)})
	}
	return s.normalize()
}

// normalize sorts the ranges and merges overlapping or adjacent ones.
func (s addrSet) normalize() addrSet {
	if len(s) < 2 {
		return s
	}
	slices.SortFunc(s, func(a, b addrRange) int { return a.lo.Compare(b.lo) })
	out := s[:1]
	for _, r := range s[1:] {
		last := &out[len(out)-1]
		if last.hi.Is4() == r.lo.Is4() && (r.lo.Compare(last.hi) <= 0 || last.hi.Next() == r.lo) {
			if r.hi.Compare(last.hi) > 0 {
				last.hi = r.hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func (s addrSet) union(o addrSet) addrSet {
	if len(o) == 0 {
		return s
	}
	out := make(addrSet, 0, len(s)+len(o))
	out = append(out, s...)
	out = append(out, o...)
	return out.normalize()
}

func (s addrSet) equal(o addrSet) bool { return slices.Equal(s, o) }

// within reports whether every address of s is in o. Both sets are
// normalized, so each range of s must lie inside the first range of o that
// ends at or after its start; a binary search finds it without allocating.
func (s addrSet) within(o addrSet) bool {
	for _, r := range s {
		j, _ := slices.BinarySearchFunc(o, r.lo, func(x addrRange, a netip.Addr) int { return x.hi.Compare(a) })
		if j == len(o) || !o[j].contains(r.lo, r.hi) {
			return false
		}
	}
	return true
}

// contains reports whether lo..hi (one family) lies inside r.
func (r addrRange) contains(lo, hi netip.Addr) bool {
	return r.lo.Compare(lo) <= 0 && hi.Compare(r.hi) <= 0
}

func (s addrSet) covers(p netip.Prefix) bool {
	lo, hi := p.Addr(), lastAddr(p)
	for _, r := range s {
		if r.contains(lo, hi) {
			return true
		}
	}
	return false
}

// cidrText renders address sets as CIDR lists, sharing the lists of
// single-range sets: most rules and exposures name one of a few blocks, and
// rendering them again for each was a large share of Build's allocations.
// The lists are shared, so they must not be modified.
type cidrText map[addrRange][2][]string

func (c cidrText) prefixes(s addrSet) (v4, v6 []string) {
	if len(s) != 1 || c == nil {
		return s.prefixes()
	}
	if l, ok := c[s[0]]; ok {
		return l[0], l[1]
	}
	v4, v6 = s.prefixes()
	c[s[0]] = [2][]string{slices.Clip(v4), slices.Clip(v6)}
	return v4, v6
}

// prefixes renders the set as the fewest CIDR blocks, IPv4 first.
func (s addrSet) prefixes() (v4, v6 []string) {
	for _, r := range s {
		for lo := r.lo; ; {
			p := largestBlock(lo, r.hi)
			if lo.Is4() {
				v4 = append(v4, p.String())
			} else {
				v6 = append(v6, p.String())
			}
			end := lastAddr(p)
			if end == r.hi {
				break
			}
			lo = end.Next()
		}
	}
	return v4, v6
}

// largestBlock is the biggest aligned CIDR block that starts at lo and ends
// at or before hi.
func largestBlock(lo, hi netip.Addr) netip.Prefix {
	for bits := 0; bits <= lo.BitLen(); bits++ {
		p := netip.PrefixFrom(lo, bits)
		if p.Masked().Addr() == lo && lastAddr(p).Compare(hi) <= 0 {
			return p
		}
	}
	return netip.PrefixFrom(lo, lo.BitLen())
}
