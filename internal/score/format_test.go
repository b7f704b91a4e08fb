package score

import "testing"

// TestDefinitionFormat shows each value type in its unit.
func TestDefinitionFormat(t *testing.T) {
	for _, c := range []struct {
		code string
		v    float64
		want string
	}{
		{"event_quarantine_rate", 0.005263157894736842, "0.53%"},
		{"on_time_delivery_rate", 0.85, "85%"},
		{"lead_time_days_late", 8.571, "8.57 days"},
		{"lead_time_days_late", 1, "1 day"},
		{"data_quality_score", 93, "93/100"},
		{"schema_drift_count", 4, "4"},
		{"contract_expired", 1, "yes"},
		{"contract_expired", 0, "no"},
	} {
		d, ok := Lookup(c.code)
		if !ok {
			t.Fatalf("%s is not in the catalog", c.code)
		}
		if got := d.Format(c.v); got != c.want {
			t.Errorf("%s %v shows as %q, want %q", c.code, c.v, got, c.want)
		}
	}
	v := 0.25
	if got := (Signal{Code: "no_such_code", Value: &v}).ValueShown(); got != "0.25" {
		t.Errorf("an unknown code's value shows as %q, want it as sent", got)
	}
}
