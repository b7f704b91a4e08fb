package link_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// syncOutcome is what a sync left behind, named by issue keys so that two
// tenants' outcomes compare: the links, their mirrors' statuses, and the
// audit rows of the links (sorted, as chunks may be written in any order).
type syncOutcome struct {
	links  []string
	audits []string
	writes int // distinct times the links were last synced at
}

func (f *fixture) outcome(t testing.TB, tks []ticket.Ticket) syncOutcome {
	t.Helper()
	ctx := context.Background()
	var out syncOutcome
	stamps := map[time.Time]bool{}
	for _, tk := range tks {
		links, err := f.db.TicketTrackerLinks(ctx, f.tenant, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			status := ""
			if m, err := f.db.TrackerMirror(ctx, f.tenant, l.ID); err == nil {
				status = fmt.Sprintf("%s/%s/%s/%d", m.IssueKey, m.StatusName, m.State, m.Revision)
			}
			if l.LastSyncedAt != nil {
				stamps[*l.LastSyncedAt] = true
			}
			out.links = append(out.links, fmt.Sprintf("%s %s %s %q synced=%v mirror=%s", l.IssueKey, l.StatusName,
				l.StatusCategory, l.LastError, l.LastSyncedAt != nil, status))
		}
	}
	cursor := ""
	for {
		entries, next, err := f.db.ListAudit(ctx, f.tenant, audit.Filter{EntityType: "tracker_link", Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out.audits = append(out.audits, strings.ReplaceAll(e.Action+" "+e.ActorKind+" "+e.Before+" → "+e.After, f.jira.URL, "JIRA"))
		}
		if next == "" {
			break
		}
		cursor = next
	}
	out.writes = len(stamps)
	slices.Sort(out.links)
	slices.Sort(out.audits)
	return out
}

// TestSyncWritesInBatchesAsChunkByChunk: a sync whose answers arrive while
// an earlier one is being written writes them together, and leaves exactly
// what writing one chunk at a time leaves: the same links, mirrors, results
// and audit rows (one per change), with the audit chain intact.
func TestSyncWritesInBatchesAsChunkByChunk(t *testing.T) {
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			var outcomes []syncOutcome
			var results []link.SyncResult
			for _, batched := range []bool{false, true} {
				db := storetest.Open(t, d)
				f := newFixture(t, db, jira.Cloud)
				// Every write of the sync is stamped with a time of its own.
				f.svc.Now = func() time.Time { f.clock.advance(time.Millisecond); return f.clock.now() }
				tks := f.linkedTickets(t, 40, 10) // 400 links: four chunks of 100
				keys := make([]string, 0, 400)
				for _, iss := range f.jira.Issues() {
					keys = append(keys, iss.Key)
				}
				slices.Sort(keys)
				extra := f.ticket(t, f.app(t, "Ledger", true))
				f.markCreated(t, extra, []string{"PAY-9999"}) // never found: missing
				first := f.sync(t)
				// Every third issue moves on, one moves to another project.
				for i, k := range keys {
					if i%3 == 0 {
						f.jira.SetStatus(k, "In Progress", jiratest.CategoryInProgress)
					}
				}
				f.jira.Move(keys[7], "OPS")
				var res link.SyncResult
				if !batched {
					f.svc.SearchConcurrency = 1 // one chunk searched, then written, at a time
					res = f.sync(t)
				} else {
					// The first answer's write waits on the audit chain's head
					// while the other three chunks are searched, so they are
					// queued and written together after it.
					f.svc.SearchConcurrency = 4
					release := holdAuditHead(t, db, f.tenant)
					before := f.jira.Requests(jiratest.RouteSearch)
					var wg sync.WaitGroup
					var err error
					wg.Go(func() { res, err = f.svc.Sync(ctx, f.tenant) })
					for f.jira.Requests(jiratest.RouteSearch)-before < 5 {
						time.Sleep(5 * time.Millisecond)
					}
					time.Sleep(100 * time.Millisecond) // the answers reach the queue
					release()
					wg.Wait()
					if err != nil {
						t.Fatalf("batched sync: %v", err)
					}
				}
				if first.Links != 401 || res.Changed != 134 || res.Rekeyed != 1 || res.Missing != 1 || res.Searches != 5 {
					t.Errorf("batched=%v: first sync %+v, second %+v", batched, first, res)
				}
				results = append(results, res)
				t.Logf("batched=%v: %d writes", batched, f.outcome(t, tks).writes)
				outcomes = append(outcomes, f.outcome(t, append(tks, extra)))
				if r, err := audit.Verify(ctx, db, f.tenant, db.AuditKey); err != nil || !r.OK {
					t.Errorf("batched=%v: audit chain %+v, err %v", batched, r, err)
				}
			}
			if results[0] != results[1] {
				t.Errorf("results: chunk by chunk %+v, batched %+v", results[0], results[1])
			}
			for i, what := range []string{"links", "audit rows"} {
				a, b := outcomes[0].links, outcomes[1].links
				if i == 1 {
					a, b = outcomes[0].audits, outcomes[1].audits
				}
				if !slices.Equal(a, b) {
					t.Errorf("%s differ: chunk by chunk %d, batched %d", what, len(a), len(b))
					for j := range min(len(a), len(b)) {
						if a[j] != b[j] {
							t.Errorf("first difference:\n%s\n%s", a[j], b[j])
							break
						}
					}
				}
			}
			if n := len(outcomes[0].audits); n != 400+134+1 {
				t.Errorf("%d audit rows, want one per change (400 + 134 + 1 re-key)", n)
			}
		})
	}
}

// holdAuditHead locks the tenant's audit head in a transaction of its own,
// so every write that appends to the chain waits until release.
func holdAuditHead(t testing.TB, db *sqlstore.DB, tenantID string) (release func()) {
	t.Helper()
	tx, err := db.WritePool().BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := `UPDATE audit_head SET seq = seq WHERE tenant_id = ?`
	if db.Dialect == sqlstore.Postgres {
		q = `UPDATE audit_head SET seq = seq WHERE tenant_id = $1`
	}
	if _, err := tx.Exec(q, tenantID); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSyncWritesEveryChangedMirror: a status sync creates the mirror of a
// changed link that has none (its state and snapshot from the status) and
// moves the status of one that exists without touching its other fields,
// in the same write when both kinds are in it.
func TestSyncWritesEveryChangedMirror(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db, jira.Cloud)
		tks := f.linkedTickets(t, 2, 3)
		f.sync(t) // every link changed: every mirror created
		var keys []string
		for _, iss := range f.jira.Issues() {
			keys = append(keys, iss.Key)
		}
		slices.Sort(keys)
		// One more linked ticket, then a sync in which its new links and
		// two old ones change.
		tk := f.ticket(t, f.app(t, "Ledger", true), f.app(t, "Cards", true), f.app(t, "Loans", true))
		f.markCreated(t, tk, f.jira.Seed("OPS", 3))
		f.jira.SetStatus(keys[0], "Done", jiratest.CategoryDone)
		f.jira.SetStatus(keys[1], "In Progress", jiratest.CategoryInProgress)
		if res := f.sync(t); res.Changed != 5 {
			t.Fatalf("second sync changed %d, want 5", res.Changed)
		}
		// An existing mirror keeps its state: only a merge of the
		// tracker's fields moves it.
		want := map[string]string{keys[0]: "Done/open/r2", keys[1]: "In Progress/open/r2"}
		for _, tk := range append(tks, tk) {
			links, err := db.TicketTrackerLinks(ctx, f.tenant, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range links {
				m, err := db.TrackerMirror(ctx, f.tenant, l.ID)
				if err != nil {
					t.Fatalf("%s: no mirror: %v", l.IssueKey, err)
				}
				got := fmt.Sprintf("%s/%s/r%d", m.StatusName, m.State, m.Revision)
				w, ok := want[l.IssueKey]
				if !ok {
					w = l.StatusName + "/open/r1"
				}
				if got != w || m.IssueKey != l.IssueKey || m.StatusCategory != l.StatusCategory {
					t.Errorf("%s: mirror %s (%s, %s), want %s (%s)", l.IssueKey, got, m.IssueKey, m.StatusCategory, w, l.StatusCategory)
				}
				// A status search tells no fields: the snapshot is the
				// state the mirror was created with.
				if m.LastSynced.State != "open" {
					t.Errorf("%s: snapshot state %q, want open", l.IssueKey, m.LastSynced.State)
				}
			}
		}
	})
}
