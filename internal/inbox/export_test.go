package inbox

import "context"

// Decide returns the completion that processing the email would write,
// without writing it.
func (s *Service) Decide(ctx context.Context, tenantID, emailID string) (Completion, error) {
	e, err := s.Store.Email(ctx, tenantID, emailID)
	if err != nil {
		return Completion{}, err
	}
	c, err := s.decide(ctx, e, false)
	if err != nil {
		return Completion{}, err
	}
	return *c, nil
}

// CompleteGroup writes completions as one shared transaction of
// concurrent workers would, and returns each one's error.
func (s *Service) CompleteGroup(ctx context.Context, cs []Completion) []error {
	errs, _ := s.completeGroup(ctx, cs)
	return errs
}
