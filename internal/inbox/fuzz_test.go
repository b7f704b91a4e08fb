package inbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// FuzzReceive feeds arbitrary bytes through the whole intake on SQLite: a
// mailbox batch stores anything (unreadable input as a failed email) without
// an error, an upload refuses unreadable input only as invalid, and
// processing whatever was stored never fails (and, with no active vendor,
// ends in the triage queue). Each input runs the pipeline against the
// database (about 10 ms), so bound minimization when fuzzing:
// go test -run - -fuzz FuzzReceive -fuzzminimizetime 50x ./internal/inbox
func FuzzReceive(f *testing.F) {
	for _, n := range []string{"01_visa_endpoint.eml", "02_mastercard_certs.eml", "09_visa_endpoint_reply.eml", "13_forwarded_reuters.eml"} {
		f.Add(demo(f, n))
	}
	for _, s := range []string{
		"",
		"\x00\x01\x02\xff\xfe binary junk \x00",
		"Subject: headers only",
		"From: a@b\r\nSubject: [VS-0001] re\r\nIn-Reply-To: <x@y>\r\nReferences: <<<>>> <a@b>\r\n\r\nbody",
		"From: a@b\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nno end",
		"From: a@b\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
		"From nobody Mon Jan  1 00:00:00 2027\nFrom: a@b\nMessage-ID: <\x00@\xff>\n\n\xc3\x28 invalid utf-8",
	} {
		f.Add([]byte(s))
	}
	w := newWorld(f, storetest.Open(f, sqlstore.SQLite))
	ctx := context.Background()
	// Without active vendors every email is unknown: no ticket is opened,
	// so reset can wipe the emails without touching other modules' rows.
	for _, v := range w.snap.Vendors {
		if _, err := w.registry.DeactivateVendor(ctx, w.admin, v.ID); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Each input starts from the same state, so that its coverage (which
		// guides the fuzzer) does not depend on what earlier inputs stored.
		reset(t, w)
		n, err := w.svc.ReceiveBatch(ctx, w.tenant.ID, mail.SourceRef{Kind: mail.SourceIMAP, ID: "fuzz"}, [][]byte{raw}, nil)
		if err != nil {
			t.Fatalf("ReceiveBatch: %v", err)
		}
		if n > 1 {
			t.Fatalf("one message counted as %d", n)
		}
		e, err := w.svc.Receive(ctx, w.admin, raw, mail.SourceRef{Kind: mail.SourceUpload})
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Receive: %v, want only invalid input errors", err)
			}
			return
		}
		if e.Status != inbox.Duplicate {
			t.Fatalf("the upload of a message just received is %s, not a duplicate", e.Status)
		}
		first, err := w.svc.Get(ctx, w.admin, e.DuplicateOf)
		if err != nil {
			t.Fatal(err)
		}
		if first.Status == inbox.Received {
			if _, err := w.svc.Process(ctx, w.tenant.ID, first.ID, 1, 1); err != nil {
				t.Fatalf("Process: %v", err)
			}
		}
	})
}

// reset deletes the tenant's emails.
func reset(t *testing.T, w *world) {
	t.Helper()
	ctx := context.Background()
	err := w.db.InTx(ctx, func(tx *sqlstore.Tx) error {
		for _, table := range []string{"email_attachments", "source_emails"} {
			if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM "+table); err != nil {
				return fmt.Errorf("delete from %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
