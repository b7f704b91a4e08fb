package ingest

import "encoding/json"

// logKeys are the attributes every log line about an event carries: its
// ingest id, the vendor key its envelope names (vendorId) and its
// externalEventId.
func (e Event) logKeys() []any {
	return []any{"ingestId", e.ID, "vendorId", e.VendorKey, "externalEventId", e.ExternalEventID}
}

// normalizedLogKeys are a normalized event's log attributes, the vendor
// key and externalEventId read from its body (the seed's output shape
// carries both). It is not a method: NormalizedEvent is embedded in API
// answers, whose schemas are made from types without methods.
func normalizedLogKeys(n NormalizedEvent) []any {
	var b struct {
		VendorID        string `json:"vendorId"`
		ExternalEventID string `json:"externalEventId"`
	}
	// A body that does not read leaves the two empty: the line is still
	// worth logging, with the ingest id.
	_ = json.Unmarshal(n.Body, &b)
	return []any{"ingestId", n.IngestID, "vendorId", b.VendorID, "externalEventId", b.ExternalEventID}
}
