package mailbox_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"sync"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
)

// fixture is the service on a real store with one tenant and a fake email
// pipeline; logs go to a buffer the tests search for leaked secrets.
type fixture struct {
	db   *sqlstore.DB
	svc  *mailbox.Service
	p    auth.Principal
	recv *fakeReceiver
	logs *syncBuffer
}

func newFixture(t *testing.T, db *sqlstore.DB) *fixture {
	t.Helper()
	b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(context.Background(), "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, p: b.Admin.Principal(), recv: &fakeReceiver{db: db, seen: map[string]bool{}}, logs: &syncBuffer{}}
	f.svc = &mailbox.Service{Store: db, Receiver: f.recv, Logger: slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	return f
}

// otherTenant creates a second tenant and returns its admin.
func (f *fixture) otherTenant(t *testing.T) auth.Principal {
	t.Helper()
	b, err := (&auth.Service{Store: f.db, Keys: f.db.Keys}).CreateTenant(context.Background(), "other", "Other", "admin@other.test")
	if err != nil {
		t.Fatal(err)
	}
	return b.Admin.Principal()
}

// imapMailbox creates an IMAP mailbox on srv with change applied to its
// settings first.
func (f *fixture) imapMailbox(t *testing.T, srv *imapServer, name string, change func(*mailbox.IMAPSettings)) mailbox.Mailbox {
	t.Helper()
	s := mailbox.IMAPSettings{Host: srv.host, Port: srv.port, Security: "none", Username: imapUser}
	if change != nil {
		change(&s)
	}
	m, err := f.svc.Create(context.Background(), f.p, mailbox.Mailbox{Name: name, Kind: mailbox.KindIMAP, IsActive: true, IMAP: &s},
		mailbox.Credentials{Password: imapPassword})
	if err != nil {
		t.Fatalf("create mailbox: %v", err)
	}
	return m
}

// get reads a mailbox back from the store.
func (f *fixture) get(t *testing.T, id string) mailbox.Mailbox {
	t.Helper()
	m, err := f.svc.Get(context.Background(), f.p, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var messageID = regexp.MustCompile(`(?mi)^Message-ID:\s*(\S+)\r?$`)

// fakeReceiver stands for the email pipeline: it keeps the first arrival of
// each Message-ID and saves the checkpoint in the store, as ReceiveBatch
// must.
type fakeReceiver struct {
	db *sqlstore.DB

	mu         sync.Mutex
	seen       map[string]bool
	stored     []string // Message-IDs, in arrival order
	duplicates int
	batches    int
	sources    []mail.SourceRef
}

func (r *fakeReceiver) ReceiveBatch(ctx context.Context, tenantID string, src mail.SourceRef, raws [][]byte, cp *mail.SourceCheckpoint) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches++
	r.sources = append(r.sources, src)
	n := 0
	for _, raw := range raws {
		m := messageID.FindSubmatch(raw)
		id := "(none)"
		if m != nil {
			id = string(m[1])
		}
		if r.seen[id] {
			r.duplicates++
			continue
		}
		r.seen[id] = true
		r.stored = append(r.stored, id)
		n++
	}
	if cp != nil {
		if err := r.db.AdvanceMailSource(ctx, tenantID, *cp, len(raws)); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (r *fakeReceiver) counts() (stored, duplicates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.stored), r.duplicates
}

// syncBuffer is a bytes.Buffer safe for concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mailCheckpoint is a SourceCheckpoint for mailbox id.
func mailCheckpoint(id, value string) mail.SourceCheckpoint {
	return mail.SourceCheckpoint{SourceID: id, Value: []byte(value)}
}
