package jira

import (
	"regexp"
	"strings"
)

// issueKey is Jira's issue-key shape: a project key (an upper-case letter,
// then upper-case letters, digits or underscores) and a number.
var issueKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[1-9][0-9]*$`)

// projectKey is Jira's project-key shape.
var projectKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// ValidIssueKey reports whether key looks like a Jira issue key (PAY-9421).
// Only such keys ever reach a JQL query.
func ValidIssueKey(key string) bool { return len(key) <= 255 && issueKey.MatchString(key) }

// ValidProjectKey reports whether key looks like a Jira project key (PAY).
func ValidProjectKey(key string) bool { return len(key) <= 255 && projectKey.MatchString(key) }

// jqlString quotes s as a JQL string literal.
func jqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// keysJQL is the batched status query: key in ("PAY-1", "PAY-2").
// Callers pass only keys that passed ValidIssueKey.
func keysJQL(keys []string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = jqlString(k)
	}
	return "key in (" + strings.Join(quoted, ", ") + ") ORDER BY key ASC"
}

// labelJQL finds the issues carrying an idempotency label, oldest first.
func labelJQL(project, label string) string {
	return "project = " + jqlString(project) + " AND labels = " + jqlString(label) + " ORDER BY created ASC"
}

// missingKey matches Jira's complaints about keys in a key-in clause:
// "An issue with key 'PAY-9' does not exist for field 'key'." and
// "The issue key 'PAY-0' for field 'key' is invalid."
var missingKey = regexp.MustCompile(`key '([^']+)' (?:does not exist for field 'key'|for field 'key' is invalid)`)

// missingKeys returns the keys a 400 answer to a key-in search names.
func missingKeys(message string) map[string]bool {
	found := map[string]bool{}
	for _, m := range missingKey.FindAllStringSubmatch(message, -1) {
		found[m[1]] = true
	}
	return found
}

// searchableKeys drops malformed keys and duplicates, keeping order.
func searchableKeys(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if !ValidIssueKey(k) || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}
