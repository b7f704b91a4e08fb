package score_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// dayTotal is a running day or block total's key and count.
type dayTotal struct {
	Vendor, Code string
	Day          int64
	Signals      int
}

// dayTotals reads the running day totals of a tenant.
func dayTotals(t *testing.T, db *sqlstore.DB, tenantID string) []dayTotal {
	t.Helper()
	return runningTotals(t, db, tenantID, "score_signal_days", "day")
}

// blockTotals reads the running block totals of a tenant.
func blockTotals(t *testing.T, db *sqlstore.DB, tenantID string) []dayTotal {
	t.Helper()
	return runningTotals(t, db, tenantID, "score_signal_blocks", "block")
}

func runningTotals(t *testing.T, db *sqlstore.DB, tenantID, table, key string) []dayTotal {
	t.Helper()
	rows, err := db.WritePool().Query(numbered(db, `SELECT vendor_id, code, `+key+`, signals FROM `+table+` WHERE tenant_id = ?
		ORDER BY vendor_id, code, `+key), tenantID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []dayTotal
	for rows.Next() {
		var d dayTotal
		if err := rows.Scan(&d.Vendor, &d.Code, &d.Day, &d.Signals); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// countedTotals is what the day totals must count: the accepted signals
// one by one, per vendor, code and UTC day.
func countedTotals(t *testing.T, db *sqlstore.DB, tenantID string, vendors ...string) []dayTotal {
	t.Helper()
	return counted(t, db, tenantID, 1, vendors...)
}

// countedBlocks is countedTotals per block of score.BlockDays days.
func countedBlocks(t *testing.T, db *sqlstore.DB, tenantID string, vendors ...string) []dayTotal {
	t.Helper()
	return counted(t, db, tenantID, score.BlockDays, vendors...)
}

func counted(t *testing.T, db *sqlstore.DB, tenantID string, spanDays float64, vendors ...string) []dayTotal {
	t.Helper()
	m := map[dayTotal]int{}
	for _, v := range vendors {
		obs, err := db.VendorObservations(context.Background(), tenantID, v, time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			m[dayTotal{Vendor: v, Code: o.Code, Day: int64(math.Floor(float64(o.ObservedAt.Unix()) / 86400 / spanDays))}]++
		}
	}
	var out []dayTotal
	for k, n := range m {
		k.Signals = n
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Vendor != b.Vendor {
			return a.Vendor < b.Vendor
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Day < b.Day
	})
	return out
}

// checkSums compares the sums the store reads (day totals and the
// window's partial days) with the sums of the signals one by one, and the
// scores both give, for one vendor and through the tenant-wide read.
func checkSums(t *testing.T, db *sqlstore.DB, tenantID, vendorID string, d score.RuleDefinition, now time.Time) {
	t.Helper()
	ctx := context.Background()
	since := now.Add(-d.Window())
	obs, err := db.VendorObservations(ctx, tenantID, vendorID, since)
	if err != nil {
		t.Fatal(err)
	}
	want := score.Sums(d, obs, now)
	sort.Slice(want, func(i, j int) bool { return want[i].Code < want[j].Code })
	got, err := db.VendorSignalSums(ctx, tenantID, vendorID, since, now, d.HalfLifeDays)
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.TenantSignalSums(ctx, tenantID, since, now, d.HalfLifeDays)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for _, sums := range [][]score.CodeSum{got, all[vendorID]} {
		if len(sums) != len(want) {
			t.Fatalf("window %d days, half-life %g, now %s: %d codes summed, want %d (%+v, want %+v)",
				d.WindowDays, d.HalfLifeDays, now, len(sums), len(want), sums, want)
		}
		for i, w := range want {
			g := sums[i]
			if g.Code != w.Code || g.Signals != w.Signals || !near(g.Decay, w.Decay) || !near(g.Value, w.Value) || g.Min > w.Min || g.Max < w.Max {
				t.Errorf("window %d days, half-life %g, now %s: sum of %s = %+v, want %+v", d.WindowDays, d.HalfLifeDays, now, w.Code, g, w)
			}
		}
		if a, b := score.CompositeOfSums(d, sums), score.Composite(d, obs, now); !cmp.Equal(a, b) {
			t.Errorf("score from the totals %s %+v, from the signals %s %+v", a.Text(), a.Contributors, b.Text(), b.Contributors)
		}
	}
}

// TestSignalTotalsMatchSignals puts random signals in (submitted, written
// raw and then accepted, written already scored, some far outside any
// window), supersedes random ones, rescores, changes the rule's window and
// half-life and moves the clock, and after every step compares the running
// day and block totals with the signals one by one: the count of every
// vendor, code and day or block, the decayed sums under the active rule
// and under half-lives that read blocks, and the score.
func TestSignalTotalsMatchSignals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(11, 7))
		vendors := []string{f.acme.ID, f.zeta.ID}
		// Midway through a UTC day, so the window's first day is partial.
		f.now = f.now.Truncate(24 * time.Hour).Add(13*time.Hour + 17*time.Minute + 123456*time.Microsecond)
		rule := score.DefaultRule()
		value := func(def score.Definition) float64 {
			v := def.Min + (def.Max-def.Min)*rng.Float64()
			if def.ValueType == score.Count || def.ValueType == score.Flag {
				v = math.Round(v)
			}
			return v
		}
		// age spreads signals over the window and past it, a few a little
		// ahead of the clock.
		age := func() time.Duration {
			switch rng.IntN(6) {
			case 0:
				return -time.Duration(rng.IntN(120)) * time.Second
			case 1:
				return time.Duration(rng.Int64N(int64(48 * time.Hour)))
			}
			return time.Duration(rng.Int64N(int64(420 * 24 * time.Hour))).Truncate(time.Microsecond)
		}
		insert := `INSERT INTO score_signals (id, tenant_id, event_id, source, vendor_id, code, category, value, observed_at, recorded_at, status)
			VALUES (?, ?, ?, 'direct', ?, ?, ?, ?, ?, ?, ?)`
		var raw, normalized []string
		n := 0
		for round := range 12 {
			// Submitted signals, within the active rule's window.
			var subs []score.Submission
			for range 5 + rng.IntN(20) {
				def := score.Catalog[rng.IntN(len(score.Catalog))]
				n++
				s := f.sub(fmt.Sprintf("p-%d", n), def.Code, value(def), score.VendorRef{ID: vendors[rng.IntN(2)]})
				s.ObservedAt = f.now.Add(-time.Duration(rng.Int64N(int64(rule.Window() - time.Hour))))
				subs = append(subs, s)
			}
			res, err := f.svc.Submit(ctx, f.admin, "rest", subs)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Outcome != score.Accepted {
					t.Fatalf("item %d: %s %s", r.Index, r.Outcome, r.Message)
				}
				normalized = append(normalized, r.SignalID)
			}
			// Signals written straight into the table: raw, normalized or
			// already scored, at any age.
			for range 10 + rng.IntN(30) {
				def := score.Catalog[rng.IntN(len(score.Catalog))]
				status := []string{"raw", "normalized", "scored"}[rng.IntN(3)]
				id := ident.New()
				n++
				if _, err := db.WritePool().Exec(numbered(db, insert), id, f.admin.TenantID, fmt.Sprintf("p-%d", n), vendors[rng.IntN(2)],
					def.Code, string(def.Category), value(def), f.now.Add(-age()), f.now, status); err != nil {
					t.Fatal(err)
				}
				switch status {
				case "raw":
					raw = append(raw, id)
				case "normalized":
					normalized = append(normalized, id)
				}
			}
			// Some raw signals are accepted, some accepted ones superseded.
			rng.Shuffle(len(raw), func(i, j int) { raw[i], raw[j] = raw[j], raw[i] })
			for k := len(raw) / 2; k < len(raw); k++ {
				if _, err := db.WritePool().Exec(numbered(db, `UPDATE score_signals SET status = 'normalized' WHERE id = ?`), raw[k]); err != nil {
					t.Fatal(err)
				}
				normalized = append(normalized, raw[k])
			}
			raw = raw[:len(raw)/2]
			rng.Shuffle(len(normalized), func(i, j int) { normalized[i], normalized[j] = normalized[j], normalized[i] })
			for k := len(normalized) * 2 / 3; k < len(normalized); k++ {
				if _, err := db.WritePool().Exec(numbered(db, `UPDATE score_signals SET status = 'superseded' WHERE id = ? AND status = 'normalized'`),
					normalized[k]); err != nil {
					t.Fatal(err)
				}
			}
			normalized = normalized[:len(normalized)*2/3]
			// A rescore marks normalized signals scored: the totals stay.
			if round%3 == 1 {
				if _, err := f.svc.RescoreTenant(ctx, f.admin.TenantID); err != nil {
					t.Fatal(err)
				}
				normalized = normalized[:0]
			}
			if got, want := dayTotals(t, db, f.admin.TenantID), countedTotals(t, db, f.admin.TenantID, vendors...); !cmp.Equal(got, want) {
				t.Fatalf("round %d: day totals differ from the signals: %s", round, cmp.Diff(want, got))
			}
			if got, want := blockTotals(t, db, f.admin.TenantID), countedBlocks(t, db, f.admin.TenantID, vendors...); !cmp.Equal(got, want) {
				t.Fatalf("round %d: block totals differ from the signals: %s", round, cmp.Diff(want, got))
			}
			// Another rule, another time.
			if round%2 == 0 {
				rule.WindowDays = 1 + rng.IntN(400)
				rule.HalfLifeDays = math.Round((1+rng.Float64()*399)*100) / 100
				if round%4 == 0 {
					rule.HalfLifeDays = 1
				}
				r, err := f.svc.CreateRule(ctx, f.admin, rule, "")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.ActivateRule(ctx, f.admin, r.ID); err != nil {
					t.Fatal(err)
				}
			}
			f.now = f.now.Add(time.Duration(rng.Int64N(int64(3 * 24 * time.Hour)))).Truncate(time.Microsecond)
			// Stamped a little ahead of the new clock: counts fully.
			for k := range 1 + rng.IntN(3) {
				def := score.Catalog[rng.IntN(len(score.Catalog))]
				n++
				if _, err := db.WritePool().Exec(numbered(db, insert), ident.New(), f.admin.TenantID, fmt.Sprintf("p-%d", n), vendors[k%2],
					def.Code, string(def.Category), value(def), f.now.Add(time.Duration(1+rng.IntN(120))*time.Second), f.now, "scored"); err != nil {
					t.Fatal(err)
				}
			}
			for _, v := range vendors {
				checkSums(t, db, f.admin.TenantID, v, rule, f.now)
			}
			for _, w := range []int{1, 2, 30} { // windows of a day or two have no whole day
				d := rule
				d.WindowDays = w
				checkSums(t, db, f.admin.TenantID, f.acme.ID, d, f.now)
			}
			// Half-lives long enough for block totals, and windows that
			// start at every few days of a block: the first block read
			// whole less its first days, or its last days alone, or
			// window and today within one block.
			for w := 1; w <= 420; w += 13 {
				d := rule
				d.WindowDays, d.HalfLifeDays = w, []float64{28, 90, 365}[w%3]
				checkSums(t, db, f.admin.TenantID, f.acme.ID, d, f.now)
			}
			vs, err := f.svc.Rescore(ctx, f.admin.TenantID, f.acme.ID)
			if err != nil {
				t.Fatal(err)
			}
			obs, err := db.VendorObservations(ctx, f.admin.TenantID, f.acme.ID, f.now.Add(-rule.Window()))
			if err != nil {
				t.Fatal(err)
			}
			if want := score.Composite(rule, obs, f.now); !cmp.Equal(vs.Result, want) {
				t.Errorf("round %d: rescore %s %+v, want %s %+v", round, vs.Text(), vs.Contributors, want.Text(), want.Contributors)
			}
		}
	})
}

// TestSignalTotalsConcurrent posts 64 batches for one vendor at once, each
// two signals of the same two codes and day in alternating order: every
// signal is counted once in its day's total, and the sums match the
// signals one by one.
func TestSignalTotalsConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		const n = 64
		day := f.now.Add(-3 * 24 * time.Hour)
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				a := f.sub(fmt.Sprintf("c-%d-a", i), "defect_rate", float64(i%5)/4, score.VendorRef{ID: f.acme.ID})
				b := f.sub(fmt.Sprintf("c-%d-b", i), "event_quarantine_rate", float64(i%7)/6, score.VendorRef{ID: f.acme.ID})
				a.ObservedAt, b.ObservedAt = day.Add(time.Duration(i)*time.Second), day.Add(-time.Duration(i)*time.Second)
				batch := []score.Submission{a, b}
				if i%2 == 1 {
					batch = []score.Submission{b, a}
				}
				res, err := f.svc.Submit(ctx, f.admin, "rest", batch)
				for _, r := range res {
					if err == nil && r.Outcome != score.Accepted {
						err = fmt.Errorf("item %d: %s %s", r.Index, r.Outcome, r.Message)
					}
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("post %d: %v", i, err)
			}
		}
		got, want := dayTotals(t, db, f.admin.TenantID), countedTotals(t, db, f.admin.TenantID, f.acme.ID)
		if !cmp.Equal(got, want) {
			t.Fatalf("day totals differ from the signals: %s", cmp.Diff(want, got))
		}
		if b, want := blockTotals(t, db, f.admin.TenantID), countedBlocks(t, db, f.admin.TenantID, f.acme.ID); !cmp.Equal(b, want) {
			t.Fatalf("block totals differ from the signals: %s", cmp.Diff(want, b))
		}
		total := 0
		for _, d := range got {
			total += d.Signals
		}
		if total != 2*n {
			t.Errorf("totals count %d signals, want %d", total, 2*n)
		}
		checkSums(t, db, f.admin.TenantID, f.acme.ID, score.DefaultRule(), f.now)
	})
}
