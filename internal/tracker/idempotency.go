package tracker

import "strings"

// IdempotencyLabelPrefix starts every idempotency label, so people reading
// an issue's labels can tell it from the ones they use.
const IdempotencyLabelPrefix = "vsid-"

// maxIdempotencyKey keeps the label (prefix included) well under Jira's
// 255-character label limit.
const maxIdempotencyKey = 200

// IdempotencyLabel is the label that marks an issue as created for key:
// "vsid-" + key in lower case.
//
// A label was chosen over, say, a Jira entity property because it can be
// searched with plain JQL on both Jira Cloud and Server
// (project = "PAY" AND labels = "vsid-vs-2847-0190…"), it is set in the same
// request that creates the issue (so the issue never exists without it),
// and GitHub, GitLab and Gitea all have labels and label filters too. Lower
// case makes the label independent of how a search engine folds case.
func IdempotencyLabel(key string) string {
	return IdempotencyLabelPrefix + strings.ToLower(key)
}

// ValidIdempotencyKey reports whether key can become a label on every
// provider: 1 to 200 of letters, digits, '.', '_', ':' and '-'.
func ValidIdempotencyKey(key string) bool {
	if key == "" || len(key) > maxIdempotencyKey {
		return false
	}
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == '.', r == '_', r == ':', r == '-':
		default:
			return false
		}
	}
	return true
}
