package mailbox_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/mail/imap"
	"github.com/vendorsync/vendorsync/internal/mail/mailbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// checkpointOf reads a mailbox's IMAP checkpoint from the store.
func checkpointOf(t *testing.T, f *fixture, id string) imap.Checkpoint {
	t.Helper()
	cp, err := f.db.MailboxCheckpoint(context.Background(), f.p.TenantID, id)
	if err != nil {
		t.Fatal(err)
	}
	var pos imap.Checkpoint
	if err := mail.DecodeCheckpoint(cp, &pos); err != nil {
		t.Fatal(err)
	}
	return pos
}

func poll(t *testing.T, f *fixture, id string) {
	t.Helper()
	if err := f.svc.Poll(context.Background(), f.p.TenantID, id); err != nil {
		t.Fatalf("Poll: %v", err)
	}
}

func TestPollIMAP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		f.svc.BatchSize = 2
		srv := startIMAP(t)
		m := f.imapMailbox(t, srv, "Notices", func(s *mailbox.IMAPSettings) { s.MarkSeen = true })

		t.Run("first poll of an empty mailbox records its position", func(t *testing.T) {
			poll(t, f, m.ID)
			got := f.get(t, m.ID)
			if cp := checkpointOf(t, f, m.ID); cp.UIDValidity == 0 || cp.LastUID != 0 {
				t.Errorf("checkpoint = %+v", cp)
			}
			if got.Status.State() != "ok" || got.Status.LastPollAt == nil || got.Status.FetchedTotal != 0 {
				t.Errorf("status = %+v", got.Status)
			}
		})
		for i := 1; i <= 5; i++ {
			srv.deliver(t, "INBOX", i)
		}
		t.Run("batches until a batch is not full", func(t *testing.T) {
			before := f.recv.batches
			poll(t, f, m.ID)
			if stored, dup := f.recv.counts(); stored != 5 || dup != 0 {
				t.Errorf("stored %d, duplicates %d; want 5, 0", stored, dup)
			}
			if n := f.recv.batches - before; n != 3 {
				t.Errorf("%d batches, want 3 (2+2+1)", n)
			}
			if cp := checkpointOf(t, f, m.ID); cp.LastUID != 5 {
				t.Errorf("checkpoint = %+v, want last UID 5", cp)
			}
			if got := f.get(t, m.ID).Status; got.FetchedTotal != 5 || got.LastError != "" {
				t.Errorf("status = %+v", got)
			}
			if _, unseen := srv.count(t, "INBOX"); unseen != 0 {
				t.Errorf("%d unseen after post-processing, want 0", unseen)
			}
			if diff := cmp.Diff(mail.SourceRef{Kind: "imap", ID: m.ID}, f.recv.sources[len(f.recv.sources)-1]); diff != "" {
				t.Errorf("source (-want +got):\n%s", diff)
			}
		})
		t.Run("re-poll adds nothing", func(t *testing.T) {
			poll(t, f, m.ID)
			if stored, dup := f.recv.counts(); stored != 5 || dup != 0 {
				t.Errorf("stored %d, duplicates %d; want 5, 0", stored, dup)
			}
			if got := f.get(t, m.ID).Status; got.FetchedTotal != 5 {
				t.Errorf("fetched total = %d, want 5", got.FetchedTotal)
			}
		})
		t.Run("at most MaxBatches a poll, then the next poll goes on", func(t *testing.T) {
			for i := 6; i <= 10; i++ {
				srv.deliver(t, "INBOX", i)
			}
			f.svc.MaxBatches = 2
			defer func() { f.svc.MaxBatches = 0 }()
			poll(t, f, m.ID)
			if stored, _ := f.recv.counts(); stored != 9 {
				t.Errorf("stored %d after a bounded poll, want 9", stored)
			}
			poll(t, f, m.ID)
			if stored, dup := f.recv.counts(); stored != 10 || dup != 0 {
				t.Errorf("stored %d, duplicates %d; want 10, 0", stored, dup)
			}
		})
		t.Run("deactivated mailboxes are skipped", func(t *testing.T) {
			if _, err := f.svc.Deactivate(context.Background(), f.p, m.ID); err != nil {
				t.Fatal(err)
			}
			before := f.recv.batches
			poll(t, f, m.ID)
			if f.recv.batches != before {
				t.Error("a deactivated mailbox was polled")
			}
		})
	})
}

func TestPollMovesProcessedMail(t *testing.T) {
	f := newFixture(t, storetest.Open(t, sqlstore.SQLite))
	srv := startIMAP(t)
	srv.deliver(t, "INBOX", 1)
	srv.deliver(t, "INBOX", 2)
	m := f.imapMailbox(t, srv, "Notices", func(s *mailbox.IMAPSettings) { s.MoveTo = "Processed" })
	poll(t, f, m.ID)
	if n, _ := srv.count(t, "INBOX"); n != 0 {
		t.Errorf("INBOX still holds %d messages", n)
	}
	if n, _ := srv.count(t, "Processed"); n != 2 {
		t.Errorf("Processed holds %d messages, want 2", n)
	}
	poll(t, f, m.ID)
	if stored, dup := f.recv.counts(); stored != 2 || dup != 0 {
		t.Errorf("stored %d, duplicates %d; want 2, 0", stored, dup)
	}
}

// TestPollUIDValidityChange recreates the folder: the server renumbers its
// messages, the mailbox reads it again from the start, and the repeats are
// duplicates for the pipeline, not new mail.
func TestPollUIDValidityChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		srv := startIMAP(t)
		srv.deliver(t, "Vendors", 1)
		srv.deliver(t, "Vendors", 2)
		m := f.imapMailbox(t, srv, "Vendors", func(s *mailbox.IMAPSettings) { s.Folder = "Vendors" })
		poll(t, f, m.ID)
		before := checkpointOf(t, f, m.ID)

		srv.recreate(t, "Vendors")
		srv.deliver(t, "Vendors", 1)
		srv.deliver(t, "Vendors", 2)
		srv.deliver(t, "Vendors", 3)
		poll(t, f, m.ID)
		after := checkpointOf(t, f, m.ID)
		if after.UIDValidity == before.UIDValidity || after.LastUID != 3 {
			t.Errorf("checkpoint %+v -> %+v, want a new UIDVALIDITY and last UID 3", before, after)
		}
		if stored, dup := f.recv.counts(); stored != 3 || dup != 2 {
			t.Errorf("stored %d, duplicates %d; want 3 and 2", stored, dup)
		}
	})
}

// closedPort returns a 127.0.0.1 port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// TestPollFailureIsolated polls a broken mailbox next to a working one: the
// broken one's error lands on its own status only.
func TestPollFailureIsolated(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		srv := startIMAP(t)
		srv.deliver(t, "INBOX", 1)
		good := f.imapMailbox(t, srv, "Good", nil)
		down := f.imapMailbox(t, srv, "Down", func(s *mailbox.IMAPSettings) { s.Port = closedPort(t) })
		missing := f.imapMailbox(t, srv, "Missing folder", func(s *mailbox.IMAPSettings) { s.Folder = "Archive/2019" })

		for _, id := range []string{down.ID, missing.ID} {
			err := f.svc.Poll(ctx, f.p.TenantID, id)
			var pe *mailbox.PollError
			if !errors.As(err, &pe) {
				t.Errorf("Poll(%s) = %v, want a *PollError", id, err)
			}
		}
		poll(t, f, good.ID)

		for id, want := range map[string]string{down.ID: "cannot connect", missing.ID: "not found"} {
			st := f.get(t, id).Status
			if st.State() != "failing" || !strings.Contains(st.LastError, want) || st.LastErrorAt == nil || st.LastPollAt == nil {
				t.Errorf("status of %s = %+v, want failing with %q", id, st, want)
			}
		}
		if st := f.get(t, good.ID).Status; st.State() != "ok" || st.LastError != "" || st.FetchedTotal != 1 {
			t.Errorf("good mailbox status = %+v", st)
		}
		if stored, _ := f.recv.counts(); stored != 1 {
			t.Errorf("stored %d, want 1", stored)
		}

		t.Run("recovers", func(t *testing.T) {
			if _, err := f.svc.Update(ctx, f.p, down.ID, func(m *mailbox.Mailbox) { m.IMAP.Port = srv.port },
				mailbox.Credentials{Password: imapPassword}, false); err != nil {
				t.Fatal(err)
			}
			poll(t, f, down.ID)
			st := f.get(t, down.ID).Status
			if st.State() != "ok" || st.LastError != "" || st.LastErrorAt == nil {
				t.Errorf("status = %+v, want ok, the error cleared and its time kept", st)
			}
		})
	})
}

func TestTestConnection(t *testing.T) {
	f := newFixture(t, storetest.Open(t, sqlstore.SQLite))
	srv := startIMAP(t)
	tests := map[string]struct {
		change   func(*mailbox.IMAPSettings)
		password string
		ok       bool
		code     string
		message  string
	}{
		"ok":             {nil, imapPassword, true, "", "Connected"},
		"wrong password": {nil, "wrong", false, "unauthorized", "Authentication failed"},
		"missing folder": {func(s *mailbox.IMAPSettings) { s.Folder = "Nope" }, imapPassword, false, "not_found", "Folder or label not found"},
		"unreachable":    {func(s *mailbox.IMAPSettings) { s.Port = closedPort(t) }, imapPassword, false, "unavailable", "Server unreachable"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := mailbox.IMAPSettings{Host: srv.host, Port: srv.port, Security: "none", Username: imapUser}
			if tt.change != nil {
				tt.change(&s)
			}
			m, err := f.svc.Create(context.Background(), f.p, mailbox.Mailbox{Name: name, Kind: mailbox.KindIMAP, IMAP: &s},
				mailbox.Credentials{Password: tt.password})
			if err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.Test(context.Background(), f.p, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok || res.Code != tt.code || !strings.HasPrefix(res.Message, tt.message) {
				t.Errorf("Test = %+v, want ok=%v code=%q message %q…", res, tt.ok, tt.code, tt.message)
			}
		})
	}
}
