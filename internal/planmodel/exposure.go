package planmodel

import (
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Exposure answers "from which addresses is each port of this target
// reachable", over every rule of every group attached to it. Rules are
// unioned per port, so splitting 0.0.0.0/0 into halves across two rules or
// two groups still shows up as the whole internet, and port ranges or
// protocol -1 that cover a port count as exposing it.

// segment is a port interval reachable from a set of addresses.
type segment struct {
	from, to int
	set      addrSet
	via      []string
}

func (b *builder) computeExposure() {
	// Targets behind the same groups share one computation and one
	// Exposure slice. The distinct group lists are computed in shards,
	// concurrently on a large plan; each result depends only on its list.
	type job struct {
		groups           []string
		public, internal []Exposure
	}
	// Sized for distinct lists up to half the targets: growing them was a
	// visible part of this serial step.
	jobs := make([]job, 0, len(b.m.Targets)/2)
	byKey := make(map[string]int, len(b.m.Targets)/2)
	ts := make([]*Target, 0, len(b.m.Targets))
	of := make([]int, 0, len(b.m.Targets))
	var key []byte
	for _, t := range b.m.Targets {
		key = key[:0]
		for i, k := range t.SecurityGroups {
			if i > 0 {
				key = append(key, 0)
			}
			key = append(key, k...)
		}
		j, ok := byKey[string(key)] // no allocation for the lookup
		if !ok {
			j = len(jobs)
			byKey[string(key)] = j
			jobs = append(jobs, job{groups: t.SecurityGroups})
		}
		ts = append(ts, t)
		of = append(of, j)
	}
	shards(len(jobs), parallelBuild(len(b.p.Instances)), func(lo, hi int) {
		x := exposer{b: b, parsed: make(map[string][]parsedRule, hi-lo), cidrs: b.cidrs}
		if lo > 0 || hi < len(jobs) {
			x.cidrs = cidrText{} // the shared one is not safe across shards
		}
		for i := lo; i < hi; i++ {
			jobs[i].public, jobs[i].internal = splitPublic(x.exposure(jobs[i].groups))
		}
	})
	for i, t := range ts {
		t.PublicExposure, t.InternalExposure = jobs[of[i]].public, jobs[of[i]].internal
	}
	b.lbListenerExposure()
}

// splitPublic splits exposure into the entries from public sources and
// the rest, each never nil, keeping their order.
func splitPublic(all []Exposure) (public, internal []Exposure) {
	n := 0
	for _, e := range all {
		if e.public {
			n++
		}
	}
	public, internal = make([]Exposure, 0, n), make([]Exposure, 0, len(all)-n)
	for _, e := range all {
		if e.public {
			public = append(public, e)
		} else {
			internal = append(internal, e)
		}
	}
	return public, internal
}

// exposer computes exposures with its own caches, so that shards do not
// share mutable state.
type exposer struct {
	b      *builder
	parsed map[string][]parsedRule // by group key
	cidrs  cidrText
	rules  []parsedRule // reused
}

func (x *exposer) exposure(groups []string) []Exposure {
	rules := x.rules[:0]
	for _, k := range groups {
		pr, ok := x.parsed[k]
		if !ok {
			sg := x.b.sgs[k]
			pr = parseRules(sg.Ingress, x.b.ingressSets[sg])
			x.parsed[k] = pr
		}
		rules = append(rules, pr...)
	}
	x.rules = rules
	return exposures(rules, x.cidrs)
}

// shards runs f over [0, n) split into contiguous shards, one per core
// (GOMAXPROCS) when parallel, else as one shard on the caller.
func shards(n int, parallel bool, f func(lo, hi int)) {
	w := 1
	if parallel {
		w = min(runtime.GOMAXPROCS(0), n)
	}
	if w <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 1; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i*n/w, (i+1)*n/w)
		}()
	}
	f(0, n/w)
	wg.Wait()
}

// parseRules keeps the rules whose protocol, ports and CIDRs are all known
// and that have CIDR sources. sets holds the rules' sources as normalize
// computed them (what parsing CIDRv4 and CIDRv6 back would give); without
// them the CIDRs are parsed.
func parseRules(rs []Rule, sets []addrSet) []parsedRule {
	var out []parsedRule
	for i := range rs {
		r := &rs[i]
		if slices.Contains(r.Unknown, "protocol") || slices.Contains(r.Unknown, "ports") || r.Protocol == "" {
			continue
		}
		var set addrSet
		if len(sets) == len(rs) {
			set = sets[i]
		} else {
			set, _ = parseCIDRs(append(slices.Clone(r.CIDRv4), r.CIDRv6...))
		}
		if len(set) == 0 {
			continue
		}
		out = append(out, parsedRule{rule: r, set: set})
	}
	return out
}

func exposures(rules []parsedRule, names cidrText) []Exposure {
	out := []Exposure{}
	if len(rules) == 0 {
		return out
	}
	var allRules []parsedRule
	var others map[string][]parsedRule // made only for other protocols
	for _, r := range rules {
		switch r.rule.Protocol {
		case "all":
			allRules = append(allRules, r)
		case "tcp", "udp":
		default:
			if others == nil {
				others = map[string][]parsedRule{}
			}
			others[r.rule.Protocol] = append(others[r.rule.Protocol], r)
		}
	}
	var allSeg *segment
	if len(allRules) > 0 {
		s := unionOf(allRules)
		s.from, s.to = 0, 65535
		allSeg = &s
		out = append(out, toExposure("all", s, names))
	}
	rs := make([]parsedRule, 0, len(rules)) // for each protocol in turn: sweep keeps none of it
	for _, proto := range []string{"tcp", "udp"} {
		rs = rs[:0]
		for _, r := range rules {
			if r.rule.Protocol == proto || r.rule.Protocol == "all" {
				rs = append(rs, r)
			}
		}
		for _, s := range sweep(rs) {
			if allSeg != nil && s.from == 0 && s.to == 65535 && s.set.equal(allSeg.set) && slices.Equal(s.via, allSeg.via) {
				continue // exactly the protocol -1 rules, reported once as "all"
			}
			out = append(out, toExposure(proto, s, names))
		}
	}
	protos := make([]string, 0, len(others))
	for p := range others {
		protos = append(protos, p)
	}
	sort.Strings(protos)
	for _, p := range protos {
		s := unionOf(others[p])
		s.from, s.to = others[p][0].rule.FromPort, others[p][0].rule.ToPort
		out = append(out, toExposure(p, s, names))
	}
	return out
}

func unionOf(rs []parsedRule) segment {
	var s segment
	for _, r := range rs {
		s.set = s.set.union(r.set)
		s.via = append(s.via, r.rule.DeclaredIn)
	}
	sort.Strings(s.via)
	s.via = slices.Compact(s.via)
	return s
}

// sweep splits the port space at every rule boundary, unions the sources
// of the rules covering each piece, then merges neighbouring pieces that
// are reachable from the same addresses.
func sweep(rs []parsedRule) []segment {
	if len(rs) == 0 {
		return nil
	}
	bounds := make([]int, 0, 2*len(rs))
	for _, r := range rs {
		bounds = append(bounds, r.rule.FromPort, r.rule.ToPort+1)
	}
	sort.Ints(bounds)
	bounds = slices.Compact(bounds)
	var segs []segment
	var cover []parsedRule
	for i := 0; i+1 < len(bounds); i++ {
		lo, hi := bounds[i], bounds[i+1]-1
		cover = cover[:0] // unionOf does not keep it
		for _, r := range rs {
			if r.rule.FromPort <= lo && r.rule.ToPort >= hi {
				cover = append(cover, r)
			}
		}
		if len(cover) == 0 {
			continue
		}
		s := unionOf(cover)
		s.from, s.to = lo, hi
		if n := len(segs); n > 0 && segs[n-1].to+1 == lo && segs[n-1].set.equal(s.set) {
			segs[n-1].to = hi
			segs[n-1].via = mergeVia(segs[n-1].via, s.via)
			continue
		}
		segs = append(segs, s)
	}
	return segs
}

func mergeVia(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	sort.Strings(out)
	return slices.Compact(out)
}

func toExposure(proto string, s segment, names cidrText) Exposure {
	v4, v6 := names.prefixes(s.set)
	if v4 == nil {
		v4 = []string{}
	}
	if v6 == nil {
		v6 = []string{}
	}
	return Exposure{
		Protocol: proto, FromPort: s.from, ToPort: s.to,
		CIDRv4: v4, CIDRv6: v6,
		World:  s.set.covers(allIPv4) || s.set.covers(allIPv6),
		public: !s.set.within(internalSpace),
		Via:    s.via,
	}
}

// lbListenerExposure covers network load balancers without security
// groups: every listener of an internet-facing one is open to the world.
func (b *builder) lbListenerExposure() {
	for _, t := range b.m.Targets {
		if t.Kind != KindLoadBalancer || len(t.SecurityGroups) > 0 || slices.Contains(t.Unknown, "security_groups") || !t.InternetFacing {
			continue
		}
		if t.LoadBalancerType == "application" {
			continue // an ALB without groups gets the VPC default group
		}
		for _, l := range t.Listeners {
			proto := "tcp"
			if strings.HasPrefix(l.Protocol, "UDP") {
				proto = "udp"
			}
			t.PublicExposure = append(t.PublicExposure, Exposure{
				Protocol: proto, FromPort: l.Port, ToPort: l.Port,
				CIDRv4: []string{"0.0.0.0/0"}, CIDRv6: []string{}, World: true, public: true,
				Via: []string{l.Address},
			})
		}
	}
}
