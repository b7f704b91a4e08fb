package jira_test

import (
	"context"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
)

func TestCommentOnceAfterCommitThenStall(t *testing.T) {
	body := tracker.Document{Paragraphs: []tracker.Paragraph{{Text: "Escalated: D-7 before the deadline."}}}
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			key := srv.Seed("PAY", 1)[0]
			c := newClient(t, srv, flavor, func(c *jira.Config) { c.Timeout = 300 * time.Millisecond })
			// Jira stores the comment, then the answer never arrives in time.
			srv.Inject(jiratest.RouteComment, jiratest.TimeoutAfterCommit(3*time.Second))
			ctx := context.Background()
			if _, err := tracker.CommentOnce(ctx, c, key, body, "t1/d7/tracker_comment/"+key); err == nil {
				t.Fatal("first attempt succeeded; want the timeout")
			}
			if n := len(srv.Comments(key)); n != 1 {
				t.Fatalf("%d comments after the stalled attempt, want the 1 Jira committed", n)
			}
			posted, err := tracker.CommentOnce(ctx, c, key, body, "t1/d7/tracker_comment/"+key)
			if err != nil || posted {
				t.Fatalf("retry = posted %v, %v; want the stored comment recognised", posted, err)
			}
			if n := len(srv.Comments(key)); n != 1 {
				t.Errorf("%d comments after the retry, want 1", n)
			}
			// Another reminder (another ref) is a new comment.
			if posted, err := tracker.CommentOnce(ctx, c, key, body, "t1/d3/tracker_comment/"+key); err != nil || !posted {
				t.Fatalf("other ref = posted %v, %v; want a new comment", posted, err)
			}
			if n := len(srv.Comments(key)); n != 2 {
				t.Errorf("%d comments, want 2", n)
			}
		})
	}
}

func TestHasCommentPages(t *testing.T) {
	srv := jiratest.New(t)
	srv.SetPageSize(2)
	key := srv.Seed("PAY", 1)[0]
	c := newClient(t, srv, jira.Cloud)
	ctx := context.Background()
	first := "ref-0"
	for i := range 5 {
		ref := "ref-" + string(rune('0'+i))
		if _, err := tracker.CommentOnce(ctx, c, key, tracker.Document{Title: "Reminder"}, ref); err != nil {
			t.Fatal(err)
		}
	}
	// The oldest comment is on the last page, newest first.
	found, err := c.HasComment(ctx, key, tracker.CommentMarker(first))
	if err != nil || !found {
		t.Fatalf("HasComment(oldest) = %v, %v; want found across pages", found, err)
	}
	found, err = c.HasComment(ctx, key, tracker.CommentMarker("never"))
	if err != nil || found {
		t.Fatalf("HasComment(unknown) = %v, %v; want not found", found, err)
	}
}

func TestSearchFollowsMovedIssue(t *testing.T) {
	for _, flavor := range flavors {
		t.Run(string(flavor), func(t *testing.T) {
			srv := jiratest.New(t)
			keys := srv.Seed("PAY", 3)
			moved := srv.Move(keys[0], "OPS")
			srv.SetStatus(moved, "In Progress", jiratest.CategoryInProgress)
			if _, ok := srv.Issue(keys[0]); ok {
				t.Fatal("the old key still names an issue of its own")
			}
			got, err := newClient(t, srv, flavor).Search(context.Background(), keys)
			if err != nil {
				t.Fatal(err)
			}
			byKey := map[string]tracker.Issue{}
			for _, iss := range got {
				byKey[iss.Key] = iss
			}
			if len(got) != 3 {
				t.Fatalf("got %d issues (%v), want 3", len(got), got)
			}
			iss, ok := byKey[moved]
			if !ok || iss.FormerKey != keys[0] || iss.StatusCategory != tracker.InProgress {
				t.Fatalf("moved issue = %+v (found %v); want key %s, former key %s, in progress", iss, ok, moved, keys[0])
			}
			if byKey[keys[1]].FormerKey != "" {
				t.Errorf("unmoved issue has former key %q", byKey[keys[1]].FormerKey)
			}
		})
	}
}
