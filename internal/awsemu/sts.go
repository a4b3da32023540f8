package awsemu

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

type stsState struct {
	sessions int
}

var stsOps = map[string]func(*Server, any) (any, error){
	"GetCallerIdentity": queryOp((*Server).stsGetCallerIdentity),
	"AssumeRole":        queryOp((*Server).stsAssumeRole),
}

func (s *Server) stsGetCallerIdentity(_ params) (*X, error) {
	arn := fmt.Sprintf("arn:aws:iam::%s:user/emulator", s.accountID)
	if role := s.creds[s.caller].sessionOf; role != "" {
		arn = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/session", s.accountID, role[strings.Index(role, ":role/")+len(":role/"):])
	}
	return E("Result",
		T("Arn", arn),
		T("UserId", s.caller),
		T("Account", s.accountID),
	), nil
}

// stsAssumeRole issues temporary credentials the emulator then accepts, so
// the provider's assume_role path is exercised end to end.
func (s *Server) stsAssumeRole(p params) (*X, error) {
	roleARN, err := p.require("RoleArn")
	if err != nil {
		return nil, err
	}
	session, err := p.require("RoleSessionName")
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(roleARN, "arn:aws:iam::") || !strings.Contains(roleARN, ":role/") {
		return nil, errValidation("1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: not a valid IAM role ARN", roleARN)
	}
	if strings.Contains(roleARN, "role/denied") {
		return nil, errCode("AccessDenied", http.StatusForbidden, "User: arn:aws:iam::%s:user/emulator is not authorized to perform: sts:AssumeRole on resource: %s", s.accountID, roleARN)
	}
	dur, err := p.intOr("DurationSeconds", 3600)
	if err != nil {
		return nil, err
	}
	s.sts.sessions++
	akid := fmt.Sprintf("ASIAEMU%09d", s.sts.sessions)
	secret := fmt.Sprintf("session-secret-%d", s.sts.sessions)
	exp := s.clock.Now().Add(time.Duration(dur) * time.Second)
	s.creds[akid] = credential{secret: secret, sessionOf: roleARN, expires: exp}
	roleName := roleARN[strings.Index(roleARN, ":role/")+len(":role/"):]
	return E("Result",
		E("Credentials",
			T("AccessKeyId", akid),
			T("SecretAccessKey", secret),
			T("SessionToken", "emulator-session-token-"+akid),
			Ttime("Expiration", exp),
		),
		E("AssumedRoleUser",
			T("AssumedRoleId", "AROAEMULATOR:"+session),
			T("Arn", fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", s.accountID, roleName, session)),
		),
	), nil
}
