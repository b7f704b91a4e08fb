package contract

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestNormalizedKeys(t *testing.T) {
	for _, tc := range []struct {
		in       string
		prefixes []string
		want     []string
	}{
		{"A-100", nil, []string{"A100", "100"}},
		{"0004711", nil, []string{"4711"}},
		{"ACME0042-B", []string{"Acme"}, []string{"ACME0042B", "42B"}},
		{"acme/00 42", nil, []string{"ACME0042", "42"}},
		{"LONGPREFIX-9", nil, []string{"LONGPREFIX9"}},
		{"-", nil, nil},
	} {
		if diff := cmp.Diff(tc.want, normalizedKeys(tc.in, tc.prefixes)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestToleranceWithin(t *testing.T) {
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	for _, tc := range []struct {
		name       string
		tol        Tolerance
		price, erp string
		want       bool
	}{
		{"equal without tolerance", Tolerance{}, "1.50", "1.5", true},
		{"any difference without tolerance", Tolerance{}, "1.51", "1.5", false},
		{"within absolute", Tolerance{Absolute: d("0.05")}, "1.55", "1.5", true},
		{"beyond absolute", Tolerance{Absolute: d("0.05")}, "1.56", "1.5", false},
		{"within percent", Tolerance{Percent: d("2")}, "102", "100", true},
		{"beyond percent", Tolerance{Percent: d("2")}, "97.9", "100", false},
		{"either bound accepts", Tolerance{Absolute: d("0.01"), Percent: d("5")}, "104", "100", true},
		{"percent of zero", Tolerance{Percent: d("5")}, "0.01", "0", false},
	} {
		if got := tc.tol.Within(decimal.RequireFromString(tc.price), decimal.RequireFromString(tc.erp)); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}
