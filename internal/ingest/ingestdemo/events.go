package ingestdemo

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Event is one demo envelope: Raw is the exact bytes sent.
type Event struct {
	ExternalEventID string
	EventType       string
	OccurredAt      time.Time
	Payload         json.RawMessage
	Raw             []byte
}

// span is how far back the demo's events go; the last happened five
// minutes before now.
const span = 20 * time.Hour

// The trouble the demo's events carry, by feed and position.
const (
	// driftFrom: Midwest's inventory snapshots from this one on carry a
	// bin location and no longer the allocated quantity (new field,
	// removed field).
	driftFrom = 80
	// badPrice: a price change whose price is "TBD" (the mapping cannot
	// read it as a number: FAILED_NORMALIZE).
	badPrice = 17
	// heldOrder: an order in a state the mapping does not know, which the
	// canonical OrderUpdated refuses (QUARANTINED).
	heldOrder = 23
	// badQty, blankItem: a stock level whose quantity is "12 cases"
	// (FAILED_NORMALIZE), one with an empty item (QUARANTINED, schema).
	badQty, blankItem = 41, 73
)

// Events are a demo vendor's events as of now, oldest first; an unknown
// key has none.
func Events(key string, now time.Time) []Event {
	var payloads []struct {
		typ, version string
		body         map[string]any
	}
	add := func(typ, version string, body map[string]any) {
		payloads = append(payloads, struct {
			typ, version string
			body         map[string]any
		}{typ, version, body})
	}
	switch key {
	case "midwest-fastener":
		parts := []string{"MFS-10422", "MFS-10430", "MFS-20118", "MFS-20125", "MFS-30500", "MFS-30512", "MFS-41007", "MFS-41010"}
		for i := range 120 {
			b := map[string]any{"part": parts[i%len(parts)], "branch": []string{"CHI-01", "IND-02", "MKE-03"}[i%3],
				"on_hand": 40 + (i*37)%500, "uom": "EA"}
			if i < driftFrom {
				b["allocated"] = (i * 11) % 30
			} else {
				b["bin"] = fmt.Sprintf("A-%02d-%d", i%24+1, i%4+1)
			}
			add("inventory.snapshot", "2", b)
		}
		for i := range 30 {
			price := fmt.Sprintf("%.2f", 0.35+float64((i*53)%900)/100)
			b := map[string]any{"part": parts[(i*3)%len(parts)], "uom": "BX", "new_price": price,
				"old_price": fmt.Sprintf("%.2f", 0.30+float64((i*53)%900)/100)}
			if i == badPrice {
				b["new_price"] = "TBD"
			}
			add("price.change", "1", b)
		}
		states := []string{"OPEN", "OPEN", "PARTIAL", "SHIPPED", "BACKORDER"}
		for i := range 40 {
			state := states[i%len(states)]
			if i == heldOrder {
				state = "HOLD_CREDIT"
			}
			add("order.status", "1", map[string]any{"so": fmt.Sprintf("SO-%d", 77100+i), "po": fmt.Sprintf("PO-%d", 4400+i),
				"state": state, "lines": []map[string]any{
					{"part": parts[i%len(parts)], "qty": 100 + i*10, "shipped": (100 + i*10) / 2, "price": 0.42},
					{"part": parts[(i+3)%len(parts)], "qty": 50, "price": 1.15}}})
		}
	case "allied-safety":
		items := []string{"ASJ-GL-200", "ASJ-GL-210", "ASJ-EP-010", "ASJ-EAR-32", "ASJ-TWL-900", "ASJ-TP-400"}
		for i := range 110 {
			b := map[string]any{"item": items[i%len(items)], "location": []string{"DAL", "ATL"}[i%2],
				"qty": fmt.Sprint(20 + (i*29)%300), "unit": "CS"}
			switch i {
			case badQty:
				b["qty"] = "12 cases"
			case blankItem:
				b["item"] = ""
			}
			add("StockLevel", "2024-06", b)
		}
		statuses := []string{"LABEL", "PICKED_UP", "IN_TRANSIT", "IN_TRANSIT", "DELIVERED", "DELAYED"}
		for i := range 50 {
			add("ShipmentNotice", "2024-06", map[string]any{"asn": fmt.Sprintf("ASN-%d", 880200+i), "po": fmt.Sprintf("PO-%d", 4400+i),
				"carrier": "UPS", "tracking": fmt.Sprintf("1Z999AA1%010d", 123400+i), "status": statuses[i%len(statuses)],
				"ship_from": "DAL", "lines": []map[string]any{{"item": items[i%len(items)], "qty": 10 + i, "unit": "CS"}}})
		}
		// A type they never announced: no schema or mapping
		// (QUARANTINED, unknown event type).
		add("ReturnAuthorization", "2024-06", map[string]any{"rma": "RMA-5521", "item": items[0], "qty": "4"})
	}
	// Spread the events over the span, interleaving the feeds: the k-th
	// of each feed's n events happens k/n of the way through.
	type timed struct {
		at  time.Time
		idx int
	}
	seen := map[string]int{}
	total := map[string]int{}
	for _, p := range payloads {
		total[p.typ]++
	}
	start := now.Add(-span).UTC().Truncate(time.Second)
	order := make([]timed, len(payloads))
	for i, p := range payloads {
		k := seen[p.typ]
		seen[p.typ]++
		order[i] = timed{at: start.Add(time.Duration(float64(span-5*time.Minute) * float64(k) / float64(total[p.typ]))), idx: i}
	}
	sort.SliceStable(order, func(a, b int) bool { return order[a].at.Before(order[b].at) })
	out := make([]Event, len(order))
	for n, o := range order {
		p := payloads[o.idx]
		switch p.typ {
		case "inventory.snapshot":
			p.body["counted_at"] = o.at.Format(time.RFC3339)
		case "price.change":
			p.body["effective"] = o.at.AddDate(0, 0, 14).Format(time.DateOnly)
		case "order.status":
			p.body["promised"] = o.at.AddDate(0, 0, 7).Format(time.DateOnly)
		case "ShipmentNotice":
			p.body["ship_date"] = o.at.Format(time.RFC3339)
			p.body["eta"] = o.at.AddDate(0, 0, 3).Format(time.DateOnly)
		}
		payload, err := json.Marshal(p.body)
		if err != nil {
			panic(err) // maps of strings and numbers
		}
		e := Event{ExternalEventID: fmt.Sprintf("%s-%s-%05d", key, o.at.Format("20060102"), n+1), EventType: p.typ,
			OccurredAt: o.at, Payload: payload}
		e.Raw, err = json.Marshal(map[string]any{"vendorId": key, "externalEventId": e.ExternalEventID, "eventType": p.typ,
			"schemaVersion": p.version, "occurredAt": o.at.Format(time.RFC3339), "payload": json.RawMessage(payload)})
		if err != nil {
			panic(err)
		}
		out[n] = e
	}
	return out
}
