package forge

import (
	"context"
	"fmt"
	"strconv"

	"golang.org/x/sync/errgroup"

	"github.com/vendorsync/vendorsync/internal/tracker"
)

// SearchConcurrency is how many issues a forge client reads at once.
const SearchConcurrency = 4

// Get reads one issue by key; false when the forge does not have it (or the
// account cannot see it), or the key is not the forge's.
type Get func(ctx context.Context, key string) (tracker.Issue, bool, error)

// Search reads the issues with keys one request each, SearchConcurrency at
// a time, and returns those found in the order of keys. Forges have no
// search by many numbers that is consistent right after a write, and a
// GET per issue is what their rate limits price lowest. On error it
// returns the issues read before the first failure with the error.
func Search(ctx context.Context, keys []string, get Get) ([]tracker.Issue, error) {
	found := make([]*tracker.Issue, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(SearchConcurrency)
	for i, k := range keys {
		g.Go(func() error {
			iss, ok, err := get(gctx, k)
			if err != nil {
				return err
			}
			if ok {
				found[i] = &iss
			}
			return nil
		})
	}
	err := g.Wait()
	out := make([]tracker.Issue, 0, len(keys))
	for _, f := range found {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, err
}

// PageNumber reads a listing's page token, a page number ("" is the
// first page).
func PageNumber(page string) (int, error) {
	if page == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(page)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("page %q is not a page number", page)
	}
	return n, nil
}
