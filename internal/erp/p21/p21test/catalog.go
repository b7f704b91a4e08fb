package p21test

import (
	"encoding/json"
	"fmt"
	"time"
)

// Catalog loads n items into the server as P21 holds them: inv_mast rows
// with list prices, two units each (EA and a case of 12), one supplier
// part with its cost and one price page, all last modified at modified.
// Every tenth item is deleted (delete_flag Y).
func (s *Server) Catalog(n int, modified time.Time) {
	items := make([]Row, 0, n)
	uoms := make([]Row, 0, 2*n)
	parts := make([]Row, 0, n)
	prices := make([]Row, 0, n)
	for i := 1; i <= n; i++ {
		uid := json.Number(fmt.Sprint(i))
		del := "N"
		if i%10 == 0 {
			del = "Y"
		}
		items = append(items, ItemRow(i, fmt.Sprintf("Item %d, stainless", i), del, modified))
		uoms = append(uoms,
			Row{"inv_mast_uid": uid, "unit_of_measure": "EA", "unit_size": json.Number("1.0000"), "date_last_modified": modified},
			Row{"inv_mast_uid": uid, "unit_of_measure": "CS", "unit_size": json.Number("12.0000"), "date_last_modified": modified})
		parts = append(parts, Row{"inv_mast_uid": uid, "supplier_id": json.Number(fmt.Sprint(100000 + i%50)),
			"supplier_part_no": fmt.Sprintf("VP-%06d", i), "cost": json.Number(fmt.Sprintf("%d.%04d", 3+i%40, i%10000)),
			"purchase_unit": "EA", "date_last_modified": modified})
		prices = append(prices, Row{"price_page_uid": json.Number(fmt.Sprint(500000 + i)), "inv_mast_uid": uid,
			"unit_of_measure": "CS", "price": json.Number(fmt.Sprintf("%d.%02d", 60+i%300, i%100)),
			"effective_date": modified.AddDate(0, -1, 0), "expiration_date": modified.AddDate(1, 0, 0), "date_last_modified": modified})
	}
	s.SetTable("inv_mast", items)
	s.SetTable("item_uom", uoms)
	s.SetTable("inventory_supplier", parts)
	s.SetTable("price_page", prices)
	s.SetTable("supplier", []Row{{"supplier_id": json.Number("100000"), "supplier_name": "Acme Fasteners", "row_status_flag": json.Number("704")}})
}

// ItemRow is inv_mast row number i.
func ItemRow(i int, desc, deleteFlag string, modified time.Time) Row {
	return Row{"inv_mast_uid": json.Number(fmt.Sprint(i)), "item_id": fmt.Sprintf("ITM-%06d", i), "item_desc": desc,
		"default_selling_unit": "EA", "list_price": json.Number(fmt.Sprintf("%d.%04d", 5+i%50, (i*37)%10000)),
		"delete_flag": deleteFlag, "date_last_modified": modified}
}
