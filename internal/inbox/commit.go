package inbox

import (
	"context"
	"sync"

	"github.com/vendorsync/vendorsync/internal/groupcommit"
)

// maxShared bounds how many uploads or completions one shared transaction
// carries.
const maxShared = 64

// committer lets the pipeline's concurrent writes of one tenant share a
// transaction (group commit): the uploads received meanwhile, and the
// outcomes that workers decided meanwhile. A tenant's ticket numbers and
// audit chain take one lock each per transaction until it commits, and
// SQLite has one writer, so under a burst one transaction, one lock wait
// and one commit serve many emails instead of one each. Each caller is
// answered only after the commit that carried its write, and a lone
// caller commits at once.
type committer struct {
	mu        sync.Mutex
	receives  map[string]*groupcommit.Group[Batch, received]
	completes map[string]*groupcommit.Group[Completion, error]
}

// received is one batch's outcome in a shared transaction.
type received struct {
	emails []Email
	err    error
}

// groupOf returns the tenant's group in m, made on first use.
func groupOf[T, R any](c *committer, m *map[string]*groupcommit.Group[T, R], tenantID string) *groupcommit.Group[T, R] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *m == nil {
		*m = map[string]*groupcommit.Group[T, R]{}
	}
	g := (*m)[tenantID]
	if g == nil {
		g = &groupcommit.Group[T, R]{}
		(*m)[tenantID] = g
	}
	return g
}

// receiveShared stores b in a transaction shared with the batches of the
// tenant that arrive meanwhile.
func (s *Service) receiveShared(ctx context.Context, b Batch) ([]Email, error) {
	g := groupOf(&s.shared, &s.shared.receives, b.TenantID)
	r, err := g.Do(ctx, b, max(1, len(b.Emails)), maxShared, s.receiveGroup)
	if err != nil {
		return nil, err
	}
	return r.emails, r.err
}

// receiveGroup stores a group of batches in one transaction. When that
// fails, each batch is stored in a transaction of its own, so a batch
// fails only for its own fault.
func (s *Service) receiveGroup(ctx context.Context, bs []Batch) ([]received, error) {
	out := make([]received, len(bs))
	stored, err := s.Store.ReceiveBatches(ctx, bs)
	if err == nil {
		for i := range bs {
			out[i].emails = stored[i]
		}
		return out, nil
	}
	if len(bs) == 1 {
		out[0].err = err
		return out, nil
	}
	for i, b := range bs {
		out[i].emails, out[i].err = s.Store.ReceiveEmails(ctx, b)
	}
	return out, nil
}

// completeShared writes c in a transaction shared with the tenant's other
// completions decided meanwhile, and returns the email as stored.
func (s *Service) completeShared(ctx context.Context, c Completion) (Email, error) {
	g := groupOf(&s.shared, &s.shared.completes, c.Email.TenantID)
	failed, err := g.Do(ctx, c, 1, maxShared, s.completeGroup)
	if err == nil {
		err = failed
	}
	if err != nil {
		return Email{}, err
	}
	return s.Store.Email(ctx, c.Email.TenantID, c.Email.ID)
}

// completeGroup writes a group of completions in one transaction. When
// that fails (most often because another worker completed one of the
// emails meanwhile), each is written in a transaction of its own, so a
// completion fails only for its own fault and the others still commit.
func (s *Service) completeGroup(ctx context.Context, cs []Completion) ([]error, error) {
	errs := make([]error, len(cs))
	err := s.Store.CompleteEmails(ctx, cs)
	if err == nil {
		return errs, nil
	}
	if len(cs) == 1 {
		errs[0] = err
		return errs, nil
	}
	for i := range cs {
		errs[i] = s.Store.CompleteEmails(ctx, cs[i:i+1])
	}
	return errs, nil
}
