// Package tracker is the provider-neutral face of the issue trackers
// VendorSync writes to: Jira Cloud and Server/Data Center today, GitHub,
// GitLab and Gitea later. Jobs, the sync loop and the UI depend on Provider
// only; each provider package (tracker/jira, …) registers its connection
// kinds as Factories, renders the neutral Document into its own markup and
// classifies its failures into the remote-error taxonomy, *httpx.Error. The
// program puts every provider's factories in one Registry, which turns a
// stored connection (its Kind and Settings) into a Provider.
//
// VendorSync only creates issues, adds comments and reads status. It never
// transitions, edits or deletes an issue, so Provider has no such methods.
package tracker

import (
	"context"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// Provider is the client of one configured tracker connection, built by a
// Registry from the connection's kind and settings. Implementations are
// safe for concurrent use.
type Provider interface {
	// CreateIssue opens one issue. When spec.IdempotencyKey is set the issue
	// carries IdempotencyLabel(spec.IdempotencyKey), which is what
	// FindByIdempotencyKey searches for. CreateIssue itself does not look
	// first: use CreateOnce for exactly-once creation.
	CreateIssue(ctx context.Context, spec IssueSpec) (Issue, error)

	// FindByIdempotencyKey returns the issue in project that carries the
	// idempotency key, and false when there is none. When several carry it
	// (created before this scheme existed, or by a racing worker), the
	// oldest is returned so every caller settles on the same one.
	FindByIdempotencyKey(ctx context.Context, project, key string) (Issue, bool, error)

	// Search returns the current state of the issues with the given keys,
	// in the order of keys, fetching them in chunks of at most MaxSearchChunk
	// keys with one search (plus paging) per chunk. Keys the provider cannot
	// parse, and issues that no longer exist or that the account cannot see,
	// are simply absent from the result; the caller diffs. An issue that
	// moved comes back under its new key with FormerKey set to the key
	// asked for. On error, the
	// issues of chunks that did complete are returned alongside the error.
	Search(ctx context.Context, keys []string) ([]Issue, error)

	// Comment adds a comment to the issue with the given key.
	Comment(ctx context.Context, key string, body Document) error

	// Test checks the connection and credentials and returns the display
	// name of the account VendorSync acts as.
	Test(ctx context.Context) (account string, err error)
}

// MaxSearchChunk is the most keys one search request carries: Jira answers
// at most 100 issues per page, and a JQL of 100 keys stays well inside URL
// and query-length limits everywhere.
const MaxSearchChunk = 100

// IssueSpec is what VendorSync asks a tracker to create.
type IssueSpec struct {
	// ProjectKey is the Jira project key (PAY) or the repository
	// (owner/name) for Git forges.
	ProjectKey string
	// IssueType is the Jira issue type by name (Task); forges ignore it.
	IssueType string
	// Summary is the one-line title: "Visa — URL endpoint change [VS-2847]".
	// At most MaxSummaryLen characters, no line breaks.
	Summary string
	// Description is rendered by each provider in its own markup.
	Description Document
	// DueDate is the civil date the work is due; zero means none.
	DueDate Date
	// Assignee is who the issue is assigned to: a forge login, or for Jira
	// an email address, display name, Cloud accountId or Server user name,
	// which the provider resolves to what its API takes (see
	// AssigneeResolver). Empty leaves it unassigned.
	Assignee string
	// Labels are added as given (see each provider for normalisation), plus
	// the idempotency label.
	Labels []string
	// IdempotencyKey identifies the intent "issue for this ticket and this
	// application", e.g. "VS-2847-" + application id, so that a retry finds
	// the issue an earlier attempt created. See IdempotencyLabel.
	IdempotencyKey string
}

// MaxSummaryLen is the longest summary Jira accepts (in characters).
const MaxSummaryLen = 255

// Validate reports the problems Jira would reject anyway, before any call,
// as an httpx.BadRequest error.
func (s IssueSpec) Validate() error {
	var probs []string
	if strings.TrimSpace(s.ProjectKey) == "" {
		probs = append(probs, "project key is required")
	}
	if strings.TrimSpace(s.IssueType) == "" {
		probs = append(probs, "issue type is required")
	}
	switch n := len([]rune(s.Summary)); {
	case strings.TrimSpace(s.Summary) == "":
		probs = append(probs, "summary is required")
	case n > MaxSummaryLen:
		probs = append(probs, "summary is longer than 255 characters")
	case strings.ContainsAny(s.Summary, "\r\n"):
		probs = append(probs, "summary contains a line break")
	}
	if !s.DueDate.IsZero() && !s.DueDate.Valid() {
		probs = append(probs, "due date is not YYYY-MM-DD")
	}
	if s.IdempotencyKey != "" && !ValidIdempotencyKey(s.IdempotencyKey) {
		probs = append(probs, "idempotency key may hold only letters, digits, '.', '_', ':' and '-' (at most 200)")
	}
	if err := s.Description.Validate(); err != nil {
		probs = append(probs, err.Error())
	}
	if len(probs) == 0 {
		return nil
	}
	return &httpx.Error{Op: "validate issue", Kind: httpx.BadRequest, Message: strings.Join(probs, "; ")}
}

// Issue is a tracker issue as VendorSync stores it on a link.
type Issue struct {
	// Key is the tracker's human key (PAY-9421, owner/repo#12).
	Key string
	// URL is where a person opens the issue.
	URL string
	// StatusName is the workflow's own status name, kept for display.
	StatusName string
	// StatusCategory is what VendorSync decides on; Unknown right after
	// creation, until the next sync reads it.
	StatusCategory StatusCategory
	// Updated is when the tracker last changed the issue; zero when the
	// tracker did not say.
	Updated time.Time
	// FormerKey is set by Search when the issue was asked for under a key
	// it no longer has (a Jira issue moved to another project): the key
	// asked for, so the caller can re-key its link.
	FormerKey string
	// Deleted is true when the tracker told that the issue was deleted (a
	// webhook delivery of its deletion).
	Deleted bool
	// Fields are the issue's canonical fields when the answer carried them
	// (a webhook delivery does); nil when it told only the status.
	Fields *IssueFields
}

// IssueFields are an issue's canonical fields, whatever the tracker, as the
// local mirror keeps them.
type IssueFields struct {
	Title string `json:"title"`
	// Body is the description as text: Markdown on the forges, wiki text
	// on Jira Server, and on Jira Cloud its Atlassian document rendered as
	// Markdown. Bodies are compared by SameBody.
	Body string `json:"body"`
	// State is open or closed.
	State     string   `json:"state"`
	Labels    []string `json:"labels"`
	Assignees []string `json:"assignees"`
	// DueDate is YYYY-MM-DD where the tracker has due dates; "" otherwise.
	DueDate string `json:"due_date,omitempty"`
}

// StatusCategory is the workflow-independent state of an issue.
type StatusCategory string

// The status categories of the seed's status mapping.
const (
	ToDo       StatusCategory = "to_do"
	InProgress StatusCategory = "in_progress"
	Done       StatusCategory = "done"
	Unknown    StatusCategory = "unknown"
)

// FieldUpdater is a Provider that changes an issue's canonical fields: the
// outbox pushes changes made in VendorSync with it. Every provider
// implements it.
type FieldUpdater interface {
	// UpdateFields sets the named fields (of SyncFields' names: title,
	// body, state, labels, assignees, due_date) of the issue with key to
	// to's values, leaving the others as they are, and returns the issue as
	// the tracker holds it afterwards, with its fields and when it was
	// stamped updated. A field the tracker does not have (a due date on
	// GitHub) is not sent.
	UpdateFields(ctx context.Context, key string, fields []string, to IssueFields) (Issue, error)
}
