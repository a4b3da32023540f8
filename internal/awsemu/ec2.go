package awsemu

type ec2State struct{}

var ec2Ops = map[string]func(*Server, any) (any, error){}

func (s *Server) initEC2() {}
