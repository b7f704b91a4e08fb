package triage

import (
	"context"
	"slices"
	"testing"
)

// TestOfflineQuality measures the offline triage on every labelled email,
// the harder quality-only ones included, and logs vendor accuracy,
// application routing precision and recall, severity and date accuracy
// (go test -run Quality -v). It asserts only floors the current
// implementation meets, so that a change that makes routing worse fails.
func TestOfflineQuality(t *testing.T) {
	snap := testRegistry()
	corpus := loadCorpus(t)
	var vendorOK, classOK, sevOK, dateOK, tp, fp, fn int
	for _, l := range corpus {
		d, err := (&Agent{}).Decide(context.Background(), l.email, snap, testSettings())
		if err != nil {
			t.Fatalf("%s: %v", l.file, err)
		}
		var misses []string
		count := func(ok bool, what string, n *int) {
			if ok {
				*n++
			} else {
				misses = append(misses, what)
			}
		}
		count(d.VendorID == l.vendor, "vendor "+d.VendorID, &vendorOK)
		count(string(d.Classification) == l.class, "class "+string(d.Classification), &classOK)
		count(string(d.Severity) == l.sev, "severity "+string(d.Severity), &sevOK)
		count(d.EffectiveDate.String() == l.date, "date "+d.EffectiveDate.String(), &dateOK)
		for _, id := range d.AffectedApplicationIDs {
			if slices.Contains(l.apps, id) {
				tp++
			} else {
				fp++
				misses = append(misses, "extra app "+id)
			}
		}
		for _, id := range l.apps {
			if !slices.Contains(d.AffectedApplicationIDs, id) {
				fn++
				misses = append(misses, "missed app "+id)
			}
		}
		if len(misses) > 0 {
			t.Logf("%s: %v", l.file, misses)
		}
	}
	n := float64(len(corpus))
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	vendorAcc, precision, recall := float64(vendorOK)/n, ratio(tp, tp+fp), ratio(tp, tp+fn)
	t.Logf("%d labelled emails: vendor accuracy %.2f, classification accuracy %.2f, severity accuracy %.2f, date accuracy %.2f",
		len(corpus), vendorAcc, float64(classOK)/n, float64(sevOK)/n, float64(dateOK)/n)
	t.Logf("application routing: precision %.2f, recall %.2f (%d right, %d extra, %d missed)", precision, recall, tp, fp, fn)
	if len(corpus) < 20 {
		t.Errorf("only %d labelled emails, want at least 20", len(corpus))
	}
	floors := []struct {
		name      string
		got, want float64
	}{
		{"vendor accuracy", vendorAcc, 0.9},
		{"classification accuracy", float64(classOK) / n, 0.9},
		{"severity accuracy", float64(sevOK) / n, 0.8},
		{"date accuracy", float64(dateOK) / n, 0.9},
		{"application precision", precision, 0.8},
		{"application recall", recall, 0.9},
	}
	for _, f := range floors {
		if f.got < f.want {
			t.Errorf("%s %.2f is below the floor %.2f", f.name, f.got, f.want)
		}
	}
}
