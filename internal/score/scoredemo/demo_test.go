package scoredemo_test

import (
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/score/scoredemo"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// The demo scores every demo vendor with a weekly history, Twilio crosses
// from the low band into high on the way, the others keep their band, and
// loading it again changes nothing.
func TestDemoScoresVendorsAndOneCrossesABand(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		if _, err := jobs.New(db, jobs.Config{}); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "demo", "Demo", "admin@demo.test")
		if err != nil {
			t.Fatal(err)
		}
		p := auth.System(b.Tenant.ID)
		reg := &registry.Service{Store: db}
		for _, v := range scoredemo.Vendors {
			if _, err := reg.CreateVendor(ctx, p, registry.Vendor{Name: v.Name, Tier: registry.Tier2}); err != nil {
				t.Fatal(err)
			}
		}
		s := &score.Service{Store: db}
		res, err := scoredemo.Load(ctx, s, p.TenantID, now)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Loaded || res.Vendors != len(scoredemo.Vendors) || res.Crossed == 0 {
			t.Fatalf("demo: %+v", res)
		}
		vs, err := s.Portfolio(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != len(scoredemo.Vendors) {
			t.Fatalf("%d vendors scored, want %d", len(vs), len(scoredemo.Vendors))
		}
		bands := map[score.Band]int{}
		for _, v := range vs {
			if v.Score == nil {
				t.Errorf("%s has no data", v.VendorName)
				continue
			}
			bands[v.Band]++
			h, err := db.ScoreHistory(ctx, p.TenantID, v.VendorID, now.Add(-60*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != scoredemo.Weeks {
				t.Errorf("%s: %d history points, want %d", v.VendorName, len(h), scoredemo.Weeks)
			}
			evs, err := db.BandEvents(ctx, p.TenantID, v.VendorID, 20)
			if err != nil {
				t.Fatal(err)
			}
			crossed := 0
			for _, e := range evs {
				if e.From != score.NoData {
					crossed++
				}
			}
			t.Logf("%-28s %5s %-8s history %v, %d crossings", v.VendorName, v.Text(), v.Band, points(h), crossed)
			if v.VendorName == scoredemo.Crossing {
				if crossed == 0 || h[0].Band != score.Low || v.Band != score.High {
					t.Errorf("%s: from %s to %s with %d crossings, want low to high", v.VendorName, h[0].Band, v.Band, crossed)
				}
			} else if crossed != 0 {
				t.Errorf("%s crossed %d times; only %s should", v.VendorName, crossed, scoredemo.Crossing)
			}
		}
		if len(bands) < 3 {
			t.Errorf("the demo spans only %d bands: %v", len(bands), bands)
		}
		again, err := scoredemo.Load(ctx, s, p.TenantID, now.Add(time.Hour))
		if err != nil || again.Loaded {
			t.Errorf("second load: %+v %v", again, err)
		}
	})
}

func points(h []score.HistoryPoint) []string {
	var out []string
	for _, p := range h {
		out = append(out, score.FormatScore(p.Score))
	}
	return out
}
