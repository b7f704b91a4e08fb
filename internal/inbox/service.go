package inbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/triage"
)

// Blobs is the write-once object store raw messages and attachments go to;
// *blob.Store implements it.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) (blob.Object, error)
	Get(ctx context.Context, key string) (io.ReadCloser, error)
}

// Settings reads a tenant's settings (SLA days by tier, time zone);
// *setting.Service implements it.
type Settings interface {
	Get(ctx context.Context, tenantID string) (setting.Settings, error)
}

// Triager decides the triage of one email. The LLM-backed triager reads the
// tenant's model settings; nil on the Service means the offline triage.
type Triager interface {
	Decide(ctx context.Context, tenantID string, e triage.Email, snap registry.Snapshot, s triage.Settings) (triage.Decision, error)
}

// Service runs the email pipeline. Every method that a person calls takes
// the calling principal; the pipeline itself acts as the tenant's system
// principal.
type Service struct {
	Store    Store
	Blobs    Blobs
	Tickets  *ticket.Service
	Registry *registry.Service
	Settings Settings
	// Triager decides; nil means (&triage.Agent{}).Decide, the offline triage.
	Triager Triager
	// Limits bound what is kept of one message; zero fields take mail's defaults.
	Limits mail.Limits
	// Consequences are the jobs emails cause (alerts, notifications); the
	// tickets the pipeline opens cause theirs through Tickets.
	Consequences Consequences
	// Logger records pipeline failures; nil discards.
	Logger *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time

	// shared lets concurrent writes of the pipeline share transactions.
	shared committer
}

// now returns UTC time truncated to microseconds, which both engines store
// exactly.
func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// maxQuery bounds a list's search text.
const maxQuery = 200

// Get returns one email of the principal's tenant with its attachments.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (Email, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Email{}, err
	}
	e, err := s.Store.Email(ctx, p.TenantID, id)
	if err != nil {
		return Email{}, fmt.Errorf("inbox.Get %.40s: %w", id, err)
	}
	return e, nil
}

// List pages through the tenant's emails, newest first.
func (s *Service) List(ctx context.Context, p auth.Principal, f Filter) ([]Email, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	var v apperr.Validation
	f.Query = strings.TrimSpace(f.Query)
	v.Check(utf8.RuneCountInString(f.Query) <= maxQuery, "q", "must be at most %d characters", maxQuery)
	for _, st := range f.Statuses {
		v.Check(st.Valid(), "status", "must be one of received, triaged, thread, duplicate, unknown, informational, failed")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	out, next, err := s.Store.ListEmails(ctx, p.TenantID, f)
	if err != nil {
		return nil, "", fmt.Errorf("inbox.List: %w", err)
	}
	return out, next, nil
}

// Raw returns the stored original message of an email, as received.
func (s *Service) Raw(ctx context.Context, p auth.Principal, id string) (Email, []byte, error) {
	e, err := s.Get(ctx, p, id)
	if err != nil {
		return Email{}, nil, err
	}
	rc, err := s.Blobs.Get(ctx, e.RawKey)
	if err != nil {
		return Email{}, nil, fmt.Errorf("inbox.Raw %s: %w", id, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, int64(mail.DefaultMaxMessageBytes)*4))
	if err != nil {
		return Email{}, nil, fmt.Errorf("inbox.Raw %s: read: %w", id, err)
	}
	return e, raw, nil
}

// Ticket returns the ticket an email opened or was threaded onto, for
// showing its key; not found when it has none.
func (s *Service) Ticket(ctx context.Context, p auth.Principal, e Email) (ticket.Ticket, error) {
	if e.TicketID == "" {
		return ticket.Ticket{}, apperr.NotFoundf("the email has no ticket")
	}
	return s.Tickets.ByID(ctx, p, e.TicketID)
}
