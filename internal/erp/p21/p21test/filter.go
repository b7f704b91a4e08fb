package p21test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
)

func errSyntax(what string) error { return fmt.Errorf("syntax error in %s", what) }

// expr is a parsed $filter.
type expr interface{ eval(Row) bool }

type (
	andExpr struct{ l, r expr }
	orExpr  struct{ l, r expr }
	notExpr struct{ e expr }
	cmpExpr struct {
		col, op string
		lit     any
	}
	startsWith struct{ col, prefix string }
)

func (e andExpr) eval(r Row) bool { return e.l.eval(r) && e.r.eval(r) }
func (e orExpr) eval(r Row) bool  { return e.l.eval(r) || e.r.eval(r) }
func (e notExpr) eval(r Row) bool { return !e.e.eval(r) }
func (e startsWith) eval(r Row) bool {
	s, ok := r[e.col].(string)
	return ok && strings.HasPrefix(s, e.prefix)
}

func (e cmpExpr) eval(r Row) bool {
	v := r[e.col]
	if e.lit == nil || v == nil {
		switch e.op {
		case "eq":
			return v == nil && e.lit == nil
		case "ne":
			return (v == nil) != (e.lit == nil)
		}
		return false // comparisons with null are false
	}
	c := compare(v, e.lit)
	switch e.op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	}
	return c <= 0 // le
}

func compareNumbers(a, b json.Number) int {
	x, err1 := decimal.NewFromString(a.String())
	y, err2 := decimal.NewFromString(b.String())
	if err1 != nil || err2 != nil {
		return strings.Compare(a.String(), b.String())
	}
	return x.Cmp(y)
}

// parser reads the $filter forms P21 supports.
type parser struct {
	toks []string
	pos  int
}

func parseFilter(s string) (expr, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, errSyntax("$filter near " + p.toks[p.pos])
	}
	return e, nil
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) next() string { t := p.peek(); p.pos++; return t }

func (p *parser) or() (expr, error) {
	l, err := p.and()
	for err == nil && p.peek() == "or" {
		p.next()
		var r expr
		if r, err = p.and(); err == nil {
			l = orExpr{l, r}
		}
	}
	return l, err
}

func (p *parser) and() (expr, error) {
	l, err := p.unary()
	for err == nil && p.peek() == "and" {
		p.next()
		var r expr
		if r, err = p.unary(); err == nil {
			l = andExpr{l, r}
		}
	}
	return l, err
}

func (p *parser) unary() (expr, error) {
	switch p.peek() {
	case "not":
		p.next()
		e, err := p.unary()
		return notExpr{e}, err
	case "(":
		p.next()
		e, err := p.or()
		if err == nil && p.next() != ")" {
			err = errSyntax("$filter: missing )")
		}
		return e, err
	case "startswith":
		p.next()
		if p.next() != "(" {
			return nil, errSyntax("startswith")
		}
		col := p.next()
		if p.next() != "," {
			return nil, errSyntax("startswith")
		}
		lit, err := literal(p.next())
		s, ok := lit.(string)
		if err != nil || !ok || p.next() != ")" {
			return nil, errSyntax("startswith")
		}
		return startsWith{col, s}, nil
	}
	col, op := p.next(), p.next()
	switch op {
	case "eq", "ne", "gt", "ge", "lt", "le":
	default:
		return nil, errSyntax("$filter: unknown operator " + op)
	}
	if col == "" || !isIdent(col) {
		return nil, errSyntax("$filter: expected a property name")
	}
	lit, err := literal(p.next())
	return cmpExpr{col, op, lit}, err
}

func isIdent(s string) bool {
	for _, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// literal reads 'text', a number, true/false/null or a date.
func literal(t string) (any, error) {
	switch {
	case t == "":
		return nil, errSyntax("$filter: missing value")
	case t == "null":
		return nil, nil
	case t == "true" || t == "false":
		return t == "true", nil
	case strings.HasPrefix(t, "'"):
		return strings.ReplaceAll(t[1:len(t)-1], "''", "'"), nil
	}
	if strings.Contains(t, "-") && len(t) >= 10 {
		for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
			if v, err := time.Parse(l, t); err == nil {
				return v.UTC(), nil
			}
		}
		return nil, errSyntax("$filter: date " + t)
	}
	if _, err := decimal.NewFromString(t); err != nil {
		return nil, errSyntax("$filter: value " + t)
	}
	return json.Number(t), nil
}

// tokenize splits a filter into names, literals and punctuation.
func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, string(c))
			i++
		case c == '\'':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(s) {
				return nil, errors.New("unterminated string literal in $filter")
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" (),'", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}
