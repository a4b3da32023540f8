package awsemu

import (
	"fmt"
	"strings"
	"unicode"
)

// ruleExpr is a parsed composite alarm rule.
type ruleExpr struct {
	op    string // "and", "or", "not", "state", "const"
	kids  []*ruleExpr
	state string // for "state": ALARM, OK, INSUFFICIENT_DATA
	name  string // alarm name for "state"
	value bool   // for "const"
}

func (e *ruleExpr) refs(acc []string) []string {
	if e.op == "state" {
		acc = append(acc, e.name)
	}
	for _, k := range e.kids {
		acc = k.refs(acc)
	}
	return acc
}

// resolveARNs names every referenced alarm by name: rules may use ARNs.
func (e *ruleExpr) resolveARNs() {
	if e.op == "state" {
		e.name = alarmNameOf(e.name)
	}
	for _, k := range e.kids {
		k.resolveARNs()
	}
}

func (e *ruleExpr) eval(stateOf func(string) string) bool {
	switch e.op {
	case "const":
		return e.value
	case "state":
		return stateOf(e.name) == e.state
	case "not":
		return !e.kids[0].eval(stateOf)
	case "and":
		for _, k := range e.kids {
			if !k.eval(stateOf) {
				return false
			}
		}
		return true
	case "or":
		for _, k := range e.kids {
			if k.eval(stateOf) {
				return true
			}
		}
	}
	return false
}

type ruleParser struct {
	toks []string
	pos  int
}

// parseAlarmRule accepts the composite alarm rule language: ALARM/OK/
// INSUFFICIENT_DATA(name), TRUE, FALSE, AND, OR, NOT and parentheses.
func parseAlarmRule(rule string) (*ruleExpr, error) {
	toks, err := tokenizeRule(rule)
	if err != nil {
		return nil, err
	}
	p := &ruleParser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	return e, nil
}

func tokenizeRule(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], s[i])
			if j < 0 {
				return nil, fmt.Errorf("unterminated quoted alarm name")
			}
			toks = append(toks, s[i:i+j+2])
			i += j + 2
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

func (p *ruleParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *ruleParser) next() string {
	t := p.peek()
	p.pos++
	return t
}

func (p *ruleParser) or() (*ruleExpr, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	kids := []*ruleExpr{left}
	for strings.EqualFold(p.peek(), "OR") {
		p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	if len(kids) == 1 {
		return left, nil
	}
	return &ruleExpr{op: "or", kids: kids}, nil
}

func (p *ruleParser) and() (*ruleExpr, error) {
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	kids := []*ruleExpr{left}
	for strings.EqualFold(p.peek(), "AND") {
		p.next()
		right, err := p.not()
		if err != nil {
			return nil, err
		}
		kids = append(kids, right)
	}
	if len(kids) == 1 {
		return left, nil
	}
	return &ruleExpr{op: "and", kids: kids}, nil
}

func (p *ruleParser) not() (*ruleExpr, error) {
	if strings.EqualFold(p.peek(), "NOT") {
		p.next()
		k, err := p.not()
		if err != nil {
			return nil, err
		}
		return &ruleExpr{op: "not", kids: []*ruleExpr{k}}, nil
	}
	return p.primary()
}

func (p *ruleParser) primary() (*ruleExpr, error) {
	t := p.next()
	switch up := strings.ToUpper(t); up {
	case "":
		return nil, fmt.Errorf("unexpected end of rule")
	case "(":
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return e, nil
	case "TRUE", "FALSE":
		return &ruleExpr{op: "const", value: up == "TRUE"}, nil
	case "ALARM", "OK", "INSUFFICIENT_DATA":
		if p.next() != "(" {
			return nil, fmt.Errorf("%s must be followed by (alarm name)", up)
		}
		name := p.next()
		if name == "" || name == ")" {
			return nil, fmt.Errorf("%s() needs an alarm name", up)
		}
		if name[0] == '"' || name[0] == '\'' {
			name = name[1 : len(name)-1]
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing ) after alarm name %q", name)
		}
		return &ruleExpr{op: "state", state: up, name: name}, nil
	}
	return nil, fmt.Errorf("unexpected %q", t)
}
