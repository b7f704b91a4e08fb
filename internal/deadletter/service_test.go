package deadletter

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// The store-backed behaviour (tenant walls, paging, retry and its audit row)
// is tested on the real queue in package jobs; these are the rules that hold
// before any store is asked.

func TestServiceRefusesWithoutManageJobs(t *testing.T) {
	s := &Service{} // no store: a refused call must not reach it
	for _, role := range []auth.Role{auth.RoleChangeManager, auth.RoleOwner, auth.RoleViewer} {
		p := auth.Principal{Kind: auth.KindUser, TenantID: "t1", Role: role}
		t.Run(string(role), func(t *testing.T) {
			if _, _, err := s.List(context.Background(), p, Filter{}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("List: err = %v, want forbidden", err)
			}
			if _, err := s.Get(context.Background(), p, 1); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("Get: err = %v, want forbidden", err)
			}
			if _, err := s.Retry(context.Background(), p, 1); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("Retry: err = %v, want forbidden", err)
			}
		})
	}
}

func TestListOfNoTenantIsEmpty(t *testing.T) {
	s := &Service{} // no store: jobs of no tenant are never listed
	list, next, err := s.List(context.Background(), auth.System(""), Filter{})
	if err != nil || len(list) != 0 || next != "" {
		t.Fatalf("List = %v, %q, %v; want an empty last page", list, next, err)
	}
}

func TestCursor(t *testing.T) {
	t.Run("round-trips a job id", func(t *testing.T) {
		for _, id := range []int64{1, 42, 1 << 40} {
			got, err := decodeCursor(encodeCursor(id))
			if err != nil || got != id {
				t.Errorf("decode(encode(%d)) = %d, %v", id, got, err)
			}
		}
	})
	t.Run("anything else is invalid input", func(t *testing.T) {
		for _, c := range []string{"%%%", encodeCursor(0), encodeCursor(-3), "bm90LWEtbnVtYmVy"} {
			if _, err := decodeCursor(c); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("decode(%q): err = %v, want invalid", c, err)
			}
		}
	})
}

func TestJob(t *testing.T) {
	tests := []struct {
		state             string
		deadLetter, retry bool
	}{
		{StateDiscarded, true, true},
		{StateCancelled, false, true},
		{"available", false, false},
		{"running", false, false},
		{"completed", false, false},
	}
	for _, tc := range tests {
		j := Job{State: tc.state}
		if j.IsDeadLetter() != tc.deadLetter || j.Retryable() != tc.retry {
			t.Errorf("%s: dead letter %v, retryable %v; want %v, %v", tc.state, j.IsDeadLetter(), j.Retryable(), tc.deadLetter, tc.retry)
		}
	}
	t.Run("last error is the latest attempt's", func(t *testing.T) {
		j := Job{Errors: []AttemptError{{Attempt: 1, Message: "first"}, {Attempt: 2, Message: "second"}}}
		if j.LastError() != "second" || (Job{}).LastError() != "" {
			t.Errorf("LastError = %q / %q", j.LastError(), Job{}.LastError())
		}
	})
	t.Run("a job of no tenant is nobody's", func(t *testing.T) {
		if (Job{}).visibleTo("") || (Job{TenantID: "a"}).visibleTo("b") || !(Job{TenantID: "a"}).visibleTo("a") {
			t.Error("visibility rule broken")
		}
	})
}
