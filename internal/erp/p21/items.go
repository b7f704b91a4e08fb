package p21

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/sync/errgroup"

	"github.com/vendorsync/vendorsync/internal/erp"
	"github.com/vendorsync/vendorsync/internal/httpx"
)

// The P21 tables item sync reads, and the columns it selects.
const (
	TableItems     = "inv_mast"
	TableUOMs      = "item_uom"
	TableSuppliers = "inventory_supplier"
	TablePrices    = "price_page"
)

// Tables lists the tables item sync needs, in the order it reads them.
var Tables = []string{TableItems, TableUOMs, TableSuppliers, TablePrices}

var columns = map[string][]string{
	TableItems:     {"inv_mast_uid", "item_id", "item_desc", "default_selling_unit", "list_price", "delete_flag", "date_last_modified"},
	TableUOMs:      {"inv_mast_uid", "unit_of_measure", "unit_size", "date_last_modified"},
	TableSuppliers: {"inv_mast_uid", "supplier_id", "supplier_part_no", "cost", "purchase_unit", "date_last_modified"},
	TablePrices:    {"price_page_uid", "inv_mast_uid", "unit_of_measure", "price", "effective_date", "expiration_date", "date_last_modified"},
}

// orderBy keeps pages stable: by each table's key.
var orderBy = map[string]string{
	TableItems:     "inv_mast_uid",
	TableUOMs:      "inv_mast_uid,unit_of_measure",
	TableSuppliers: "inv_mast_uid,supplier_id,supplier_part_no",
	TablePrices:    "price_page_uid",
}

// Filter returns the $filter of an incremental read: rows modified at or
// after since (P21 has no now(): the date is a literal).
func Filter(since *time.Time) string {
	if since == nil {
		return ""
	}
	return "date_last_modified ge " + since.UTC().Format("2006-01-02T15:04:05Z")
}

// FetchItems reads items first (children refer to them), then units,
// supplier parts and prices concurrently; sink calls never overlap.
func (c *Client) FetchItems(ctx context.Context, since *time.Time, sink erp.Sink) error {
	var mu sync.Mutex
	q := func(table string) Query {
		return Query{Select: columns[table], Filter: Filter(since), OrderBy: orderBy[table]}
	}
	err := c.pipe(ctx, TableItems, q(TableItems), func(rows []Row) error {
		batch := make([]erp.Item, 0, len(rows))
		for _, r := range rows {
			it, err := item(r)
			if err != nil {
				return c.badRow(TableItems, err)
			}
			batch = append(batch, it)
		}
		return sink.Items(batch)
	})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	children := map[string]func([]Row) error{
		TableUOMs: func(rows []Row) error {
			batch := make([]erp.UOM, 0, len(rows))
			for _, r := range rows {
				u, err := uom(r)
				if err != nil {
					return c.badRow(TableUOMs, err)
				}
				batch = append(batch, u)
			}
			mu.Lock()
			defer mu.Unlock()
			return sink.UOMs(batch)
		},
		TableSuppliers: func(rows []Row) error {
			batch := make([]erp.SupplierPart, 0, len(rows))
			for _, r := range rows {
				s, err := supplierPart(r)
				if err != nil {
					return c.badRow(TableSuppliers, err)
				}
				batch = append(batch, s)
			}
			mu.Lock()
			defer mu.Unlock()
			return sink.Suppliers(batch)
		},
		TablePrices: func(rows []Row) error {
			batch := make([]erp.Price, 0, len(rows))
			for _, r := range rows {
				p, err := price(r)
				if err != nil {
					return c.badRow(TablePrices, err)
				}
				batch = append(batch, p)
			}
			mu.Lock()
			defer mu.Unlock()
			return sink.Prices(batch)
		},
	}
	for _, table := range Tables[1:] {
		fn := children[table]
		g.Go(func() error { return c.pipe(gctx, table, q(table), fn) })
	}
	return g.Wait()
}

// pipe reads table with Each while fn handles the previous page, so the
// next page is on its way while one is stored.
func (c *Client) pipe(ctx context.Context, table string, q Query, fn func([]Row) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []Row, 1)
	done := make(chan error, 1)
	go func() {
		defer close(pages)
		done <- c.Each(ctx, table, q, func(rows []Row) error {
			select {
			case pages <- rows:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
	}()
	for rows := range pages {
		if err := fn(rows); err != nil {
			cancel()
			for range pages { // let the reader finish
			}
			<-done
			return err
		}
	}
	return <-done
}

// badRow is the error of a row the sync cannot store.
func (c *Client) badRow(table string, err error) error {
	return c.fail("read "+table, httpx.Permanent, 200, "P21 answered with a row VendorSync cannot read: "+err.Error(), nil)
}

func item(r Row) (erp.Item, error) {
	var it erp.Item
	var err error
	if it.ExternalID, err = key(r, "inv_mast_uid"); err != nil {
		return it, err
	}
	it.ItemNumber = text(r, "item_id")
	if it.ItemNumber == "" {
		return it, fmt.Errorf("inv_mast_uid %s has no item_id", it.ExternalID)
	}
	it.Description, it.BaseUOM = text(r, "item_desc"), text(r, "default_selling_unit")
	if it.ListPrice, err = optDecimal(r, "list_price"); err != nil {
		return it, err
	}
	it.Active = !strings.EqualFold(text(r, "delete_flag"), "Y")
	it.ModifiedAt, err = modified(r)
	return it, err
}

func uom(r Row) (erp.UOM, error) {
	var u erp.UOM
	var err error
	if u.ItemExternalID, err = key(r, "inv_mast_uid"); err != nil {
		return u, err
	}
	u.UOM = text(r, "unit_of_measure")
	f, err := optDecimal(r, "unit_size")
	switch {
	case err != nil:
		return u, err
	case f == nil || !f.IsPositive():
		return u, fmt.Errorf("unit %q of item %s has no positive unit_size", u.UOM, u.ItemExternalID)
	}
	u.Factor = *f
	u.ModifiedAt, err = modified(r)
	return u, err
}

func supplierPart(r Row) (erp.SupplierPart, error) {
	var s erp.SupplierPart
	var err error
	if s.ItemExternalID, err = key(r, "inv_mast_uid"); err != nil {
		return s, err
	}
	if s.SupplierID, err = key(r, "supplier_id"); err != nil {
		return s, err
	}
	s.PartNumber, s.UOM = text(r, "supplier_part_no"), text(r, "purchase_unit")
	if s.Cost, err = optDecimal(r, "cost"); err != nil {
		return s, err
	}
	s.ModifiedAt, err = modified(r)
	return s, err
}

func price(r Row) (erp.Price, error) {
	var p erp.Price
	var err error
	if p.Key, err = key(r, "price_page_uid"); err != nil {
		return p, err
	}
	if p.ItemExternalID, err = key(r, "inv_mast_uid"); err != nil {
		return p, err
	}
	p.UOM = text(r, "unit_of_measure")
	v, err := optDecimal(r, "price")
	switch {
	case err != nil:
		return p, err
	case v == nil:
		return p, fmt.Errorf("price_page_uid %s has no price", p.Key)
	}
	p.Price = *v
	if p.EffectiveFrom, err = optTime(r, "effective_date"); err != nil {
		return p, err
	}
	if p.EffectiveTo, err = optTime(r, "expiration_date"); err != nil {
		return p, err
	}
	p.ModifiedAt, err = modified(r)
	return p, err
}

// key reads an identifying column (a number or a string) as text.
func key(r Row, col string) (string, error) {
	switch v := r[col].(type) {
	case json.Number:
		return v.String(), nil
	case string:
		if s := strings.TrimSpace(v); s != "" {
			return s, nil
		}
	}
	return "", fmt.Errorf("%s is missing", col)
}

// text reads a string column, trimmed; "" when absent or null.
func text(r Row, col string) string {
	switch v := r[col].(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// optDecimal reads an exact decimal; nil when absent or null.
func optDecimal(r Row, col string) (*decimal.Decimal, error) {
	var s string
	switch v := r[col].(type) {
	case nil:
		return nil, nil
	case json.Number:
		s = v.String()
	case string: // Edm.Decimal may come as a string (IEEE754Compatible)
		s = strings.TrimSpace(v)
	default:
		return nil, fmt.Errorf("%s is not a number", col)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a number", col, s)
	}
	return &d, nil
}

// Layouts P21 writes dates in: DateTimeOffset, or a DateTime without zone
// (read as UTC).
var layouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"}

// optTime reads a date column; nil when absent or null.
func optTime(r Row, col string) (*time.Time, error) {
	s := text(r, col)
	if s == "" {
		return nil, nil
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, fmt.Errorf("%s %q is not a date", col, s)
}

// modified reads date_last_modified, the zero time when absent.
func modified(r Row) (time.Time, error) {
	t, err := optTime(r, "date_last_modified")
	if err != nil || t == nil {
		return time.Time{}, err
	}
	return *t, nil
}
