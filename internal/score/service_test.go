package score_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// fixture is a tenant with an admin, two vendors and the score service on
// a real store with an insert-only job queue.
type fixture struct {
	db         *sqlstore.DB
	svc        *score.Service
	reg        *registry.Service
	admin      auth.Principal
	other      auth.Principal
	acme, zeta registry.Vendor
	now        time.Time
}

func newFixture(t *testing.T, db *sqlstore.DB) *fixture { return newFixtureTB(t, db) }

func newFixtureTB(t testing.TB, db *sqlstore.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := jobs.New(db, jobs.Config{}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, reg: &registry.Service{Store: db}, now: time.Now().UTC().Truncate(time.Second)}
	f.svc = &score.Service{Store: db, Now: func() time.Time { return f.now },
		Consequences: score.Consequences{BandChanged: func(e score.BandEvent) []jobargs.Args {
			return []jobargs.Args{bandJob{Tenant: jobargs.For(e.TenantID), EventID: e.ID}}
		}}}
	as := &auth.Service{Store: db, Keys: db.Keys}
	for i, p := range []*auth.Principal{&f.admin, &f.other} {
		b, err := as.CreateTenant(ctx, fmt.Sprintf("t%d", i), fmt.Sprintf("Tenant %d", i), fmt.Sprintf("admin@t%d.test", i))
		if err != nil {
			t.Fatal(err)
		}
		*p = b.Admin.Principal()
	}
	var err error
	if f.acme, err = f.reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: "Acme Parts", Tier: registry.Tier1,
		EmailDomains: []string{"acme.example"}, Aliases: []string{"ACME"}}); err != nil {
		t.Fatal(err)
	}
	if f.zeta, err = f.reg.CreateVendor(ctx, f.admin, registry.Vendor{Name: "Zeta", Tier: registry.Tier2}); err != nil {
		t.Fatal(err)
	}
	return f
}

// bandJob stands for the notifications of a band crossing.
type bandJob struct {
	jobargs.Tenant
	EventID string `json:"event_id"`
}

func (bandJob) Kind() string { return "test.band" }

func val(f float64) *float64 { return &f }

func (f *fixture) sub(event, code string, v float64, ref score.VendorRef) score.Submission {
	return score.Submission{EventID: event, VendorRef: ref, Code: code, Value: val(v), ObservedAt: f.now.Add(-time.Hour)}
}

func TestSubmitOutcomes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		later, earlier := f.now.Add(-time.Minute), f.now.Add(-time.Hour)
		byID := score.VendorRef{ID: f.acme.ID}
		items := []score.Submission{
			f.sub("ok-id", "defect_rate", 0.1, byID),
			f.sub("ok-domain", "defect_rate", 0.1, score.VendorRef{Domain: "mail.ACME.example"}),
			f.sub("ok-alias", "defect_rate", 0.1, score.VendorRef{Name: "acme"}),
			{EventID: "future", VendorRef: byID, Code: "defect_rate", Value: val(0.1), ObservedAt: f.now.Add(time.Hour)},
			{EventID: "stale", VendorRef: byID, Code: "defect_rate", Value: val(0.1), ObservedAt: f.now.Add(-400 * 24 * time.Hour)},
			{EventID: "inverted", VendorRef: byID, Code: "defect_rate", Value: val(0.1), ObservedAt: earlier, WindowStart: &later, WindowEnd: &earlier},
			f.sub("unknown", "weather", 1, byID),
			f.sub("range", "defect_rate", 2, byID),
			f.sub("missing", "defect_rate", 0.1, score.VendorRef{Domain: "nobody.example"}),
			f.sub("empty-ref", "defect_rate", 0.1, score.VendorRef{}),
			f.sub("", "defect_rate", 0.1, byID),
			f.sub("ok-id", "defect_rate", 0.9, byID), // same event again
		}
		got, err := f.svc.Submit(ctx, f.admin, "rest", items)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"accepted", "accepted", "accepted", "rejected FUTURE", "rejected STALE", "rejected WINDOW_INVERTED",
			"rejected UNKNOWN_SIGNAL_CODE", "rejected VALUE_OUT_OF_RANGE", "rejected MISSING_VENDOR_REF", "rejected MISSING_VENDOR_REF",
			"invalid", "duplicate"}
		for i, r := range got {
			s := strings.TrimSpace(string(r.Outcome) + " " + string(r.Reason))
			if s != want[i] {
				t.Errorf("item %d (%s): %s, want %s", i+1, r.EventID, s, want[i])
			}
		}
		if got[11].SignalID != got[0].SignalID {
			t.Errorf("the duplicate names %s, want the first signal %s", got[11].SignalID, got[0].SignalID)
		}
		rej, _, err := f.svc.Signals(ctx, f.admin, score.SignalFilter{Rejected: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(rej) != 7 {
			t.Errorf("%d rejections stored, want 7", len(rej))
		}
		for _, s := range rej {
			if s.Status != score.StatusRejected || s.RejectionReason == "" {
				t.Errorf("rejection %s: status %s reason %q", s.EventID, s.Status, s.RejectionReason)
			}
		}
		// A rejected event id claims nothing: the corrected resend counts.
		again, err := f.svc.Submit(ctx, f.admin, "rest", []score.Submission{f.sub("range", "defect_rate", 0.5, byID)})
		if err != nil || again[0].Outcome != score.Accepted {
			t.Errorf("corrected resend: %+v %v", again, err)
		}
		// Another tenant's vendor never resolves.
		x, err := f.svc.Submit(ctx, f.other, "rest", []score.Submission{f.sub("x", "defect_rate", 0.5, byID)})
		if err != nil || x[0].Reason != score.MissingVendorRef {
			t.Errorf("cross-tenant vendor: %+v %v", x, err)
		}
		if _, err := f.svc.Submit(ctx, auth.Principal{TenantID: f.admin.TenantID, Role: auth.RoleViewer}, "rest", items[:1]); err == nil {
			t.Error("a viewer submitted signals")
		}
	})
}

func TestSubmitDedupConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		const n = 64
		var wg sync.WaitGroup
		results := make([]score.ItemResult, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := f.svc.Submit(context.Background(), f.admin, "rest",
					[]score.Submission{f.sub("evt-1", "defect_rate", 0.25, score.VendorRef{ID: f.acme.ID})})
				errs[i] = err
				if err == nil {
					results[i] = r[0]
				}
			}()
		}
		wg.Wait()
		accepted, dups := 0, 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("post %d: %v", i, errs[i])
			}
			switch results[i].Outcome {
			case score.Accepted:
				accepted++
			case score.Duplicate:
				dups++
			}
		}
		if accepted != 1 || dups != n-1 {
			t.Errorf("%d accepted, %d duplicates; want 1 and %d", accepted, dups, n-1)
		}
		sigs, _, err := f.svc.Signals(context.Background(), f.admin, score.SignalFilter{})
		if err != nil || len(sigs) != 1 {
			t.Errorf("%d signals stored (%v), want 1", len(sigs), err)
		}
	})
}

// TestAppendOnly writes to the signal table directly, as a one-off SQL
// session would: the database itself refuses.
func TestAppendOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		r, err := f.svc.Submit(context.Background(), f.admin, "rest",
			[]score.Submission{f.sub("e1", "defect_rate", 0.25, score.VendorRef{ID: f.acme.ID})})
		if err != nil {
			t.Fatal(err)
		}
		id := r[0].SignalID
		q := func(s string) string {
			if db.Dialect == sqlstore.Postgres {
				return strings.ReplaceAll(s, "?", "$1")
			}
			return s
		}
		exec := func(s string) error {
			_, err := db.WritePool().Exec(q(s), id)
			return err
		}
		for name, stmt := range map[string]string{
			"update of a value":          `UPDATE score_signals SET value = 0.99 WHERE id = ?`,
			"update of the vendor":       `UPDATE score_signals SET vendor_id = NULL WHERE id = ?`,
			"status with a value":        `UPDATE score_signals SET status = 'scored', value = 0.5 WHERE id = ?`,
			"delete":                     `DELETE FROM score_signals WHERE id = ?`,
			"status normalized → raw":    `UPDATE score_signals SET status = 'raw' WHERE id = ?`,
			"status normalized → reject": `UPDATE score_signals SET status = 'rejected' WHERE id = ?`,
		} {
			if err := exec(stmt); err == nil {
				t.Errorf("%s: the database allowed it", name)
			}
		}
		if err := exec(`UPDATE score_signals SET status = 'scored' WHERE id = ?`); err != nil {
			t.Fatalf("normalized → scored refused: %v", err)
		}
		if err := exec(`UPDATE score_signals SET status = 'normalized' WHERE id = ?`); err == nil {
			t.Error("scored → normalized allowed")
		}
		if err := exec(`UPDATE score_signals SET status = 'superseded' WHERE id = ?`); err == nil {
			t.Error("scored → superseded allowed")
		}
		var v float64
		if err := db.WritePool().QueryRow(q(`SELECT value FROM score_signals WHERE id = ?`), id).Scan(&v); err != nil || v != 0.25 {
			t.Errorf("value now %v (%v), want 0.25", v, err)
		}
		if db.Dialect == sqlstore.Postgres {
			if _, err := db.WritePool().Exec(`TRUNCATE score_signals`); err == nil {
				t.Error("TRUNCATE allowed")
			}
			var parts int
			if err := db.WritePool().QueryRow(`SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'score_signals'::regclass`).Scan(&parts); err != nil {
				t.Fatal(err)
			}
			if parts < 5 { // default + this month + 3 ahead
				t.Errorf("%d partitions, want at least 5", parts)
			}
			if n, err := db.EnsureSignalPartitions(context.Background(), 3); err != nil || n != 0 {
				t.Errorf("partitions again: %d, %v; want 0 new", n, err)
			}
			if n, err := db.EnsureSignalPartitions(context.Background(), 5); err != nil || n != 2 {
				t.Errorf("two more months: %d, %v; want 2", n, err)
			}
		}
	})
}

func TestRescoreAndBandCrossing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ref := score.VendorRef{ID: f.acme.ID}
		if _, err := f.svc.Submit(ctx, f.admin, "rest", []score.Submission{f.sub("a1", "on_time_delivery_rate", 0.9, ref)}); err != nil {
			t.Fatal(err)
		}
		vs, err := f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if score.FormatScore(vs.Score) != "10.0" || vs.Band != score.Low {
			t.Fatalf("first score %s %s, want 10.0 low", score.FormatScore(vs.Score), vs.Band)
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.svc.Submit(ctx, f.admin, "rest", []score.Submission{
			f.sub("a2", "security_incident_count", 5, ref), f.sub("a3", "contract_expired", 1, ref)}); err != nil {
			t.Fatal(err)
		}
		vs, err = f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if vs.Band != score.High {
			t.Fatalf("after the incidents: %s %s, want high", score.FormatScore(vs.Score), vs.Band)
		}
		card, err := f.svc.VendorCard(ctx, f.admin, f.acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(card.History) != 2 || len(card.Bands) != 1 {
			t.Fatalf("history %d, band events %d; want 2 and 1", len(card.History), len(card.Bands))
		}
		ev := card.Bands[0]
		if ev.From != score.Low || ev.To != score.High || ev.Payload.Vendor != "Acme Parts" || ev.Payload.Tenant != "Tenant 0" {
			t.Errorf("band event %+v", ev)
		}
		if n := countJobs(t, db, "test.band"); n != 1 {
			t.Errorf("%d band notifications enqueued, want 1", n)
		}
		// Renaming the vendor changes no frozen payload.
		if _, err := f.reg.UpdateVendor(ctx, f.admin, f.acme.ID, func(v *registry.Vendor) { v.Name = "Acme Renamed" }); err != nil {
			t.Fatal(err)
		}
		card, err = f.svc.VendorCard(ctx, f.admin, f.acme.ID)
		if err != nil || !cmp.Equal(card.Bands[0].Payload, ev.Payload) {
			t.Errorf("payload after rename: %+v %v", card.Bands[0].Payload, err)
		}
		// Rescoring with no change crosses nothing.
		if _, err := f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID); err != nil {
			t.Fatal(err)
		}
		if n := countJobs(t, db, "test.band"); n != 1 {
			t.Errorf("%d band notifications after a quiet rescore, want 1", n)
		}
		// The accepted signals are scored now.
		sigs, _, _ := f.svc.Signals(ctx, f.admin, score.SignalFilter{VendorID: f.acme.ID})
		for _, s := range sigs {
			if s.Status != score.StatusScored {
				t.Errorf("signal %s is %s after a rescore", s.EventID, s.Status)
			}
		}
		// A vendor without signals has no data.
		card, err = f.svc.VendorCard(ctx, f.admin, f.zeta.ID)
		if err != nil || card.Score.Score != nil || card.Score.Band != score.NoData {
			t.Errorf("vendor without signals: %+v %v", card.Score, err)
		}
		if _, err := f.svc.VendorCard(ctx, f.other, f.acme.ID); err == nil {
			t.Error("another tenant read the card")
		}
	})
}

func TestRuleActivationConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		var ids []string
		for i := range 8 {
			d := score.DefaultRule()
			d.WindowDays = 100 + i
			r, err := f.svc.CreateRule(ctx, f.admin, d, fmt.Sprintf("version %d", i+1))
			if err != nil {
				t.Fatal(err)
			}
			if r.Version != i+1 {
				t.Fatalf("version %d, want %d", r.Version, i+1)
			}
			ids = append(ids, r.ID)
		}
		if _, err := f.svc.ActivateRule(ctx, f.admin, ids[0]); err != nil {
			t.Fatal(err)
		}
		// While the others are activated at once, a reader always finds
		// exactly one active rule: the swap is never half done.
		stop := make(chan struct{})
		seen := make(chan error, 1)
		go func() {
			defer close(seen)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.ActiveScoreRule(ctx, f.admin.TenantID); err != nil {
					seen <- err
					return
				}
			}
		}()
		var wg sync.WaitGroup
		for _, id := range ids[1:] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					_, err := f.svc.ActivateRule(ctx, f.admin, id)
					if err == nil {
						return
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		if err := <-seen; err != nil {
			t.Errorf("during the activations a reader found no active rule: %v", err)
		}
		rs, err := f.svc.Rules(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		active := 0
		for _, r := range rs {
			if r.IsActive {
				active++
			}
		}
		if active != 1 || len(rs) != 8 {
			t.Errorf("%d active of %d versions, want exactly 1 of 8", active, len(rs))
		}
		bad := score.DefaultRule()
		bad.Bands.High = 10
		if _, err := f.svc.CreateRule(ctx, f.admin, bad, ""); err == nil {
			t.Error("a rule with falling thresholds was saved")
		}
	})
}

// countJobs counts the queued jobs of a kind.
func countJobs(t *testing.T, db *sqlstore.DB, kind string) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM river_job WHERE kind = ?`
	if db.Dialect == sqlstore.Postgres {
		q = strings.ReplaceAll(q, "?", "$1")
	}
	var n int
	if err := db.WritePool().QueryRow(q, kind).Scan(&n); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return n
}

// TestSignalSumsMatchObservations checks that the database's aggregating
// query gives the sums, and so the score, that the signals one by one give:
// every catalog code, ages from a few seconds ahead of the clock to the
// edge of the window, values across the range; and that a value outside
// its code's range is clamped one by one, as Composite does.
func TestSignalSumsMatchObservations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		d := score.DefaultRule()
		d.HalfLifeDays = 30
		var subs []score.Submission
		for i := range 300 {
			def := score.Catalog[i%len(score.Catalog)]
			v := def.Min + (def.Max-def.Min)*float64(i%7)/6
			if def.ValueType == score.Count || def.ValueType == score.Flag {
				v = math.Round(v)
			}
			s := f.sub(fmt.Sprintf("m-%d", i), def.Code, v, score.VendorRef{ID: f.acme.ID})
			s.ObservedAt = f.now.Add(time.Duration(3-i*1000) * time.Minute).Add(time.Duration(i) * time.Millisecond)
			subs = append(subs, s)
		}
		if r, err := f.svc.Submit(ctx, f.admin, "rest", subs); err != nil {
			t.Fatal(err)
		} else {
			for _, x := range r {
				if x.Outcome != score.Accepted {
					t.Fatalf("item %d: %s %s %s", x.Index, x.Outcome, x.Reason, x.Message)
				}
			}
		}
		since := f.now.Add(-d.Window())
		obs, err := db.VendorObservations(ctx, f.admin.TenantID, f.acme.ID, since)
		if err != nil {
			t.Fatal(err)
		}
		want := score.Sums(d, obs, f.now)
		got, err := db.VendorSignalSums(ctx, f.admin.TenantID, f.acme.ID, since, f.now, d.HalfLifeDays)
		if err != nil {
			t.Fatal(err)
		}
		all, err := db.TenantSignalSums(ctx, f.admin.TenantID, since, f.now, d.HalfLifeDays)
		if err != nil {
			t.Fatal(err)
		}
		near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
		sort.Slice(want, func(i, j int) bool { return want[i].Code < want[j].Code })
		for _, sums := range [][]score.CodeSum{got, all[f.acme.ID]} {
			if len(sums) != len(want) {
				t.Fatalf("%d codes summed, want %d", len(sums), len(want))
			}
			for i, w := range want {
				g := sums[i]
				if g.Code != w.Code || g.Signals != w.Signals || !near(g.Decay, w.Decay) || !near(g.Value, w.Value) || g.Min != w.Min || g.Max != w.Max {
					t.Errorf("sum of %s = %+v, want %+v", w.Code, g, w)
				}
			}
			if a, b := score.CompositeOfSums(d, sums), score.Composite(d, obs, f.now); !cmp.Equal(a, b) {
				t.Errorf("score from the database's sums %s %+v, from the signals %s %+v", a.Text(), a.Contributors, b.Text(), b.Contributors)
			}
		}
		// A value outside its code's range (as after a catalog change) is
		// clamped signal by signal: the sums say so, and Rescore takes the
		// exact path.
		q := `INSERT INTO score_signals (id, tenant_id, event_id, source, vendor_id, code, category, value, observed_at, recorded_at, status)
			VALUES (?, ?, 'over', 'rest', ?, 'defect_rate', 'quality', 7, ?, ?, 'scored')`
		if _, err := db.WritePool().Exec(numbered(db, q), "over-range", f.admin.TenantID, f.acme.ID, f.now.Add(-time.Hour), f.now); err != nil {
			t.Fatal(err)
		}
		got, err = db.VendorSignalSums(ctx, f.admin.TenantID, f.acme.ID, since, f.now, d.HalfLifeDays)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(got, func(c score.CodeSum) bool { return c.Code == "defect_rate" }); i < 0 || got[i].InRange() {
			t.Errorf("defect_rate sums with a value of 7 in range: %+v", got)
		}
		if obs, err = db.VendorObservations(ctx, f.admin.TenantID, f.acme.ID, since); err != nil {
			t.Fatal(err)
		}
		vs, err := f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b := score.Composite(score.DefaultRule(), obs, f.now); vs.Text() != b.Text() || !cmp.Equal(vs.Contributors, b.Contributors) {
			t.Errorf("rescore %s %+v, want %s %+v", vs.Text(), vs.Contributors, b.Text(), b.Contributors)
		}
		if n, err := f.svc.RescoreTenant(ctx, f.admin.TenantID); err != nil || n != 1 {
			t.Fatalf("tenant rescore: %d, %v", n, err)
		}
		card, err := f.svc.VendorCard(ctx, f.admin, f.acme.ID)
		if err != nil || card.Score.Text() != vs.Text() {
			t.Errorf("after the full rescore %s (%v), want %s", card.Score.Text(), err, vs.Text())
		}
	})
}

// numbered writes a test's "?" placeholders as "$1…" on PostgreSQL.
func numbered(db *sqlstore.DB, q string) string {
	for n := 1; db.Dialect == sqlstore.Postgres && strings.Contains(q, "?"); n++ {
		q = strings.Replace(q, "?", "$"+strconv.Itoa(n), 1)
	}
	return q
}

// TestNoDataOnceSignalsLeaveTheWindow: a vendor whose signals have all
// aged out of the rule's window has no data — neither its last score nor
// a perfect or worst one — through the vendor's own rescore and the full
// one; and a rule that could score nothing is refused with its reason.
func TestNoDataOnceSignalsLeaveTheWindow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, err := f.svc.Submit(ctx, f.admin, "rest", []score.Submission{
			f.sub("old", "security_incident_count", 5, score.VendorRef{ID: f.acme.ID})}); err != nil {
			t.Fatal(err)
		}
		vs, err := f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID)
		if err != nil || vs.Score == nil {
			t.Fatalf("first score %s (%v)", vs.Text(), err)
		}
		f.now = f.now.Add(366 * 24 * time.Hour)
		for name, rescore := range map[string]func() error{
			"vendor": func() error { _, err := f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID); return err },
			"tenant": func() error { _, err := f.svc.RescoreTenant(ctx, f.admin.TenantID); return err },
		} {
			if err := rescore(); err != nil {
				t.Fatal(err)
			}
			card, err := f.svc.VendorCard(ctx, f.admin, f.acme.ID)
			if err != nil {
				t.Fatal(err)
			}
			if card.Score.Score != nil || card.Score.Band != score.NoData || card.Score.Text() != "no data" || len(card.Score.Contributors) != 0 {
				t.Errorf("%s rescore a year later: %s %q %+v, want no data", name, card.Score.Text(), card.Score.Band, card.Score.Contributors)
			}
			if h := card.History[len(card.History)-1]; h.Score != nil {
				t.Errorf("%s rescore: last history point %v, want no data", name, *h.Score)
			}
		}
		bad := score.DefaultRule()
		bad.CategoryWeights = map[score.Category]float64{score.Security: 0}
		_, err = f.svc.CreateRule(ctx, f.admin, bad, "")
		if fs := apperr.FieldsOf(err); len(fs) == 0 || fs[0].Field != "category_weights" || fs[0].Message == "" {
			t.Errorf("a rule weighting nothing: %v %+v, want refused naming category_weights", err, fs)
		}
	})
}

// TestConcurrentRescoresAnnounceOneCrossing races the vendor's own
// rescores and full rescores after a signal moved it into another band:
// the crossing is announced once, whichever saves first.
func TestConcurrentRescoresAnnounceOneCrossing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if _, err := f.svc.Submit(ctx, f.admin, "rest", []score.Submission{
			f.sub("bad", "security_incident_count", 5, score.VendorRef{ID: f.acme.ID})}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if i%4 == 0 {
					_, err = f.svc.RescoreTenant(ctx, f.admin.TenantID)
				} else {
					_, err = f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("rescore: %v", err)
			}
		}
		card, err := f.svc.VendorCard(ctx, f.admin, f.acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(card.Bands) != 1 || card.Score.Band != score.Critical {
			t.Errorf("%d band events, band %s; want 1 crossing into critical", len(card.Bands), card.Score.Band)
		}
		if n := countJobs(t, db, "test.band"); n != 1 {
			t.Errorf("%d band notifications enqueued, want 1", n)
		}
	})
}
