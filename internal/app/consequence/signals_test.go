package consequence_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/app/consequence"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// queued returns the args of every queued job of a kind, oldest first.
func queued(t *testing.T, db *sqlstore.DB, kind string) [][]byte {
	t.Helper()
	q := `SELECT args FROM river_job WHERE kind = ? ORDER BY id`
	if db.Dialect == sqlstore.Postgres {
		q = strings.ReplaceAll(q, "?", "$1")
	}
	rows, err := db.WritePool().Query(q, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestChangesSignalsThroughTheSeam follows a critical change from its
// ticket to the vendor's score: creating the ticket and its breach enqueue
// score signals in their own transactions; the signal worker submits them
// (twice, as a retry would: they count once); the rescore puts the vendor
// in the critical band and plans the band-crossing notification.
func TestChangesSignalsThroughTheSeam(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, time.Now().UTC().Add(-20*24*time.Hour))
		tk := f.Ticket(t, registry.SeverityCritical, 14)
		f.Clock.Advance(15 * 24 * time.Hour)
		if _, moved, err := f.Tickets.Breach(ctx, f.Tenant, tk.Number, f.Clock.Now()); err != nil || !moved {
			t.Fatalf("breach: %v %v", moved, err)
		}
		args := queued(t, db, "score.signal")
		if len(args) != 2 {
			t.Fatalf("%d score signal jobs, want 2 (severity, deadline)", len(args))
		}
		w := &jobs.ScoreSignalWorker{Scores: f.Scores}
		for range 2 {
			for _, b := range args {
				var a jobargs.ScoreSignal
				if err := json.Unmarshal(b, &a); err != nil {
					t.Fatal(err)
				}
				if a.TenantID != f.Tenant || a.Signal.VendorID != f.Vendor.ID || a.Signal.Source != "changes" {
					t.Errorf("signal job %s", b)
				}
				if err := w.Work(ctx, &river.Job[jobargs.ScoreSignal]{Args: a}); err != nil {
					t.Fatal(err)
				}
			}
		}
		sigs, _, err := f.Scores.Signals(ctx, f.Admin, score.SignalFilter{VendorID: f.Vendor.ID})
		if err != nil {
			t.Fatal(err)
		}
		codes := map[string]float64{}
		for _, s := range sigs {
			codes[s.Code] = *s.Value
		}
		if len(sigs) != 2 || codes["change_severity"] != 1 || codes["change_deadline_met"] != 0 {
			t.Fatalf("signals %v (%d rows), want change_severity 1 and change_deadline_met 0 once each", codes, len(sigs))
		}
		vs, err := f.Scores.Rescore(ctx, f.Tenant, f.Vendor.ID)
		if err != nil {
			t.Fatal(err)
		}
		if vs.Band != score.Critical || score.FormatScore(vs.Score) != "100.0" {
			t.Errorf("score %s %s, want 100.0 critical", score.FormatScore(vs.Score), vs.Band)
		}
		var band []notify.PlanJob
		for _, b := range queued(t, db, "notify.plan") {
			var p notify.PlanJob
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			if p.Event.Kind == notify.KindScoreBand {
				band = append(band, p)
			}
		}
		if len(band) != 1 || band[0].Snapshot == nil || band[0].Snapshot.Score == nil || band[0].Snapshot.Score.Vendor != "Visa" ||
			band[0].Snapshot.Score.To != "Critical" {
			t.Fatalf("band notifications %+v, want one for Visa into critical", band)
		}
		m, err := notify.Compose(band[0].Event, *band[0].Snapshot)
		if err != nil || m.Title != "Visa: vendor risk No data → Critical (score 100.0)" || m.Severity != registry.SeverityCritical {
			t.Errorf("message %q (%s): %v", m.Title, m.Severity, err)
		}
		n, err := f.Notify.PlanEvent(ctx, f.Tenant, band[0].Event, band[0].Snapshot)
		if err != nil || n == 0 {
			t.Errorf("planned %d band deliveries: %v", n, err)
		}
	})
}

// TestTrackerTroubleIsAVendorSignal: an orphaned link, and a link whose
// issue the tracker holds twice, each become a tracker_link_conflict
// signal about the vendor of the link's ticket, once per link and kind;
// submitted, they are accepted and count in the vendor's score.
func TestTrackerTroubleIsAVendorSignal(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, time.Now().UTC().Add(-time.Hour))
		troubled := consequence.Declare(dispatch.Notices{}).Trackers.Troubled
		at := f.Clock.Now()
		var jobsOut []jobargs.Args
		for _, kind := range []string{link.TroubleOrphan, link.TroubleDuplicate, link.TroubleOrphan} {
			jobsOut = append(jobsOut, troubled(link.Trouble{TenantID: f.Tenant, LinkID: "l-1", TicketKey: "VS-0001",
				VendorID: f.Vendor.ID, Kind: kind, At: at})...)
		}
		if got := troubled(link.Trouble{TenantID: f.Tenant, LinkID: "l-2", Kind: link.TroubleOrphan, At: at}); len(got) != 0 {
			t.Errorf("a link without a vendor gave %v", got)
		}
		w := &jobs.ScoreSignalWorker{Scores: f.Scores}
		for _, j := range jobsOut {
			a, ok := j.(jobargs.ScoreSignal)
			if !ok || a.Signal.Code != "tracker_link_conflict" || a.Signal.Source != "trackers" || a.Signal.VendorID != f.Vendor.ID {
				t.Fatalf("job %#v", j)
			}
			if err := w.Work(ctx, &river.Job[jobargs.ScoreSignal]{Args: a}); err != nil {
				t.Fatal(err)
			}
		}
		sigs, _, err := f.Scores.Signals(ctx, f.Admin, score.SignalFilter{VendorID: f.Vendor.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(sigs) != 2 {
			t.Fatalf("%d signals, want one per link and kind: %+v", len(sigs), sigs)
		}
		vs, err := f.Scores.Rescore(ctx, f.Tenant, f.Vendor.ID)
		if err != nil {
			t.Fatal(err)
		}
		if vs.Score == nil || len(vs.Contributors) != 1 || vs.Contributors[0].Code != "tracker_link_conflict" {
			t.Errorf("score %s contributors %+v", score.FormatScore(vs.Score), vs.Contributors)
		}
	})
}

// TestTicketAtRiskThroughTheSeam walks a change through its D-7, D-3 and
// D-1 escalations and its breach, the deadline monitor running twice at
// each: every threshold that goes out enqueues one change_at_risk signal of
// the vendor (the breach none), and the signal worker, run twice over them
// as a retry would, stores each once.
func TestTicketAtRiskThroughTheSeam(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := dispatchtest.New(t, db, time.Date(2027, 4, 5, 10, 0, 0, 0, time.UTC))
		tk := f.Ticket(t, registry.SeverityHigh, 14)
		atRisk := func() []jobargs.ScoreSignal {
			var out []jobargs.ScoreSignal
			for _, b := range queued(t, db, "score.signal") {
				var a jobargs.ScoreSignal
				if err := json.Unmarshal(b, &a); err != nil {
					t.Fatal(err)
				}
				if a.Signal.Code == "change_at_risk" {
					out = append(out, a)
				}
			}
			return out
		}
		w := &jobs.ScoreSignalWorker{Scores: f.Scores}
		for i, at := range []time.Time{
			time.Date(2027, 4, 12, 9, 0, 0, 0, time.UTC), time.Date(2027, 4, 16, 9, 0, 0, 0, time.UTC),
			time.Date(2027, 4, 18, 0, 0, 0, 0, time.UTC), time.Date(2027, 4, 19, 10, 15, 0, 0, time.UTC),
		} {
			f.Clock.Set(at)
			for range 2 {
				if _, err := f.Monitor.Run(ctx); err != nil {
					t.Fatal(err)
				}
			}
			jobs := atRisk()
			if want := min(i+1, 3); len(jobs) != want {
				t.Fatalf("at %s: %d change_at_risk jobs, want %d", at.Format(time.DateTime), len(jobs), want)
			}
			for range 2 {
				for _, a := range jobs {
					if err := w.Work(ctx, &river.Job[jobargs.ScoreSignal]{Args: a}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		sigs, _, err := f.Scores.Signals(ctx, f.Admin, score.SignalFilter{VendorID: f.Vendor.ID})
		if err != nil {
			t.Fatal(err)
		}
		var notes []string
		for _, s := range sigs {
			if s.Code != "change_at_risk" {
				continue
			}
			if s.Source != "changes" || s.RejectionReason != "" || s.Value == nil || *s.Value != 1 {
				t.Errorf("signal %s from %s = %v, rejected %q", s.EventID, s.Source, s.Value, s.RejectionReason)
			}
			notes = append(notes, s.Note)
		}
		slices.Sort(notes)
		if want := []string{tk.Key() + " D-1", tk.Key() + " D-3", tk.Key() + " D-7"}; !slices.Equal(notes, want) {
			t.Errorf("change_at_risk signals %q, want %q once each", notes, want)
		}
	})
}

// TestBreakingChangesThroughTheSeam: each breaking change a vendor
// announces enqueues, in its ticket's transaction, a breaking_change_count
// signal with the vendor's breaking changes of the last 90 days, this one
// included: one older than 90 days and a change that is not breaking do not
// count. The signal worker, run twice over each job as a retry would,
// stores each once.
func TestBreakingChangesThroughTheSeam(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		start := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
		f := dispatchtest.New(t, db, start)
		w := &jobs.ScoreSignalWorker{Scores: f.Scores}
		seen := 0
		want := map[string]float64{}
		for _, c := range []struct {
			day      int
			breaking bool
			count    float64
		}{{0, true, 1}, {140, true, 1}, {150, false, 0}, {170, true, 2}, {200, true, 3}} {
			f.Clock.Set(start.AddDate(0, 0, c.day))
			tk, err := f.Tickets.Create(ctx, f.Admin, ticket.Draft{VendorID: f.Vendor.ID, Topic: "API version retired",
				Severity: registry.SeverityMedium, SLADays: 14, OwnerTeamID: f.Team.ID,
				Decision: json.RawMessage(fmt.Sprintf(`{"classification":"api_change","is_breaking":%t}`, c.breaking))})
			if err != nil {
				t.Fatal(err)
			}
			var counts []jobargs.ScoreSignal
			for _, b := range queued(t, db, "score.signal")[seen:] {
				var a jobargs.ScoreSignal
				if err := json.Unmarshal(b, &a); err != nil {
					t.Fatal(err)
				}
				if a.Signal.Code == "breaking_change_count" {
					counts = append(counts, a)
				}
				seen++
			}
			if !c.breaking {
				if len(counts) != 0 {
					t.Fatalf("day %d: a change that is not breaking gave %+v", c.day, counts)
				}
				continue
			}
			if len(counts) != 1 || counts[0].Signal.Value != c.count ||
				counts[0].Signal.EventID != "ticket:"+tk.ID+":breaking_count" || !counts[0].Signal.ObservedAt.Equal(tk.CreatedAt) {
				t.Fatalf("day %d: breaking_change_count jobs %+v, want one of %v", c.day, counts, c.count)
			}
			want[tk.Key()+fmt.Sprintf(": %v breaking changes in 90 days", c.count)] = c.count
			for range 2 {
				if err := w.Work(ctx, &river.Job[jobargs.ScoreSignal]{Args: counts[0]}); err != nil {
					t.Fatal(err)
				}
			}
		}
		sigs, _, err := f.Scores.Signals(ctx, f.Admin, score.SignalFilter{VendorID: f.Vendor.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, s := range sigs {
			if s.Code != "breaking_change_count" {
				continue
			}
			if s.RejectionReason != "" || s.Value == nil {
				t.Errorf("signal %s rejected %q", s.EventID, s.RejectionReason)
				continue
			}
			if _, dup := got[s.Note]; dup {
				t.Errorf("signal %q stored twice", s.Note)
			}
			got[s.Note] = *s.Value
		}
		if !maps.Equal(got, want) {
			t.Errorf("breaking_change_count signals %v, want %v", got, want)
		}
	})
}
