package mail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"
)

// SplitMbox yields the raw messages of an mbox file (as exported by
// Thunderbird, Gmail Takeout, mutt or Apple Mail) for `email import`. A
// message starts at a "From " envelope line (sender and date) at the start of
// the file or after a blank line; that line itself is not part of the
// message.
// Escaped body lines are unescaped the mboxrd way (">From " → "From ",
// ">>From " → ">From "). A read error is yielded once and ends the
// sequence; stopping the loop early is fine.
//
//	for raw, err := range mail.SplitMbox(f) {
//		if err != nil { return err }
//		e, err := mail.Parse(raw, limits)
//		…
//	}
func SplitMbox(r io.Reader) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		var msg bytes.Buffer
		started, prevBlank, lineNo := false, true, 0
		flush := func() bool {
			if !started {
				return true
			}
			out := bytes.Clone(trimMboxSeparator(msg.Bytes()))
			msg.Reset()
			return len(bytes.TrimSpace(out)) == 0 || yield(out, nil)
		}
		for {
			line, err := br.ReadBytes('\n')
			if len(line) > 0 {
				lineNo++
				switch {
				case bytes.HasPrefix(line, []byte("From ")) && (!started || prevBlank && envelopeLine.Match(line)):
					if !flush() {
						return
					}
					started = true
				case !started:
					if len(bytes.TrimSpace(line)) > 0 {
						yield(nil, fmt.Errorf("read mbox: line %d: expected a \"From \" separator line", lineNo))
						return
					}
				default:
					msg.Write(unescapeFrom(line))
				}
				prevBlank = len(bytes.TrimRight(line, "\r\n")) == 0
			}
			if errors.Is(err, io.EOF) {
				flush()
				return
			}
			if err != nil {
				yield(nil, fmt.Errorf("read mbox: line %d: %w", lineNo+1, err))
				return
			}
		}
	}
}

// envelopeLine matches an mbox separator after the first: "From ", a sender,
// and a date with a time ("From notices@visa.com Mon Mar  3 14:02:11 2025").
// Requiring the time keeps an unescaped body line such as "From here on…"
// after a blank line from splitting a message.
var envelopeLine = regexp.MustCompile(`^From \S+ +.*\b\d{1,2}:\d{2}`)

// unescapeFrom removes one ">" from a line matching /^>+From /.
func unescapeFrom(line []byte) []byte {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	if i > 0 && bytes.HasPrefix(line[i:], []byte("From ")) {
		return line[1:]
	}
	return line
}

// trimMboxSeparator drops the blank line the mbox format puts between
// messages, keeping the message's own final line break.
func trimMboxSeparator(b []byte) []byte {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n\r\n")):
		return b[:len(b)-2]
	case bytes.HasSuffix(b, []byte("\n\n")):
		return b[:len(b)-1]
	}
	return b
}
