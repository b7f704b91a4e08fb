package jira

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// assigneeTTL is how long a resolved assignee is reused before Jira is
// asked again (a person leaves, an email changes).
const assigneeTTL = time.Hour

// maxUserResults is how many users one user search reads.
const maxUserResults = 50

// cloudAccountID matches Jira Cloud account IDs: 24 hex digits for older
// accounts, "<digits>:<uuid>" for newer ones.
var cloudAccountID = regexp.MustCompile(`^([0-9a-f]{24}|[0-9]+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// resolved is a cached assignee resolution.
type resolved struct {
	ref string
	at  time.Time
}

// jiraUser is a user of GET /user/search: Cloud answers accountId (and
// emailAddress only when the user's privacy settings allow), Server answers
// name and key.
type jiraUser struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType"`
	Name         string `json:"name"`
	EmailAddress string `json:"emailAddress"`
	DisplayName  string `json:"displayName"`
	Active       bool   `json:"active"`
}

// ResolveAssignee turns an assignee as an admin configured it (an email
// address, a display name, a Server user name, or a Cloud account ID)
// into what the flavor's create takes: the accountId on Cloud, found with
// GET /rest/api/3/user/search?query=…, the user name on Server, found with
// GET /rest/api/2/user/search?username=…. An exact match of the email,
// the user name or the display name wins; otherwise the only active user
// the search finds. Results are cached for an hour. No single active user
// is a *tracker.AssigneeError.
func (c *Client) ResolveAssignee(ctx context.Context, who string) (string, error) {
	who = strings.TrimSpace(who)
	if who == "" || (c.flavor == Cloud && cloudAccountID.MatchString(who)) {
		return who, nil
	}
	cacheKey := strings.ToLower(who)
	c.mu.Lock()
	r, ok := c.assignees[cacheKey]
	c.mu.Unlock()
	if ok && time.Since(r.at) < assigneeTTL {
		return r.ref, nil
	}
	op := "find the Jira user " + who
	q := url.Values{"maxResults": {strconv.Itoa(maxUserResults)}}
	if c.flavor == Cloud {
		q.Set("query", who)
	} else {
		q.Set("username", who)
	}
	var users []jiraUser
	if err := c.call(httpx.MarkIdempotent(ctx), op, http.MethodGet, "/user/search?"+q.Encode(), nil, &users); err != nil {
		if httpx.KindOf(err) == httpx.Permission {
			err = &tracker.AssigneeError{Assignee: who, Err: c.fail(op, httpx.Permission, http.StatusForbidden,
				"the Jira account may not look up users: it needs the global permission Browse users and groups", err)}
		}
		return "", err
	}
	ref, problem := c.pickUser(who, users)
	if problem != "" {
		return "", &tracker.AssigneeError{Assignee: who, Err: c.fail(op, httpx.BadRequest, 0, problem, nil)}
	}
	c.mu.Lock()
	if c.assignees == nil {
		c.assignees = map[string]resolved{}
	}
	c.assignees[cacheKey] = resolved{ref: ref, at: time.Now()}
	c.mu.Unlock()
	return ref, nil
}

// pickUser chooses the user who means among a search's results and
// returns its reference, or says why none fits.
func (c *Client) pickUser(who string, users []jiraUser) (string, string) {
	var active []jiraUser
	for _, u := range users {
		if u.Active && (u.AccountType == "" || u.AccountType == "atlassian") {
			active = append(active, u)
		}
	}
	ref := func(u jiraUser) string {
		if c.flavor == Cloud {
			return u.AccountID
		}
		return u.Name
	}
	for _, exact := range []func(jiraUser) string{
		func(u jiraUser) string { return u.EmailAddress },
		func(u jiraUser) string { return u.Name },
	} {
		for _, u := range active {
			if v := exact(u); v != "" && strings.EqualFold(v, who) {
				return ref(u), ""
			}
		}
	}
	var named []jiraUser
	for _, u := range active {
		if strings.EqualFold(u.DisplayName, who) {
			named = append(named, u)
		}
	}
	switch {
	case len(named) == 1:
		return ref(named[0]), ""
	case len(named) == 0 && len(active) == 1:
		return ref(active[0]), ""
	case len(active) == 0:
		return "", "Jira has no active user matching the assignee \"" + who + "\""
	}
	names := make([]string, 0, min(len(active), 5))
	for _, u := range active[:min(len(active), 5)] {
		names = append(names, u.DisplayName)
	}
	return "", "the assignee \"" + who + "\" matches several Jira users (" + strings.Join(names, ", ") +
		"): use the person's email address"
}
