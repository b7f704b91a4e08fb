package jira

import (
	"context"
	"net/http"
	"net/url"

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
