package triage

import (
	"errors"
	"testing"

	"github.com/vendorsync/vendorsync/internal/registry"
)

func TestValidate(t *testing.T) {
	valid := Decision{Classification: Actionable, VendorID: "v-visa", Severity: registry.SeverityHigh, SLADays: 14}
	tests := []struct {
		name    string
		change  func(*Decision)
		check   func(Decision) bool
		invalid bool
	}{
		{"valid decision unchanged", func(*Decision) {}, func(d Decision) bool { return len(d.Overrides) == 0 }, false},
		{"severity out of enum", func(d *Decision) { d.Severity = "urgent" }, nil, true},
		{"classification out of enum", func(d *Decision) { d.Classification = "spam" }, nil, true},
		{"no vendor makes it unknown_vendor", func(d *Decision) { d.VendorID = "" },
			func(d Decision) bool { return d.Classification == UnknownVendor }, false},
		{"unknown_vendor with a known vendor becomes actionable", func(d *Decision) { d.Classification = UnknownVendor },
			func(d Decision) bool { return d.Classification == Actionable && d.VendorID == "v-visa" }, false},
		{"SLA 0 is left for the defaults", func(d *Decision) { d.SLADays = 0 },
			func(d Decision) bool { return d.SLADays == 0 && len(d.Overrides) == 0 }, false},
		{"SLA over 3650 cleared", func(d *Decision) { d.SLADays = 3651 },
			func(d Decision) bool { return d.SLADays == 0 && len(d.Overrides) == 1 }, false},
		{"team named only by an application survives", func(d *Decision) { d.OwnerTeam = "team-data" },
			func(d Decision) bool { return d.OwnerTeam == "team-data" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := valid
			tt.change(&d)
			got, err := Validate(d, testRegistry())
			if tt.invalid {
				if !errors.Is(err, ErrInvalidDecision) {
					t.Errorf("err = %v, want ErrInvalidDecision", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(got) {
				t.Errorf("decision = %+v", got)
			}
		})
	}
}
