package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// TestPortfolio orders the portfolio by score, name, band and 30-day
// change, filters it by band, and shows the change against the score 30
// days ago; a vendor without signals is "no data", listed last — also one
// never scored at all.
func TestPortfolio(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			now := time.Now().UTC()
			ids := map[string]string{}
			for _, n := range []string{"Acme", "Zenith", "Quiet", "Unheard"} {
				ids[n] = created(e, e.key, "/api/v1/vendors", map[string]any{"name": n, "tier": "tier_2"})
			}
			post := func(id, vendor string, defect float64, at time.Time) {
				t.Helper()
				res := e.do(http.MethodPost, "/api/v1/signals", e.key, map[string]any{"signals": []map[string]any{{"event_id": id,
					"vendor_ref": map[string]any{"id": vendor}, "signal_code": "defect_rate", "value": defect, "observed_at": at.Format(time.RFC3339)}}})
				if !strings.Contains(string(res.Body), `"accepted":1`) {
					t.Fatalf("signal %s: %s", id, res.Body)
				}
			}
			// 40 days ago Acme was at 10 and Zenith at 90; now Acme rose to
			// 60 and Zenith fell to 30. Quiet was scored with nothing to count;
			// Unheard was never scored.
			then := now.Add(-40 * 24 * time.Hour)
			post("a1", ids["Acme"], 0.1, then)
			post("z1", ids["Zenith"], 0.9, then)
			past := &score.Service{Store: e.db, Now: func() time.Time { return then.Add(time.Hour) }}
			present := &score.Service{Store: e.db}
			for _, v := range []string{ids["Acme"], ids["Zenith"], ids["Quiet"]} {
				if _, err := past.Rescore(context.Background(), e.tenant.ID, v); err != nil {
					t.Fatal(err)
				}
			}
			post("a2", ids["Acme"], 1, now.Add(-time.Minute))
			post("z2", ids["Zenith"], 0, now.Add(-time.Minute))
			for _, v := range []string{ids["Acme"], ids["Zenith"], ids["Quiet"]} {
				if _, err := present.Rescore(context.Background(), e.tenant.ID, v); err != nil {
					t.Fatal(err)
				}
			}
			order := func(query string) []score.PortfolioRow {
				t.Helper()
				res := e.do(http.MethodGet, "/api/v1/scores"+query, e.key, nil)
				wantStatus(t, res, http.StatusOK)
				var rows []score.PortfolioRow
				res.JSON(t, &rows)
				return rows
			}
			names := func(rows []score.PortfolioRow) string {
				var out []string
				for _, r := range rows {
					out = append(out, r.VendorName)
				}
				return strings.Join(out, ",")
			}
			rows := order("")
			if len(rows) != 4 || rows[2].VendorName != "Quiet" || rows[2].Score != nil || rows[2].Change != nil ||
				rows[3].VendorName != "Unheard" || rows[3].Score != nil || rows[3].Band != "" {
				t.Fatalf("default order: %+v", rows)
			}
			for _, r := range rows[:2] {
				if r.Change == nil || r.Before == nil || *r.Change != *r.Score-*r.Before {
					t.Errorf("%s: change %v before %v score %v", r.VendorName, r.Change, r.Before, r.Score)
				}
			}
			if got := names(order("?sort=name")); got != "Acme,Quiet,Unheard,Zenith" {
				t.Errorf("by name: %s", got)
			}
			if got := names(order("?sort=change")); got != "Acme,Zenith,Quiet,Unheard" {
				t.Errorf("by change: %s", got)
			}
			if got := names(order("?band=none")); got != "Quiet,Unheard" {
				t.Errorf("no data filter: %s", got)
			}
			wantProblem(t, e.do(http.MethodGet, "/api/v1/scores?band=purple", e.key, nil), http.StatusUnprocessableEntity)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/scores?sort=random", e.key, nil), http.StatusUnprocessableEntity)

			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.get(t, "/scores?sort=change")
			wantStatus(t, page, http.StatusOK)
			body := string(page.Body)
			for _, want := range []string{`id="band-chart"`, "30-day change ▾", `href="/scores?sort=name"`, "No data: 2"} {
				if !strings.Contains(body, want) {
					t.Errorf("portfolio page lacks %q", want)
				}
			}
			if strings.Index(body, ">Acme<") > strings.Index(body, ">Zenith<") {
				t.Error("by change, Acme (rising) comes after Zenith (falling)")
			}
			page = admin.get(t, "/scores?band=none&sort=bogus")
			wantStatus(t, page, http.StatusOK)
			if strings.Contains(string(page.Body), ">Acme<") || !strings.Contains(string(page.Body), ">Quiet<") {
				t.Error("the band filter does not filter the page")
			}
		})
	}
}
