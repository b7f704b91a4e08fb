package jiratest

import (
	"errors"
	"regexp"
	"strings"
	"time"
)

// query is a parsed JQL query of the forms the client sends:
//
//	key in ("PAY-1", "PAY-2") ORDER BY key ASC
//	project = "PAY" AND labels = "vsid-…" ORDER BY created ASC
//	project = "PAY" AND updated >= "2026-03-01 10:30" ORDER BY updated DESC
type query struct {
	// updatedFrom is the literal of an updated >= clause, a date and
	// time in the searching user's time zone as JQL takes it.
	updatedFrom     string
	hasUpdated      bool
	keys            []string
	hasKeys         bool
	project, label  string
	orderBy         string
	desc            bool
	hasProj, hasLbl bool
}

// jqlTokens splits JQL into words, quoted strings (unquoted) and ( ) , =.
func jqlTokens(jql string) ([]string, error) {
	var toks []string
	for i := 0; i < len(jql); {
		c := jql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("(),=", c) >= 0:
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(jql) && jql[j] != c; j++ {
				if jql[j] == '\\' && j+1 < len(jql) {
					j++
				}
				b.WriteByte(jql[j])
			}
			if j >= len(jql) {
				return nil, errors.New("unterminated string")
			}
			toks = append(toks, "\x00"+b.String()) // \x00 marks a literal
			i = j + 1
		default:
			j := i
			for j < len(jql) && strings.IndexByte(" \t\r\n(),=\"'", jql[j]) < 0 {
				j++
			}
			toks = append(toks, jql[i:j])
			i = j
		}
	}
	return toks, nil
}

// parseJQL understands exactly the client's query forms.
func parseJQL(jql string) (query, error) {
	toks, err := jqlTokens(jql)
	if err != nil {
		return query{}, err
	}
	var q query
	pos := 0
	next := func() string {
		if pos >= len(toks) {
			return ""
		}
		pos++
		return toks[pos-1]
	}
	word := func(t string) string { return strings.ToLower(strings.TrimPrefix(t, "\x00")) }
	value := func() string { return strings.TrimPrefix(next(), "\x00") }
	for {
		switch field := word(next()); field {
		case "key", "issuekey":
			if word(next()) != "in" || next() != "(" {
				return q, errors.New("expected 'in (' after key")
			}
			q.hasKeys = true
			for {
				q.keys = append(q.keys, value())
				if t := next(); t == ")" {
					break
				} else if t != "," {
					return q, errors.New("expected ',' or ')' in key list")
				}
			}
		case "updated", "updateddate":
			// The tokenizer splits ">=" into ">" and "=".
			if op := next(); op != ">" || next() != "=" {
				return q, errors.New("unsupported operator '" + op + "' after updated")
			}
			q.updatedFrom, q.hasUpdated = value(), true
		case "project", "labels":
			if next() != "=" {
				return q, errors.New("expected '=' after " + field)
			}
			if field == "project" {
				q.project, q.hasProj = value(), true
			} else {
				q.label, q.hasLbl = value(), true
			}
		default:
			return q, errors.New("unsupported clause starting with '" + field + "'")
		}
		switch t := word(next()); t {
		case "":
			return q, nil
		case "and":
			continue
		case "order":
			if word(next()) != "by" {
				return q, errors.New("expected 'by' after 'order'")
			}
			q.orderBy = word(next())
			switch word(next()) {
			case "", "asc":
			case "desc":
				q.desc = true
			default:
				return q, errors.New("expected ASC or DESC")
			}
			if pos != len(toks) {
				return q, errors.New("unexpected text after ORDER BY")
			}
			return q, nil
		default:
			return q, errors.New("expected AND or ORDER BY, got '" + t + "'")
		}
	}
}

var keyShape = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[0-9]+$`)

// run evaluates q, answering Jira's 400 messages for unknown keys and
// projects; s.mu must be held.
func (s *Server) run(q query) ([]*Issue, []string) {
	var problems []string
	want := map[string]bool{}
	for _, k := range q.keys {
		// Like Jira, a key the issue had before it moved finds it.
		k = s.resolve(k)
		switch {
		case !keyShape.MatchString(k):
			problems = append(problems, "The issue key '"+k+"' for field 'key' is invalid.")
		case s.issues[k] == nil:
			problems = append(problems, "An issue with key '"+k+"' does not exist for field 'key'.")
		default:
			want[k] = true
		}
	}
	if q.hasProj && s.projects[q.project] == nil {
		problems = append(problems, "The value '"+q.project+"' does not exist for the field 'project'.")
	}
	var from time.Time
	if q.hasUpdated {
		t, ok := jqlTime(q.updatedFrom, s.zone)
		if !ok {
			problems = append(problems, "Date value '"+q.updatedFrom+"' for field 'updated' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.")
		}
		from = t
	}
	switch q.orderBy {
	case "", "key", "created", "updated":
	default:
		problems = append(problems, "Not able to sort using field '"+q.orderBy+"'.")
	}
	if len(problems) > 0 {
		return nil, problems
	}
	visible := s.now().Add(-s.indexLag)
	candidates := s.issues
	if q.hasKeys {
		candidates = make(map[string]*Issue, len(want))
		for k := range want {
			candidates[k] = s.issues[k]
		}
	}
	var out []*Issue
	for _, iss := range candidates {
		switch {
		case s.indexLag > 0 && !q.hasKeys && iss.Created.After(visible):
		case q.hasKeys && !want[iss.Key]:
		case q.hasProj && iss.Project != q.project:
		case q.hasLbl && !hasLabel(iss.Labels, q.label):
		case q.hasUpdated && iss.Updated.Before(from):
		default:
			out = append(out, iss)
		}
	}
	by := q.orderBy
	if by == "" {
		by = "key"
	}
	return s.sorted(out, by, q.desc), nil
}

// jqlTime reads a JQL date literal in the searching user's zone, as Jira
// does: minutes are its finest unit.
func jqlTime(v string, zone *time.Location) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, v, zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func hasLabel(labels []string, want string) bool {
	for _, l := range labels {
		if strings.EqualFold(l, want) {
			return true
		}
	}
	return false
}
