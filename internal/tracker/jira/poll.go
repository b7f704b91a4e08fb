package jira

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

var _ tracker.ChangeLister = (*Client)(nil)

// pollFields are the canonical fields a changed-issues search reads.
var pollFields = []string{"summary", "description", "status", "labels", "assignee", "duedate", "updated"}

// ListChanged reads one page of the issues of project updated at or after
// since, newest change first: POST /rest/api/3/search/jql paged by
// nextPageToken on Cloud, POST /rest/api/2/search paged by startAt (until
// total) on Server/Data Center, 100 issues a page.
//
// The listing runs newest first, and is therefore not Ordered, on purpose:
// Jira pages by position in the result, and an issue changed while the
// pages are read moves to the newest end. Oldest first, that move would
// shift every issue not read yet one place back, and the one on the page
// boundary would never be read — an issue the cursor then passes. Newest
// first, the changed issue moves to the pages already read and the rest
// shift forward: one is read twice, none is missed. The cursor moves after
// the last page, to the newest change read.
func (c *Client) ListChanged(ctx context.Context, project string, since time.Time, page string) (tracker.ChangePage, error) {
	op := "list issues changed in " + project
	if !ValidProjectKey(project) {
		return tracker.ChangePage{}, c.fail(op, httpx.BadRequest, 0, "project key "+strconv.Quote(project)+" is not a Jira project key", nil)
	}
	zone, err := c.userZone(ctx)
	if err != nil {
		return tracker.ChangePage{}, err
	}
	ctx = httpx.MarkIdempotent(ctx)
	body := map[string]any{"jql": changedJQL(project, since, zone), "fields": pollFields, "maxResults": tracker.MaxSearchChunk}
	var hits []issueFields
	var out tracker.ChangePage
	if c.flavor == Cloud {
		if page != "" {
			body["nextPageToken"] = page
		}
		var p struct {
			Issues        []issueFields `json:"issues"`
			NextPageToken string        `json:"nextPageToken"`
			IsLast        bool          `json:"isLast"`
		}
		if err := c.call(ctx, op, http.MethodPost, "/search/jql", body, &p); err != nil {
			return out, err
		}
		if !p.IsLast && p.NextPageToken != "" {
			if p.NextPageToken == page {
				return out, c.fail(op, httpx.Transient, http.StatusOK, "Jira repeated a page token", nil)
			}
			out.Next = p.NextPageToken
		}
		hits = p.Issues
	} else {
		start := 0
		if page != "" {
			n, err := strconv.Atoi(page)
			if err != nil || n < 0 {
				return out, c.fail(op, httpx.BadRequest, 0, "page "+strconv.Quote(page)+" is not a result position", nil)
			}
			start = n
		}
		body["startAt"] = start
		var p struct {
			Total  int           `json:"total"`
			Issues []issueFields `json:"issues"`
		}
		if err := c.call(ctx, op, http.MethodPost, "/search", body, &p); err != nil {
			return out, err
		}
		if end := start + len(p.Issues); len(p.Issues) > 0 && end < p.Total {
			out.Next = strconv.Itoa(end)
		}
		hits = p.Issues
	}
	for i := range hits {
		if hits[i].Key == "" || hits[i].Fields.Status == nil {
			continue // asked for status, so never the case; nothing to apply
		}
		iss := hits[i].issue()
		iss.URL = c.browseURL(iss.Key)
		out.Issues = append(out.Issues, iss)
	}
	return out, nil
}

// changedJQL is the changed-issues query. JQL takes dates to the minute,
// read in the searching user's time zone (the account's profile zone, or
// the site's default), never in UTC: since is written as a wall-clock time
// in that zone, rounded down to its minute, so the search starts at or
// before since and never after it. Rounding re-reads at most a minute,
// which the poll's overlap re-reads anyway; reading an issue twice changes
// nothing. When zone is nil (Jira did not say, or this host has no zone
// database), the time is written in UTC less 12 hours: Jira then reads it
// as an instant at or before since in every zone on Earth (the most
// westerly is UTC−12). Within an hour of a daylight-saving change a wall
// time can name two instants and Jira may pick the later one, so there the
// time is written an hour earlier.
func changedJQL(project string, since time.Time, zone *time.Location) string {
	at := since.Add(-12 * time.Hour).UTC()
	if zone != nil {
		at = since.In(zone)
		_, off := at.Zone()
		_, before := at.Add(-time.Hour).Zone()
		_, after := at.Add(time.Hour).Zone()
		if before != off || after != off {
			at = at.Add(-time.Hour)
		}
	}
	return "project = " + jqlString(project) + " AND updated >= " + jqlString(at.Format("2006-01-02 15:04")) +
		" ORDER BY updated DESC"
}

// userZone reads the API account's time zone from GET /myself once per
// client; nil when Jira does not name one this host knows.
func (c *Client) userZone(ctx context.Context) (*time.Location, error) {
	c.mu.Lock()
	known, zone := c.zoneRead, c.zone
	c.mu.Unlock()
	if known {
		return zone, nil
	}
	var me struct {
		TimeZone string `json:"timeZone"`
	}
	if err := c.call(httpx.MarkIdempotent(ctx), "read the account's time zone", http.MethodGet, "/myself", nil, &me); err != nil {
		return nil, err
	}
	if me.TimeZone != "" {
		// An unknown zone name leaves zone nil: changedJQL then widens the
		// search so that no zone can make it start late.
		zone, _ = time.LoadLocation(me.TimeZone)
	}
	c.mu.Lock()
	c.zone, c.zoneRead = zone, true
	c.mu.Unlock()
	return zone, nil
}
