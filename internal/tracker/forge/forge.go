// Package forge holds what the Git forges' providers (tracker/github,
// tracker/gitlab, tracker/gitea) share: the issue key "owner/repo#12", the
// idempotency marker label within the forges' label limits, the status an
// open or closed issue stands for, and the classification of an SDK's
// answer into the remote-error taxonomy.
package forge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// MaxLabel is the longest label name GitHub and Gitea accept (GitLab takes
// 255); every label VendorSync sets on a forge fits it.
const MaxLabel = 50

// MarkerLabel is the idempotency label of key on a forge:
// tracker.IdempotencyLabel(key) when it fits MaxLabel, otherwise "vsid-"
// and the first 40 hex digits of the SHA-256 of the lower-cased key.
// Either form is deterministic, so every attempt searches for the label an
// earlier one set.
func MarkerLabel(key string) string {
	l := tracker.IdempotencyLabel(key)
	if len(l) <= MaxLabel {
		return l
	}
	sum := sha256.Sum256([]byte(strings.ToLower(key)))
	return tracker.IdempotencyLabelPrefix + hex.EncodeToString(sum[:])[:40]
}

// Labels normalises the labels of a spec for a forge: trimmed, at most
// MaxLabel characters, no commas (GitLab and Gitea split label filters on
// them), duplicates and empties dropped, the marker label last.
func Labels(spec tracker.IssueSpec) []string {
	seen := map[string]bool{}
	var out []string
	add := func(l string) {
		l = strings.TrimSpace(strings.ReplaceAll(l, ",", " "))
		if r := []rune(l); len(r) > MaxLabel {
			l = strings.TrimSpace(string(r[:MaxLabel]))
		}
		if l == "" || seen[strings.ToLower(l)] {
			return
		}
		seen[strings.ToLower(l)] = true
		out = append(out, l)
	}
	for _, l := range spec.Labels {
		add(l)
	}
	if spec.IdempotencyKey != "" {
		add(MarkerLabel(spec.IdempotencyKey))
	}
	return out
}

// Validate checks spec for a forge: the tracker's own rules with the issue
// type optional (forges have none), and a project of the form owner/name
// (a GitLab path may hold subgroups).
func Validate(spec tracker.IssueSpec, nested bool) error {
	if strings.TrimSpace(spec.IssueType) == "" {
		spec.IssueType = "issue"
	}
	if err := spec.Validate(); err != nil {
		return err
	}
	if _, _, ok := SplitProject(spec.ProjectKey, nested); !ok {
		msg := "repository must be owner/name"
		if nested {
			msg = "project must be its path, group/name"
		}
		return &httpx.Error{Op: "validate issue", Kind: httpx.BadRequest, Message: msg}
	}
	return nil
}

// SplitProject splits "owner/name" (or "group/sub/name" when nested) into
// the owner part and the name; false when p is not of that form.
func SplitProject(p string, nested bool) (owner, name string, ok bool) {
	p = strings.Trim(strings.TrimSpace(p), "/")
	i := strings.LastIndexByte(p, '/')
	if i <= 0 || i == len(p)-1 {
		return "", "", false
	}
	owner, name = p[:i], p[i+1:]
	if !nested && strings.Contains(owner, "/") {
		return "", "", false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." || strings.ContainsAny(part, " ?#%\\") {
			return "", "", false
		}
	}
	return owner, name, true
}

// Key is the issue key VendorSync records for issue number n of project:
// "owner/repo#12".
func Key(project string, n int64) string {
	return strings.Trim(strings.TrimSpace(project), "/") + "#" + strconv.FormatInt(n, 10)
}

// ParseKey splits an issue key into its project and number; false when key
// is not one.
func ParseKey(key string, nested bool) (project string, n int64, ok bool) {
	project, num, found := strings.Cut(key, "#")
	if !found {
		return "", 0, false
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, false
	}
	if _, _, ok := SplitProject(project, nested); !ok {
		return "", 0, false
	}
	return project, n, true
}

// InProgressLabels are the labels that put an open forge issue in
// progress, compared case-insensitively: forges have no workflow, so teams
// say it with a label. A connection's sync settings may name others, or
// count an assignee (see Progress); these are their default.
var InProgressLabels = []string{"in progress", "in-progress", "doing", "status: in progress", "workflow::in progress"}

// Status is the status name and category of a forge issue: closed is done
// (GitHub's "closed as not planned" keeps its name), open with an
// in-progress label is in progress, open is to do.
func Status(state, reason string, labels []string) (string, tracker.StatusCategory) {
	switch strings.ToLower(state) {
	case "closed":
		if reason == "not_planned" {
			return "Closed (not planned)", tracker.Done
		}
		return "Closed", tracker.Done
	case "open", "opened", "reopened":
		if hasLabel(labels, InProgressLabels) {
			return "In progress", tracker.InProgress
		}
		return "Open", tracker.ToDo
	}
	return state, tracker.Unknown
}

// Progress is iss with the status of an open issue decided by a
// connection's rule instead of InProgressLabels: in progress when it
// carries one of labels (compared case-insensitively), or, when assigned
// is set, when anyone is assigned to it; to do otherwise. A closed or
// deleted issue, one of unknown status, or one told without its fields
// is returned as it is.
func Progress(iss tracker.Issue, labels []string, assigned bool) tracker.Issue {
	open := iss.StatusCategory == tracker.ToDo || iss.StatusCategory == tracker.InProgress
	if iss.Fields == nil || iss.Deleted || !open {
		return iss
	}
	iss.StatusName, iss.StatusCategory = "Open", tracker.ToDo
	if hasLabel(iss.Fields.Labels, labels) || (assigned && slices.ContainsFunc(iss.Fields.Assignees, func(a string) bool {
		return strings.TrimSpace(a) != ""
	})) {
		iss.StatusName, iss.StatusCategory = "In progress", tracker.InProgress
	}
	return iss
}

// hasLabel reports whether labels holds one of want, case-insensitively.
func hasLabel(labels, want []string) bool {
	for _, l := range labels {
		for _, w := range want {
			if strings.EqualFold(strings.TrimSpace(l), strings.TrimSpace(w)) {
				return true
			}
		}
	}
	return false
}

// Classify turns the outcome of an SDK call that failed into the client's
// *httpx.Error: resp is the HTTP answer when there was one, message what
// the forge said. Without an answer (a network failure, a timeout, an
// error of the shared transport) it is httpx.CallError.
func Classify(ctx context.Context, upstream, op string, resp *http.Response, err error, message string) error {
	var he *httpx.Error
	if resp == nil || errors.As(err, &he) {
		return httpx.CallError(ctx, upstream, op, err)
	}
	e := httpx.StatusError(upstream, op, resp, "", Truncate(message, 500))
	e.Err = err
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Kind, e.Message = httpx.BadRequest, "the server redirected: check the base URL"
	case e.Kind == httpx.Permanent:
		e.Kind = httpx.Transient
	}
	return e
}

// Truncate shortens s to n runes, marking the cut.
func Truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
