package awsemu

import "sort"

// regionState is the state of the regional services in one region: AWS
// keeps groups, instances, images, launch templates, target groups, alarms
// and metrics per region, so a multi-region rollout sees each region apart.
type regionState struct {
	name string
	cw   cloudWatchState
	ec2  ec2State
	asg  autoScalingState
	elb  elbState
}

// regionNamed returns a region's state, creating it on first use with its
// zones and default subnets. Callers hold s.mu.
func (s *Server) regionNamed(name string) *regionState {
	if r, ok := s.regions[name]; ok {
		return r
	}
	prev := s.rs
	r := &regionState{name: name}
	s.regions[name] = r
	s.rs = r
	s.initCloudWatch()
	s.initEC2()
	s.initAutoScaling()
	s.initELB()
	s.rs = prev
	if s.rs == nil {
		s.rs = r
	}
	return r
}

// sortedRegions lists the regions in name order, so the simulation steps
// them deterministically.
func (s *Server) sortedRegions() []*regionState {
	names := make([]string, 0, len(s.regions))
	for n := range s.regions {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*regionState, len(names))
	for i, n := range names {
		out[i] = s.regions[n]
	}
	return out
}

// UseRegion makes the exported helpers (AddImage, AlarmState, SetImageHealth,
// schedules, …) act on region, creating it if needed; requests always act on
// the region they are signed for.
func (s *Server) UseRegion(region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.def = s.regionNamed(region)
	s.rs = s.def
}
