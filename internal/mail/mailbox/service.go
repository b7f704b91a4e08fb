package mailbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// Defaults of the poll loop.
const (
	DefaultBatchSize   = 100
	DefaultMaxBatches  = 10
	DefaultTestTimeout = 30 * time.Second
)

// Service holds the mailbox rules. Methods taking a principal check
// PermEditIntegrations (a mailbox's settings reveal infrastructure, so even
// reading needs it) and scope every read and write to its tenant.
type Service struct {
	Store Store
	// Receiver stores polled messages with the mailbox's new checkpoint.
	Receiver mail.Receiver
	// Logger receives poll and test outcomes; never credentials.
	Logger *slog.Logger
	// HTTPClient carries Graph, Gmail and OAuth2 token requests under the
	// httpx layer; nil means the default transport.
	HTTPClient *http.Client
	// Telemetry receives those requests' metrics and debug logs.
	Telemetry httpx.Telemetry
	// BatchSize, MaxBatches and TestTimeout override the defaults.
	BatchSize   int
	MaxBatches  int
	TestTimeout time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time
}

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

// clone deep-copies the settings pointers, so a change function cannot
// alter the original.
func clone(m Mailbox) Mailbox {
	if m.IMAP != nil {
		c := *m.IMAP
		m.IMAP = &c
	}
	if m.Graph != nil {
		c := *m.Graph
		m.Graph = &c
	}
	if m.Gmail != nil {
		c := *m.Gmail
		m.Gmail = &c
	}
	return m
}

// Create adds a mailbox with its credentials. Only name, kind, is_active
// and the kind's settings of in are used.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Mailbox, cred Credentials) (Mailbox, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return Mailbox{}, err
	}
	m := clone(in)
	m.ID, m.TenantID = ident.New(), p.TenantID
	m.Status = PollStatus{}
	m.CreatedAt = s.now()
	m.UpdatedAt = m.CreatedAt
	need, err := normalize(&m, cred, Credentials{}, true)
	if err != nil {
		return Mailbox{}, err
	}
	raw, err := json.Marshal(need)
	if err != nil {
		return Mailbox{}, fmt.Errorf("mailbox.Create: encode credentials: %w", err)
	}
	m.CredentialsSet = true
	ev := audit.Record(p, "mailbox.create", "mailbox", m.ID, nil, m)
	if err := s.Store.CreateMailbox(ctx, m, raw, ev); err != nil {
		return Mailbox{}, fmt.Errorf("mailbox.Create %q: %w", m.Name, err)
	}
	return m, nil
}

// Update applies change to the mailbox and replaces the credentials given
// (empty fields keep the stored ones, unless the change sends credentials
// to another server: then they must be given again). clear removes the
// stored credentials first, so only those given remain; a mailbox left
// active must keep what its kind needs, an inactive one may keep none
// (and an inactive mailbox that moves to another server loses them).
// Changing where the mailbox reads
// from (kind, server, account, folder) resets its checkpoint: the next poll
// reads the folder from the start and Message-ID dedup drops what was
// already stored. An update that changes nothing writes nothing.
func (s *Service) Update(ctx context.Context, p auth.Principal, id string, change func(*Mailbox), cred Credentials, clear bool) (Mailbox, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return Mailbox{}, err
	}
	before, err := s.Store.Mailbox(ctx, p.TenantID, id)
	if err != nil {
		return Mailbox{}, fmt.Errorf("mailbox.Update %s: %w", id, err)
	}
	stored, err := s.credentials(ctx, p.TenantID, id)
	if err != nil {
		return Mailbox{}, err
	}
	after := clone(before)
	change(&after)
	after.ID, after.TenantID, after.Status, after.CreatedAt, after.UpdatedAt = before.ID, before.TenantID, before.Status, before.CreatedAt, before.UpdatedAt
	kept := stored
	if clear || credentialDestination(before) != credentialDestination(after) {
		kept = Credentials{}
	}
	if clear && cred == (Credentials{}) && after.IsActive {
		var v apperr.Validation
		v.Add("credentials", "cannot be removed while the mailbox is active: deactivate it (is_active false) in the same change")
		return Mailbox{}, v.Err()
	}
	need, err := normalize(&after, cred, kept, after.IsActive)
	if err != nil {
		return Mailbox{}, err
	}
	after.CredentialsSet = need != (Credentials{})
	credChanged := need != stored
	if !credChanged && reflect.DeepEqual(before, after) {
		return before, nil
	}
	var raw []byte
	var flags []string
	switch {
	case credChanged && after.CredentialsSet:
		if raw, err = json.Marshal(need); err != nil {
			return Mailbox{}, fmt.Errorf("mailbox.Update: encode credentials: %w", err)
		}
		flags = append(flags, "credentials_changed")
	case credChanged:
		flags = append(flags, "credentials_removed")
	}
	reset := position(before) != position(after)
	if reset {
		flags = append(flags, "checkpoint_reset")
	}
	after.UpdatedAt = s.now()
	ev := audit.Record(p, changeAction(before.IsActive, after.IsActive), "mailbox", id, before, after, flags...)
	if err := s.Store.UpdateMailbox(ctx, after, raw, reset, ev); err != nil {
		return Mailbox{}, fmt.Errorf("mailbox.Update %s: %w", id, err)
	}
	return after, nil
}

// position is what a checkpoint is relative to: the kind, the server, the
// account and the folder or label.
func position(m Mailbox) string {
	switch {
	case m.IMAP != nil:
		return fmt.Sprintf("imap|%s|%d|%s|%s", m.IMAP.Host, m.IMAP.Port, m.IMAP.Username, m.IMAP.Folder)
	case m.Graph != nil:
		return fmt.Sprintf("graph|%s|%s|%s|%s", m.Graph.BaseURL, m.Graph.TenantID, m.Graph.Mailbox, m.Graph.Folder)
	case m.Gmail != nil:
		return fmt.Sprintf("gmail|%s|%s|%s|%s", m.Gmail.BaseURL, m.Gmail.User, m.Gmail.Subject, m.Gmail.Label)
	}
	return string(m.Kind)
}

func changeAction(wasActive, isActive bool) string {
	switch {
	case wasActive && !isActive:
		return "mailbox.deactivate"
	case !wasActive && isActive:
		return "mailbox.reactivate"
	}
	return "mailbox.update"
}

// Deactivate stops polling a mailbox; its settings, credentials and status
// stay, and an update with is_active reactivates it.
func (s *Service) Deactivate(ctx context.Context, p auth.Principal, id string) (Mailbox, error) {
	return s.Update(ctx, p, id, func(m *Mailbox) { m.IsActive = false }, Credentials{}, false)
}

// Get returns one mailbox of the principal's tenant.
func (s *Service) Get(ctx context.Context, p auth.Principal, id string) (Mailbox, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return Mailbox{}, err
	}
	m, err := s.Store.Mailbox(ctx, p.TenantID, id)
	if err != nil {
		return Mailbox{}, fmt.Errorf("mailbox.Get %s: %w", id, err)
	}
	return m, nil
}

// List returns the tenant's mailboxes by name, deactivated ones included.
func (s *Service) List(ctx context.Context, p auth.Principal) ([]Mailbox, error) {
	if err := p.Require(auth.PermEditIntegrations); err != nil {
		return nil, err
	}
	list, err := s.Store.ListMailboxes(ctx, p.TenantID)
	if err != nil {
		return nil, fmt.Errorf("mailbox.List: %w", err)
	}
	return list, nil
}

// credentials decrypts a mailbox's stored credentials; none stored reads
// as empty.
func (s *Service) credentials(ctx context.Context, tenantID, id string) (Credentials, error) {
	raw, err := s.Store.MailboxCredentials(ctx, tenantID, id)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return Credentials{}, nil
	case err != nil:
		return Credentials{}, fmt.Errorf("mailbox %s: read credentials: %w", id, err)
	}
	var c Credentials
	if err := json.Unmarshal(raw, &c); err != nil {
		// encoding/json errors name a position and a type, not the content.
		return Credentials{}, fmt.Errorf("mailbox %s: stored credentials are not valid JSON: %w", id, err)
	}
	return c, nil
}
