package p21_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/erp/p21"
	"github.com/vendorsync/vendorsync/internal/erp/p21/p21test"
	"github.com/vendorsync/vendorsync/internal/httpx"
)

// fast retries at once, so failure tests spend no time waiting.
var fast = httpx.Policy{InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
	Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}

func client(t *testing.T, s *p21test.Server, mode erp.AuthMode, secret string, pageSize int) *p21.Client {
	t.Helper()
	c, err := p21.New(erp.Settings{BaseURL: s.URL, AuthMode: mode, Username: p21test.Username, Secret: secret},
		p21.Options{PageSize: pageSize, Resilience: fast})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ids reads every inv_mast_uid of table inv_mast with q.
func ids(t *testing.T, c *p21.Client, q p21.Query) ([]string, error) {
	t.Helper()
	var out []string
	err := c.Each(t.Context(), "inv_mast", q, func(rows []p21.Row) error {
		for _, r := range rows {
			out = append(out, r["inv_mast_uid"].(json.Number).String())
		}
		return nil
	})
	return out, err
}

func seq(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprint(i))
	}
	return out
}

func TestPaging(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	t.Run("follows nextLink when the service caps pages", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(25, at)
		s.SetMaxPage(7)
		c := client(t, s, erp.AuthPassword, p21test.Password, 100)
		got, err := ids(t, c, p21.Query{OrderBy: "inv_mast_uid"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(seq(1, 25), got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if n := s.Requests("inv_mast"); n != 4 {
			t.Errorf("%d requests, want 4 pages of at most 7", n)
		}
	})
	t.Run("pages with $top and $skip up to @odata.count", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(25, at)
		c := client(t, s, erp.AuthPassword, p21test.Password, 10)
		got, err := ids(t, c, p21.Query{OrderBy: "inv_mast_uid desc"})
		if err != nil {
			t.Fatal(err)
		}
		want := seq(1, 25)
		for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
			want[i], want[j] = want[j], want[i]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if n := s.Requests("inv_mast"); n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
	})
	t.Run("filter by last-modified date", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(5, at)
		later := at.Add(48 * time.Hour)
		s.Upsert("inv_mast", "inv_mast_uid", p21test.ItemRow(3, "changed", "N", later), p21test.ItemRow(9, "new", "N", later))
		c := client(t, s, erp.AuthPassword, p21test.Password, 10)
		since := at.Add(time.Hour)
		got, err := ids(t, c, p21.Query{Filter: p21.Filter(&since) + " and startswith(item_id,'ITM-')", OrderBy: "inv_mast_uid"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"3", "9"}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
	t.Run("an invalid query is the service's own message", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(1, at)
		c := client(t, s, erp.AuthPassword, p21test.Password, 10)
		_, err := ids(t, c, p21.Query{Select: []string{"no_such_column"}})
		if httpx.KindOf(err) != httpx.BadRequest || !contains(err, "no_such_column") {
			t.Errorf("err = %v, want bad_request naming the column", err)
		}
	})
}

func contains(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }

func TestNumbersAreExact(t *testing.T) {
	s := p21test.New(t)
	s.SetTable("inv_mast", []p21test.Row{{"inv_mast_uid": json.Number("1"), "item_id": "A", "item_desc": "", "default_selling_unit": "EA",
		"list_price": json.Number("12345678901234.123456789"), "delete_flag": "N", "date_last_modified": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}})
	for _, tb := range []string{"item_uom", "inventory_supplier", "price_page"} {
		s.SetTable(tb, nil)
	}
	c := client(t, s, erp.AuthPassword, p21test.Password, 10)
	var got []erp.Item
	if err := c.FetchItems(t.Context(), nil, &collect{items: &got}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ListPrice.String() != "12345678901234.123456789" {
		t.Fatalf("items = %+v, want the list price to the last digit", got)
	}
}

// collect is a Sink that keeps what it receives.
type collect struct {
	items *[]erp.Item
	uoms  []erp.UOM
	parts []erp.SupplierPart
	price []erp.Price
}

func (c *collect) Items(b []erp.Item) error             { *c.items = append(*c.items, b...); return nil }
func (c *collect) UOMs(b []erp.UOM) error               { c.uoms = append(c.uoms, b...); return nil }
func (c *collect) Suppliers(b []erp.SupplierPart) error { c.parts = append(c.parts, b...); return nil }
func (c *collect) Prices(b []erp.Price) error           { c.price = append(c.price, b...); return nil }

func TestSignIn(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	t.Run("token kept across requests and renewed after a 401", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(30, at)
		c := client(t, s, erp.AuthPassword, p21test.Password, 10)
		if _, err := ids(t, c, p21.Query{}); err != nil {
			t.Fatal(err)
		}
		if s.Logins() != 1 {
			t.Fatalf("%d sign-ins for 3 pages, want 1", s.Logins())
		}
		s.ExpireTokens()
		if _, err := ids(t, c, p21.Query{}); err != nil {
			t.Fatal(err)
		}
		if s.Logins() != 2 {
			t.Errorf("%d sign-ins, want a second after the token was refused", s.Logins())
		}
	})
	t.Run("token renewed before it expires", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(3, at)
		s.SetTokenTTL(10 * time.Second) // inside the renewal margin
		c := client(t, s, erp.AuthPassword, p21test.Password, 1)
		if _, err := ids(t, c, p21.Query{}); err != nil {
			t.Fatal(err)
		}
		if s.Logins() != 3 {
			t.Errorf("%d sign-ins, want one per page for a token about to expire", s.Logins())
		}
	})
	for _, tc := range []struct {
		mode   erp.AuthMode
		secret string
	}{{erp.AuthConsumerKey, p21test.ConsumerKey}, {erp.AuthAPIKey, p21test.APIKey}, {erp.AuthBasic, p21test.Password}} {
		t.Run(string(tc.mode), func(t *testing.T) {
			s := p21test.New(t)
			s.Catalog(3, at)
			got, err := ids(t, client(t, s, tc.mode, tc.secret, 10), p21.Query{})
			if err != nil || len(got) != 3 {
				t.Fatalf("got %v, %v", got, err)
			}
			if _, err := ids(t, client(t, s, tc.mode, "wrong", 10), p21.Query{}); httpx.KindOf(err) != httpx.Auth {
				t.Errorf("wrong secret: %v, want auth", err)
			}
		})
	}
	t.Run("wrong password is an auth failure with P21's message", func(t *testing.T) {
		s := p21test.New(t)
		_, err := client(t, s, erp.AuthPassword, "nope", 10).Test(t.Context())
		if httpx.KindOf(err) != httpx.Auth || !contains(err, "Invalid username or password") {
			t.Errorf("err = %v", err)
		}
		if s.Logins() != 0 {
			t.Error("a wrong password signed in")
		}
	})
}

func TestFailures(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	t.Run("server errors on reads are retried", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(5, at)
		s.Inject("/odataservice/odata/table/inv_mast", p21test.Fault{Status: http.StatusServiceUnavailable, Times: 2})
		got, err := ids(t, client(t, s, erp.AuthPassword, p21test.Password, 10), p21.Query{})
		if err != nil || len(got) != 5 {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("a lasting outage is transient", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(5, at)
		s.Inject("/odataservice/odata/table/inv_mast", p21test.Fault{Status: http.StatusInternalServerError, Times: 10})
		_, err := ids(t, client(t, s, erp.AuthPassword, p21test.Password, 10), p21.Query{})
		if httpx.KindOf(err) != httpx.Transient {
			t.Errorf("err = %v, want transient", err)
		}
	})
	t.Run("test lists readable tables and the ones sync cannot read", func(t *testing.T) {
		s := p21test.New(t)
		s.Catalog(2, at)
		s.Forbid("price_page")
		res, err := client(t, s, erp.AuthPassword, p21test.Password, 10).Test(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"inv_mast", "inventory_supplier", "item_uom", "supplier"}, res.Tables); diff != "" {
			t.Errorf("tables (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"price_page"}, res.Missing); diff != "" {
			t.Errorf("missing (-want +got):\n%s", diff)
		}
	})
}

func TestFetchItems(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s := p21test.New(t)
	s.Catalog(40, at)
	s.SetMaxPage(15)
	var items []erp.Item
	sink := &collect{items: &items}
	if err := client(t, s, erp.AuthPassword, p21test.Password, 100).FetchItems(t.Context(), nil, sink); err != nil {
		t.Fatal(err)
	}
	if len(items) != 40 || len(sink.uoms) != 80 || len(sink.parts) != 40 || len(sink.price) != 40 {
		t.Fatalf("read %d items, %d units, %d parts, %d prices", len(items), len(sink.uoms), len(sink.parts), len(sink.price))
	}
	it := items[9] // inv_mast_uid 10: deleted
	want := erp.Item{ExternalID: "10", ItemNumber: "ITM-000010", Description: "Item 10, stainless", BaseUOM: "EA", Active: false, ModifiedAt: at}
	lp := it.ListPrice
	it.ListPrice = nil
	if diff := cmp.Diff(want, it); diff != "" || lp == nil || lp.String() != "15.037" {
		t.Errorf("item 10 (-want +got):\n%s list price %v", diff, lp)
	}
	if u := sink.uoms[0]; u.UOM != "CS" || u.Factor.String() != "12" {
		t.Errorf("unit %+v, want CS of 12", u)
	}
	if p := sink.price[0]; p.EffectiveTo == nil || !p.EffectiveTo.Equal(at.AddDate(1, 0, 0)) || p.Price.String() != "61.01" {
		t.Errorf("price %+v", p)
	}
}
