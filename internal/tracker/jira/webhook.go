package jira

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Webhook is Jira's delivery scheme: X-Hub-Signature carries "sha256=" and
// the hex HMAC-SHA256 of the body (webhooks registered with a secret).
// Jira names a delivery by its webhook (X-Atlassian-Webhook-Identifier,
// else the matched webhook ids in the body) and the event's timestamp,
// both the same on a retry.
var Webhook = &tracker.Webhook{
	Verify: func(h http.Header, body, secret []byte) error {
		return tracker.VerifyHMACHex(h.Get("X-Hub-Signature"), "sha256=", body, secret)
	},
	DeliveryID: deliveryID,
	Event: func(_ http.Header, body []byte) string {
		var ev hookEvent
		if json.Unmarshal(body, &ev) != nil {
			return ""
		}
		return ev.WebhookEvent
	},
	Parse: parseHook,
}

// hookEvent is the part of a Jira webhook delivery VendorSync reads.
type hookEvent struct {
	Timestamp    json.Number  `json:"timestamp"`
	WebhookEvent string       `json:"webhookEvent"`
	MatchedIDs   []int64      `json:"matchedWebhookIds"`
	Issue        *issueFields `json:"issue"`
}

// issueFields is an issue with its canonical fields, as a webhook delivery
// and a changed-issues search carry it.
type issueFields struct {
	Key    string `json:"key"`
	Self   string `json:"self"`
	Fields struct {
		Summary     string          `json:"summary"`
		Description json.RawMessage `json:"description"`
		Labels      []string        `json:"labels"`
		DueDate     string          `json:"duedate"`
		Assignee    *struct {
			DisplayName string `json:"displayName"`
		} `json:"assignee"`
		Updated string `json:"updated"`
		Status  *struct {
			Name     string `json:"name"`
			Category struct {
				Key string `json:"key"`
			} `json:"statusCategory"`
		} `json:"status"`
	} `json:"fields"`
}

func deliveryID(h http.Header, body []byte) string {
	var ev hookEvent
	if json.Unmarshal(body, &ev) != nil || ev.Timestamp == "" {
		return ""
	}
	hook := h.Get("X-Atlassian-Webhook-Identifier")
	if hook == "" {
		ids := make([]string, len(ev.MatchedIDs))
		for i, id := range ev.MatchedIDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		hook = strings.Join(ids, ",")
	}
	if hook == "" {
		return ""
	}
	return hook + ":" + ev.Timestamp.String()
}

func parseHook(event string, body []byte) (tracker.Issue, bool, error) {
	if !strings.HasPrefix(event, "jira:issue_") || event == "jira:issue_deleted" {
		return tracker.Issue{}, false, nil
	}
	var ev hookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return tracker.Issue{}, false, fmt.Errorf("read the Jira delivery: %w", err)
	}
	is := ev.Issue
	if is == nil || is.Key == "" || is.Fields.Status == nil {
		return tracker.Issue{}, false, nil
	}
	return is.issue(), true, nil
}

// issue converts the issue with its canonical fields; its status must be
// present.
func (is *issueFields) issue() tracker.Issue {
	state := "open"
	if is.Fields.Status.Category.Key == "done" {
		state = "closed"
	}
	f := &tracker.IssueFields{Title: is.Fields.Summary, State: state, Labels: is.Fields.Labels, Assignees: []string{},
		DueDate: is.Fields.DueDate}
	if f.Labels == nil {
		f.Labels = []string{}
	}
	f.Body = descriptionText(is.Fields.Description)
	if is.Fields.Assignee != nil {
		f.Assignees = append(f.Assignees, is.Fields.Assignee.DisplayName)
	}
	iss := tracker.Issue{Key: is.Key, StatusName: is.Fields.Status.Name, StatusCategory: Category(is.Fields.Status.Category.Key),
		Updated: tracker.ParseTime(is.Fields.Updated), Fields: f}
	if base, _, ok := strings.Cut(is.Self, "/rest/api/"); ok {
		iss.URL = base + "/browse/" + is.Key
	}
	return iss
}
