package tracker

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Probe is what a connection test learns beyond the account: the scopes
// the token holds and those it lacks for VendorSync's work, and how much
// of the tracker's rate limit is left.
type Probe struct {
	// Account is the name VendorSync acts as.
	Account string
	// Scopes are the token's scopes when the tracker tells them (GitHub's
	// classic tokens, GitLab); nil when it does not (fine-grained tokens,
	// Gitea, Jira).
	Scopes []string
	// MissingScopes are the scopes VendorSync needs that Scopes lacks.
	MissingScopes []string
	// RateLimit is the budget left, nil when the tracker sent none.
	RateLimit *RateBudget
}

// RateBudget is a rate limit as the tracker's headers state it.
type RateBudget struct {
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	Reset     time.Time `json:"reset,omitzero"`
}

// Prober is a Provider that can say more than Test: scopes and budget.
type Prober interface {
	Probe(ctx context.Context) (Probe, error)
}

// RateBudgetOf reads a rate limit from headers named prefix+"Limit",
// "Remaining" and "Reset" (Unix seconds): GitHub's X-RateLimit-, GitLab's
// RateLimit-. Nil when they are absent or malformed.
func RateBudgetOf(h http.Header, prefix string) *RateBudget {
	limit, err1 := strconv.Atoi(h.Get(prefix + "Limit"))
	remaining, err2 := strconv.Atoi(h.Get(prefix + "Remaining"))
	if err1 != nil || err2 != nil {
		return nil
	}
	b := &RateBudget{Limit: limit, Remaining: remaining}
	if reset, err := strconv.ParseInt(h.Get(prefix+"Reset"), 10, 64); err == nil && reset > 0 {
		b.Reset = time.Unix(reset, 0).UTC()
	}
	return b
}

// Missing lists the needs none of whose alternatives is in have; each need
// is a list of scopes any one of which will do ("repo" or "public_repo").
func Missing(have []string, needs ...[]string) []string {
	var out []string
	for _, alts := range needs {
		if !slices.ContainsFunc(alts, func(s string) bool { return slices.Contains(have, s) }) {
			out = append(out, strings.Join(alts, " or "))
		}
	}
	return out
}

// SplitScopes splits a comma-separated scope header ("repo, read:org").
func SplitScopes(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
