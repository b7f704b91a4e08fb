package p21

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// maxResponse bounds every response body read.
const maxResponse = 64 << 20

// Query is the OData query options of a table read.
type Query struct {
	Select  []string
	Filter  string
	OrderBy string
	// Top is the page size; the client's PageSize when zero.
	Top int
	// Skip is where the first page starts.
	Skip int
}

// values encodes q for the first page, with $count so the reader knows
// when it has everything even from a service that caps pages without a
// nextLink.
func (q Query) values(top int) url.Values {
	v := url.Values{}
	if len(q.Select) > 0 {
		v.Set("$select", strings.Join(q.Select, ","))
	}
	if q.Filter != "" {
		v.Set("$filter", q.Filter)
	}
	if q.OrderBy != "" {
		v.Set("$orderby", q.OrderBy)
	}
	v.Set("$top", strconv.Itoa(top))
	if q.Skip > 0 {
		v.Set("$skip", strconv.Itoa(q.Skip))
	}
	v.Set("$count", "true")
	return v
}

// Row is one row of a table, its numbers as json.Number.
type Row map[string]any

// page is one answer of the data service.
type page struct {
	Count    *int64 `json:"@odata.count"`
	NextLink string `json:"@odata.nextLink"`
	V3Next   string `json:"odata.nextLink"`
	Value    []Row  `json:"value"`
}

// Each reads every row of table matching q, page after page, calling fn
// with each page's rows in order. It follows @odata.nextLink when the
// service gives one and otherwise pages with $top/$skip until it has read
// @odata.count rows (or a page comes back empty).
func (c *Client) Each(ctx context.Context, table string, q Query, fn func([]Row) error) error {
	top := q.Top
	if top <= 0 {
		top = c.opts.PageSize
	}
	op := "read " + table
	next := c.base + TablePath + "/" + url.PathEscape(table) + "?" + q.values(top).Encode()
	read, skip := int64(0), int64(q.Skip)
	var total *int64
	for {
		var p page
		if err := c.get(ctx, op, next, &p); err != nil {
			return err
		}
		if p.Count != nil && total == nil {
			total = p.Count
		}
		rows := p.Value // decoded with the page, numbers as json.Number
		if len(rows) > 0 {
			if err := fn(rows); err != nil {
				return err
			}
		}
		read += int64(len(rows))
		skip += int64(len(rows))
		link := p.NextLink
		if link == "" {
			link = p.V3Next
		}
		switch {
		case link != "":
			u, err := resolve(next, link)
			if err != nil {
				return c.fail(op, httpx.Transient, http.StatusOK, "P21 answered with a next link that is not a URL", err)
			}
			next = u
		case len(rows) == 0 || (total != nil && read >= *total) || (total == nil && len(rows) < top):
			return nil
		default:
			u, _ := url.Parse(next) // built or resolved above, so it parses
			v := u.Query()
			v.Set("$skip", strconv.FormatInt(skip, 10))
			v.Del("$count")
			u.RawQuery = v.Encode()
			next = u.String()
		}
	}
}

// resolve makes a nextLink absolute against the request it came with.
func resolve(base, link string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	l, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	return b.ResolveReference(l).String(), nil
}

// decodeExact decodes JSON keeping numbers as json.Number.
func decodeExact(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// get reads a JSON answer from url into out, signing in again once when a
// token is refused.
func (c *Client) get(ctx context.Context, op, u string, out any) error {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return c.fail(op, httpx.BadRequest, 0, "the base URL is not valid", err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "VendorSync")
		tok := c.heldToken()
		if err := c.authorize(ctx, req); err != nil {
			return err
		}
		if tok == "" {
			tok = c.heldToken()
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return httpx.CallError(ctx, upstream, op, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
		resp.Body.Close()
		switch {
		case err != nil:
			return c.fail(op, httpx.Transient, resp.StatusCode, "", fmt.Errorf("read response: %w", err))
		case len(data) > maxResponse:
			return c.fail(op, httpx.Transient, resp.StatusCode, "", fmt.Errorf("response over %d bytes", maxResponse))
		case resp.StatusCode == http.StatusUnauthorized && c.usesTokens() && attempt == 0:
			c.forget(tok) // expired or revoked: sign in again, once
			continue
		case resp.StatusCode != http.StatusOK:
			return c.statusError(op, resp, data)
		}
		if err := decodeExact(data, out); err != nil {
			return c.fail(op, httpx.Transient, resp.StatusCode, "P21 answered with an unexpected response", fmt.Errorf("decode response: %w", err))
		}
		return nil
	}
}

// odataError is the service's error body: {"error":{"code","message"}}.
type odataError struct {
	Error struct {
		Code    string `json:"code"`
		Message any    `json:"message"` // v4: a string; v3: {"lang","value"}
	} `json:"error"`
	// The token endpoint answers {"Message": "..."} like ASP.NET.
	Message string `json:"Message"`
}

// statusError classifies a non-200 answer with the service's own message.
func (c *Client) statusError(op string, resp *http.Response, data []byte) error {
	code, msg := errorText(data)
	e := httpx.StatusError(upstream, op, resp, code, msg)
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Kind, e.Message = httpx.BadRequest, "P21 redirected: check the base URL"
	case e.Kind == "":
		e.Kind = httpx.Transient
	}
	return e
}

// errorText reads code and message from an error body; never an HTML page.
func errorText(data []byte) (code, msg string) {
	var oe odataError
	if json.Unmarshal(data, &oe) == nil {
		switch m := oe.Error.Message.(type) {
		case string:
			msg = m
		case map[string]any:
			msg, _ = m["value"].(string)
		}
		if msg == "" {
			msg = oe.Message
		}
		return oe.Error.Code, truncate(msg, 500)
	}
	s := strings.TrimSpace(string(data))
	if strings.HasPrefix(s, "<") {
		return "", ""
	}
	return "", truncate(s, 200)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// fail builds the client's error for a failure without a usable answer.
func (c *Client) fail(op string, kind httpx.Kind, status int, msg string, err error) error {
	return &httpx.Error{Upstream: upstream, Op: op, Kind: kind, Status: status, Message: msg, Err: err}
}
