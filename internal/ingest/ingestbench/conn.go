package ingestbench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strconv"
	"time"
)

// conn is one kept-alive HTTP/1.1 connection of a sender to a plain
// http:// server. The load tool shares the machine with the server it
// measures, so each request is written with one write from a buffer the
// sender reuses and its answer read into another, without the client
// goroutines, header maps and body readers of net/http: the server sees
// the same requests, and the CPU the tool saves is the server's.
type conn struct {
	addr string
	nc   net.Conn
	r    *bufio.Reader
	used bool // a request was answered on nc, so the server may have closed it since
	resp []byte
}

// maxAnswer is how much of an answer's body is kept.
const maxAnswer = 64 << 10

// errNoAnswer is a connection closed before any byte of the answer.
var errNoAnswer = errors.New("connection closed before an answer")

// roundTrip writes req (a whole request) and reads its answer: the status
// and the body. A kept-alive connection the server closed while idle is
// dialled again once.
func (c *conn) roundTrip(ctx context.Context, req []byte, timeout time.Duration) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		reused := c.nc != nil && c.used
		status, body, err := c.try(ctx, req, timeout)
		if err != nil {
			c.close()
			if reused && attempt == 0 && errors.Is(err, errNoAnswer) {
				continue
			}
		}
		return status, body, err
	}
}

func (c *conn) try(ctx context.Context, req []byte, timeout time.Duration) (int, []byte, error) {
	if c.nc == nil {
		d := net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
		nc, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return 0, nil, err
		}
		c.nc, c.used = nc, false
		if c.r == nil {
			c.r = bufio.NewReaderSize(nc, 4096)
		} else {
			c.r.Reset(nc)
		}
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.nc.SetDeadline(deadline); err != nil {
		return 0, nil, err
	}
	if _, werr := c.nc.Write(req); werr != nil {
		// A server may answer (413) and close before reading a body.
		if status, body, _, err := c.readAnswer(); err == nil {
			c.close()
			return status, body, nil
		}
		return 0, nil, fmt.Errorf("%w: %v", errNoAnswer, werr)
	}
	status, body, keep, err := c.readAnswer()
	if err != nil {
		return 0, nil, err
	}
	c.used = true
	if !keep {
		c.close()
	}
	return status, body, nil
}

// readAnswer reads one HTTP/1.1 answer: its status, its body (up to
// maxAnswer bytes kept) and whether the connection stays open.
func (c *conn) readAnswer() (status int, body []byte, keep bool, err error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		if len(line) == 0 && (errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)) {
			return 0, nil, false, errNoAnswer
		}
		return 0, nil, false, err
	}
	// "HTTP/1.1 202 Accepted"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, fmt.Errorf("not an HTTP/1.x answer: %q", bytes.TrimSpace(line))
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, nil, false, fmt.Errorf("bad status line %q", bytes.TrimSpace(line))
	}
	length, chunked, keep := int64(-1), false, line[7] == '1'
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, _ := bytes.Cut(h, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return 0, nil, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	var r io.Reader
	switch {
	case chunked:
		r = httputil.NewChunkedReader(c.r)
	case length >= 0:
		r = io.LimitReader(c.r, length)
	default:
		r, keep = c.r, false // the body runs to the end of the connection
	}
	c.resp = c.resp[:0]
	for {
		if len(c.resp) == cap(c.resp) {
			c.resp = append(c.resp, 0)[:len(c.resp)]
		}
		n, err := r.Read(c.resp[len(c.resp):cap(c.resp)])
		c.resp = c.resp[:len(c.resp)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, nil, false, err
		}
		if len(c.resp) > maxAnswer {
			return status, c.resp[:maxAnswer], false, nil // the rest is not read: the connection cannot serve another request
		}
	}
	if chunked { // the trailer section, up to its empty line
		for {
			h, err := c.r.ReadSlice('\n')
			if err != nil {
				return 0, nil, false, err
			}
			if len(bytes.TrimRight(h, "\r\n")) == 0 {
				break
			}
		}
	}
	return status, c.resp, keep, nil
}

func (c *conn) close() {
	if c.nc != nil {
		_ = c.nc.Close() // dropping a connection whose request already failed or is done
		c.nc = nil
	}
}

// isReset reports a connection the server reset.
func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}
