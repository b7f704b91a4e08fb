package inbox_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestContentLanguageReadsNumericDates: the email keeps its Content-Language
// header, and triage reads a date that could be read either way the
// sender's way; an email stored before the header was kept (NULL) has it
// read from the original message.
func TestContentLanguageReadsNumericDates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		w := newWorld(t, db)
		now := time.Now().UTC()
		year := now.Year() + 1
		for i, c := range []struct {
			lang, want string
			older      bool // stored before the header was kept
		}{
			{"en-US", fmt.Sprintf("%d-04-05", year), false},
			{"en-GB", fmt.Sprintf("%d-05-04", year), false},
			{"en-US", fmt.Sprintf("%d-04-05", year), true},
		} {
			raw := fmt.Sprintf("From: Visa Developer Platform <developer-notices@visa.com>\r\nTo: vendors@example.com\r\n"+
				"Subject: Legacy token endpoint retirement\r\nDate: %s\r\nMessage-ID: <lang-%d@visa.com>\r\nContent-Language: %s\r\n"+
				"Content-Type: text/plain; charset=utf-8\r\n\r\nThe legacy token endpoint will be decommissioned on 04/05/%d. "+
				"Requests sent to it after that date will be rejected.\r\n", now.Format(time.RFC1123Z), i, c.lang, year)
			e := w.receive(t, []byte(raw))
			if e.ContentLanguage != c.lang {
				t.Errorf("content language kept = %q, want %q", e.ContentLanguage, c.lang)
			}
			if c.older {
				q := `UPDATE source_emails SET content_language = NULL WHERE id = ?`
				if db.Dialect == sqlstore.Postgres {
					q = strings.Replace(q, "?", "$1", 1)
				}
				if _, err := db.WritePool().Exec(q, e.ID); err != nil {
					t.Fatal(err)
				}
			}
			e = w.process(t, e)
			if e.Status != inbox.Triaged {
				t.Fatalf("%s: email = %s: %s", c.lang, e.Status, e.Error)
			}
			if got := string(w.ticketOf(t, e).EffectiveDate); got != c.want {
				t.Errorf("%s: effective date %s, want %s", c.lang, got, c.want)
			}
		}
	})
}
