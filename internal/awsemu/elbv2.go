package awsemu

type elbState struct{}

var elbOps = map[string]func(*Server, any) (any, error){}

func (s *Server) initELB() {}
