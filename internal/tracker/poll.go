package tracker

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// ChangeLister is a Provider that lists the issues of a project changed
// since a time, which polling reconciliation reads to catch what a lost
// webhook delivery missed. Every forge and Jira implement it.
type ChangeLister interface {
	// ListChanged reads one page of the issues of project (a repository,
	// a GitLab project path, a Jira project key) updated at or after
	// since, with every canonical field. page is "" for the first page and
	// ChangePage.Next for the ones after.
	ListChanged(ctx context.Context, project string, since time.Time, page string) (ChangePage, error)
}

// ChangePage is one page of changed issues.
type ChangePage struct {
	Issues []Issue
	// Next names the following page; "" on the last.
	Next string
	// Ordered is true when the listing runs oldest change first, so every
	// issue on the pages not read yet changed at or after the last one
	// here: the cursor may move to it as soon as this page is committed.
	// A listing in another order moves the cursor only after its last
	// page.
	Ordered bool
	// Wait, when set, is how long the tracker asked for no further
	// request (its budget is spent until then, though this answer came).
	Wait time.Duration
}

// BudgetWait reads a spent rate-limit budget from h: the prefix's
// Remaining header at 0 and its Reset header, Unix seconds (GitHub's
// X-RateLimit-*, GitLab's RateLimit-*). Zero when budget is left, or the
// headers are absent.
func BudgetWait(h http.Header, prefix string, now time.Time) time.Duration {
	if h.Get(prefix+"Remaining") != "0" {
		return 0
	}
	reset, err := strconv.ParseInt(h.Get(prefix+"Reset"), 10, 64)
	if err != nil {
		return time.Minute
	}
	return max(time.Unix(reset, 0).Sub(now), time.Second)
}
