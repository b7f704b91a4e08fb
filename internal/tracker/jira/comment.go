package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Comment adds body to the issue with POST /issue/{key}/comment (ADF body on
// Cloud, wiki markup on Server). Like a create, a comment that timed out is
// not retried here, because Jira may have stored it.
func (c *Client) Comment(ctx context.Context, key string, body tracker.Document) error {
	op := "comment on " + key
	switch {
	case !ValidIssueKey(key):
		return c.fail(op, httpx.BadRequest, 0, "malformed issue key", nil)
	case body.IsEmpty():
		return c.fail(op, httpx.BadRequest, 0, "comment is empty", nil)
	}
	if err := body.Validate(); err != nil {
		return c.invalid(op, err)
	}
	path := "/issue/" + url.PathEscape(key) + "/comment"
	return c.call(ctx, op, http.MethodPost, path, map[string]any{"body": c.render(body)}, nil)
}

// myself is the part of GET /myself that names the account: Cloud has
// accountId, Server has name; both have displayName.
type myself struct {
	AccountID   string `json:"accountId"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// Test checks the base URL and credentials with GET /myself and returns
// the account's display name (its accountId or user name when hidden).
func (c *Client) Test(ctx context.Context) (string, error) {
	var me myself
	if err := c.call(ctx, "test connection", http.MethodGet, "/myself", nil, &me); err != nil {
		return "", err
	}
	for _, s := range []string{me.DisplayName, me.Name, me.AccountID} {
		if s != "" {
			return s, nil
		}
	}
	return "", c.fail("test connection", httpx.Transient, http.StatusOK, "Jira answered without naming the account", nil)
}

// commentPage is the part of GET /issue/{key}/comment (PageOfComments) that
// HasComment reads: the body stays raw, ADF on Cloud and a string on Server.
type commentPage struct {
	StartAt    int `json:"startAt"`
	MaxResults int `json:"maxResults"`
	Total      int `json:"total"`
	Comments   []struct {
		Body json.RawMessage `json:"body"`
	} `json:"comments"`
}

// maxCommentPages bounds how far back HasComment reads (newest first): the
// comment it looks for is one VendorSync posted moments or days ago.
const maxCommentPages = 10

// HasComment reports whether a comment on the issue with key contains
// marker, reading GET /issue/{key}/comment newest first. Comments are read
// from the issue itself, not from the search index, so a comment stored a
// moment ago is seen. The marker is looked for in each body's JSON, which
// keeps letters, digits and '-' verbatim in both ADF and wiki markup.
func (c *Client) HasComment(ctx context.Context, key, marker string) (bool, error) {
	op := "read comments of " + key
	if !ValidIssueKey(key) {
		return false, c.fail(op, httpx.BadRequest, 0, "malformed issue key", nil)
	}
	for page, start := 0, 0; page < maxCommentPages; page++ {
		q := url.Values{"startAt": {strconv.Itoa(start)}, "maxResults": {"100"}, "orderBy": {"-created"}}
		var p commentPage
		if err := c.call(httpx.MarkIdempotent(ctx), op, http.MethodGet, "/issue/"+url.PathEscape(key)+"/comment?"+q.Encode(), nil, &p); err != nil {
			return false, err
		}
		for _, cm := range p.Comments {
			if bytes.Contains(cm.Body, []byte(marker)) {
				return true, nil
			}
		}
		start += len(p.Comments)
		if len(p.Comments) == 0 || start >= p.Total {
			return false, nil
		}
	}
	return false, nil
}
