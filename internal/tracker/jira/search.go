package jira

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// searchFields are the only fields a status sync reads.
var searchFields = []string{"status", "updated"}

// maxPages stops a search whose paging never ends.
const maxPages = 1000

// timeLayout is how Jira writes timestamps: 2026-03-01T10:30:00.000+0000.
const timeLayout = "2006-01-02T15:04:05.000-0700"

// searchIssue is one issue of a search answer, with searchFields only.
type searchIssue struct {
	Key    string `json:"key"`
	Fields struct {
		Status *struct {
			Name           string `json:"name"`
			StatusCategory struct {
				Key string `json:"key"`
			} `json:"statusCategory"`
		} `json:"status"`
		Updated string `json:"updated"`
	} `json:"fields"`
}

// cloudPage is a page of POST /rest/api/3/search/jql.
type cloudPage struct {
	Issues        []searchIssue `json:"issues"`
	NextPageToken string        `json:"nextPageToken"`
	IsLast        bool          `json:"isLast"`
}

// serverPage is a page of POST /rest/api/2/search.
type serverPage struct {
	StartAt int           `json:"startAt"`
	Total   int           `json:"total"`
	Issues  []searchIssue `json:"issues"`
}

// Search reads status and update time of the issues with the given keys:
// malformed keys and duplicates are skipped, the rest go in chunks of
// tracker.MaxSearchChunk, each one JQL search (key in (…)) plus its pages,
// up to SearchConcurrency chunks at a time. When Jira rejects a chunk for
// naming issues that no longer exist or that the account cannot see, those
// keys are dropped and the chunk asked again, so one deleted issue never
// blocks the sync of the others. Results follow the order of keys; an issue
// moved to another project comes back under its new key, after the rest,
// with FormerKey set (see resolveMoved).
func (c *Client) Search(ctx context.Context, keys []string) ([]tracker.Issue, error) {
	asked := searchableKeys(keys)
	var chunks [][]string
	for wanted := asked; len(wanted) > 0; {
		n := min(len(wanted), tracker.MaxSearchChunk)
		chunks = append(chunks, wanted[:n])
		wanted = wanted[n:]
	}
	results := make([][]tracker.Issue, len(chunks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.concurrency)
	for i, chunk := range chunks {
		if gctx.Err() != nil {
			break // a chunk failed: the rest are not asked
		}
		g.Go(func() error {
			issues, err := c.searchChunk(gctx, chunk)
			results[i] = issues // each chunk has its own slot
			return err
		})
	}
	err := g.Wait()
	if err == nil && ctx.Err() != nil {
		err = c.fail("search", httpx.Transient, 0, "", ctx.Err())
	}
	out := inKeyOrder(asked, results)
	if err != nil {
		return out, err
	}
	return c.resolveMoved(ctx, asked, out)
}

// maxMovedLookups bounds the single-issue reads of one Search: keys that
// stay missing (deleted issues) are read again on every sync.
const maxMovedLookups = 50

// resolveMoved reads each asked key the search did not return with
// GET /issue/{key}. Jira keeps the keys an issue had before it moved to
// another project and answers them with the issue under its new key; the
// search (which may or may not resolve old keys) cannot say which asked
// key a new key belongs to, so this read is what ties them together. A key
// Jira answers 404 for is gone (deleted or no longer visible) and stays
// absent.
func (c *Client) resolveMoved(ctx context.Context, asked []string, out []tracker.Issue) ([]tracker.Issue, error) {
	have := make(map[string]int, len(out))
	for i, iss := range out {
		have[iss.Key] = i
	}
	lookups := 0
	for _, k := range asked {
		if _, ok := have[k]; ok {
			continue
		}
		if lookups == maxMovedLookups {
			break
		}
		lookups++
		var si searchIssue
		q := url.Values{"fields": {strings.Join(searchFields, ",")}}
		err := c.call(httpx.MarkIdempotent(ctx), "read "+k, http.MethodGet, "/issue/"+url.PathEscape(k)+"?"+q.Encode(), nil, &si)
		switch {
		case httpx.KindOf(err) == httpx.NotFound || httpx.KindOf(err) == httpx.Permission:
			continue
		case err != nil:
			return out, err
		case si.Key == "" || si.Key == k:
			continue
		}
		iss := c.issue(si)
		iss.FormerKey = k
		if i, ok := have[iss.Key]; ok {
			out[i] = iss
			continue
		}
		have[iss.Key] = len(out)
		out = append(out, iss)
	}
	return out, nil
}

// inKeyOrder flattens chunk results into the order of keys.
func inKeyOrder(keys []string, results [][]tracker.Issue) []tracker.Issue {
	byKey := map[string]tracker.Issue{}
	var moved []tracker.Issue
	asked := make(map[string]bool, len(keys))
	for _, k := range keys {
		asked[k] = true
	}
	for _, chunk := range results {
		for _, iss := range chunk {
			if asked[iss.Key] {
				byKey[iss.Key] = iss
			} else {
				moved = append(moved, iss)
			}
		}
	}
	out := make([]tracker.Issue, 0, len(byKey)+len(moved))
	for _, k := range keys {
		if iss, ok := byKey[k]; ok {
			out = append(out, iss)
		}
	}
	return append(out, moved...)
}

// searchChunk runs one key-in search, dropping the keys Jira says do not
// exist until it answers.
func (c *Client) searchChunk(ctx context.Context, keys []string) ([]tracker.Issue, error) {
	for len(keys) > 0 {
		issues, err := c.searchJQL(ctx, "search", keysJQL(keys), 0)
		var te *httpx.Error
		if err == nil || !errors.As(err, &te) || te.Kind != httpx.BadRequest {
			return issues, err
		}
		gone := missingKeys(te.Message)
		kept := make([]string, 0, len(keys))
		for _, k := range keys {
			if !gone[k] {
				kept = append(kept, k)
			}
		}
		if len(kept) == len(keys) {
			return nil, err
		}
		keys = kept
	}
	return nil, nil
}

// searchJQL runs jql through every page (or until limit issues, when
// limit > 0). Searches are reads, so the transport may retry them.
func (c *Client) searchJQL(ctx context.Context, op, jql string, limit int) ([]tracker.Issue, error) {
	ctx = httpx.MarkIdempotent(ctx)
	pageSize := tracker.MaxSearchChunk
	if limit > 0 {
		pageSize = min(limit, pageSize)
	}
	var out []tracker.Issue
	token, startAt := "", 0
	for page := 0; page < maxPages; page++ {
		body := map[string]any{"jql": jql, "fields": searchFields, "maxResults": pageSize}
		var issues []searchIssue
		last := false
		if c.flavor == Cloud {
			if token != "" {
				body["nextPageToken"] = token
			}
			var p cloudPage
			if err := c.call(ctx, op, http.MethodPost, "/search/jql", body, &p); err != nil {
				return out, err
			}
			issues = p.Issues
			last = p.IsLast || p.NextPageToken == ""
			if !last && p.NextPageToken == token {
				return out, c.fail(op, httpx.Transient, http.StatusOK, "Jira repeated a page token", nil)
			}
			token = p.NextPageToken
		} else {
			body["startAt"] = startAt
			var p serverPage
			if err := c.call(ctx, op, http.MethodPost, "/search", body, &p); err != nil {
				return out, err
			}
			issues = p.Issues
			startAt += len(p.Issues)
			last = len(p.Issues) == 0 || startAt >= p.Total
		}
		for _, si := range issues {
			out = append(out, c.issue(si))
		}
		if limit > 0 && len(out) >= limit {
			return out[:limit], nil
		}
		if last {
			return out, nil
		}
	}
	return out, c.fail(op, httpx.Transient, http.StatusOK, "Jira kept paging past 1000 pages", nil)
}

// issue converts a search hit.
func (c *Client) issue(si searchIssue) tracker.Issue {
	iss := tracker.Issue{Key: si.Key, URL: c.browseURL(si.Key), StatusCategory: tracker.Unknown}
	if st := si.Fields.Status; st != nil {
		iss.StatusName = st.Name
		iss.StatusCategory = Category(st.StatusCategory.Key)
	}
	// An updated time Jira omits or writes differently stays zero: it is
	// shown to people, never decided on, so it must not fail the sync.
	if t, err := time.Parse(timeLayout, si.Fields.Updated); err == nil {
		iss.Updated = t.UTC()
	} else if t, err := time.Parse(time.RFC3339Nano, si.Fields.Updated); err == nil {
		iss.Updated = t.UTC()
	}
	return iss
}

// Category maps Jira's status category key to VendorSync's: "new" (To Do)
// is to_do, "indeterminate" (In Progress) is in_progress, "done" is done,
// anything else ("undefined", a missing status) is unknown.
func Category(key string) tracker.StatusCategory {
	switch key {
	case "new":
		return tracker.ToDo
	case "indeterminate":
		return tracker.InProgress
	case "done":
		return tracker.Done
	}
	return tracker.Unknown
}
