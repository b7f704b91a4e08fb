package mail

import (
	"bytes"
	"fmt"
)

// Structural bounds on a message's MIME tree. A message over one keeps its
// headers and is noted; its body is never handed to the MIME walker, so a
// small hostile message (thousands of nested or sibling parts, or of header
// fields) cannot hold a request or a worker for long.
const (
	MaxMIMEDepth    = 40
	MaxMIMEParts    = 1000
	MaxHeaderFields = 5000
)

// shape is what a linear scan of a raw message tells of its MIME tree.
type shape struct {
	depth, parts, fields int
}

// scanShape counts, in one pass over raw, the deepest nesting of
// multiparts, the body parts (boundary delimiters) and the header fields
// (of the message and of every part). Boundaries are read from any
// boundary= parameter; a delimiter line is "--" + a known boundary.
func scanShape(raw []byte) shape {
	var s shape
	open := map[string]bool{}
	inHeader := true
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		line = bytes.TrimRight(line, "\r")
		if inHeader {
			switch {
			case len(line) == 0:
				inHeader = false
			case line[0] != ' ' && line[0] != '\t':
				s.fields++
			}
			if b, ok := boundaryParam(line); ok && !open[b] {
				open[b] = true
				s.depth = max(s.depth, len(open))
			}
			continue
		}
		if !bytes.HasPrefix(line, []byte("--")) {
			continue
		}
		delim := bytes.TrimRight(line[2:], " \t")
		if b, closing := bytes.CutSuffix(delim, []byte("--")); closing && open[string(b)] {
			delete(open, string(b))
			continue
		}
		if open[string(delim)] {
			s.parts++
			inHeader = true
		}
	}
	return s
}

// boundaryParam finds a boundary= parameter on a header line (of
// Content-Type or its continuation), quoted or not.
func boundaryParam(line []byte) (string, bool) {
	i := bytes.Index(bytes.ToLower(line), []byte("boundary="))
	if i < 0 {
		return "", false
	}
	v := line[i+len("boundary="):]
	if len(v) > 0 && v[0] == '"' {
		v = v[1:]
		if j := bytes.IndexByte(v, '"'); j >= 0 {
			v = v[:j]
		}
	} else if j := bytes.IndexAny(v, "; \t"); j >= 0 {
		v = v[:j]
	}
	if len(v) == 0 {
		return "", false
	}
	return string(v), true
}

// overBound says which structural bound s exceeds, if any.
func (s shape) overBound() (string, bool) {
	switch {
	case s.depth > MaxMIMEDepth:
		return fmt.Sprintf("multiparts nested %d deep, over the limit of %d", s.depth, MaxMIMEDepth), true
	case s.parts > MaxMIMEParts:
		return fmt.Sprintf("%d MIME parts, over the limit of %d", s.parts, MaxMIMEParts), true
	case s.fields > MaxHeaderFields:
		return fmt.Sprintf("%d header fields, over the limit of %d", s.fields, MaxHeaderFields), true
	}
	return "", false
}
