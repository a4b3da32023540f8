package awsemu

type autoScalingState struct{}

var autoScalingOps = map[string]func(*Server, any) (any, error){}

func (s *Server) initAutoScaling() {}

// advanceFleets moves instance lifecycles forward to the clock's now.
func (s *Server) advanceFleets() {}
