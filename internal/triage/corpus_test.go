package triage

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// corpusLabel is what a person decided about one email of an
// organisation's corpus (testdata/corpus/<org>/labels.json).
type corpusLabel struct {
	Vendor         string   `json:"vendor"`
	Classification string   `json:"classification"`
	Severity       string   `json:"severity"`
	EffectiveDate  string   `json:"effective_date"`
	Applications   []string `json:"applications"`
	Impersonation  bool     `json:"impersonation"`
	// Injected are passages written to steer an automated reader
	// (visible or hidden); clean/<file> is the same email without them.
	Injected []string `json:"injected"`
	// Strict marks the emails of the exact table test (payments only).
	Strict bool `json:"strict,omitempty"`
}

// corpusCase is one labelled email of an organisation, parsed the way
// the inbox parses mail, with its twin without injected passages.
type corpusCase struct {
	file  string
	email Email
	label corpusLabel
	clean *Email
}

// corpusOrg is one organisation's registry and labelled mail.
type corpusOrg struct {
	name  string
	snap  registry.Snapshot
	cases []corpusCase
	// heldOut marks mail the triage was not tuned on (a file named
	// "held-out" in its directory): its figures are reported apart and
	// only the look-alike and injection rules fail the test.
	heldOut bool
}

// loadCorpora reads every organisation under testdata/corpus: its
// registry (registry.json; the payments company's is testRegistry), its
// labels and its emails, parsed as the inbox parses them.
func loadCorpora(t testing.TB) []corpusOrg {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", "corpus", "*", "labels.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	sort.Strings(dirs)
	var orgs []corpusOrg
	for _, f := range dirs {
		dir := filepath.Dir(f)
		org := corpusOrg{name: filepath.Base(dir)}
		if _, err := os.Stat(filepath.Join(dir, "held-out")); err == nil {
			org.heldOut = true
		}
		if dir == filepath.Clean(paymentsDir) {
			org.snap = testRegistry()
		} else {
			readJSON(t, filepath.Join(dir, "registry.json"), &org.snap)
		}
		var labels map[string]corpusLabel
		readJSON(t, f, &labels)
		names := make([]string, 0, len(labels))
		for n := range labels {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c := corpusCase{file: n, label: labels[n], email: parsedFile(t, filepath.Join(dir, n))}
			if len(c.label.Injected) > 0 {
				e := parsedFile(t, filepath.Join(dir, "clean", n))
				c.clean = &e
			}
			org.cases = append(org.cases, c)
		}
		orgs = append(orgs, org)
	}
	return orgs
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// parsedFile reads and parses one corpus email.
func parsedFile(t testing.TB, path string) Email {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e, m := parsedEmail(t, raw)
	// As the inbox does (inbox.TriageEmail): a notice sent as a PDF says
	// its change there, so triage reads the attachments' text after the
	// body.
	for _, a := range m.Attachments {
		if text := strings.TrimSpace(a.Text); text != "" {
			e.Body = WithAttachment(e.Body, a.Filename, text)
		}
	}
	return e
}

// corpusScore counts one organisation's (or all) results.
type corpusScore struct {
	n, vendor, class, sev, sevFloor, date, tp, fp, fn int
	lookalikes, lookalikeMatches, lookalikeFlagged    int
	injected, injectionEffects                        int
}

func (s *corpusScore) add(o corpusScore) {
	s.n += o.n
	s.vendor += o.vendor
	s.class += o.class
	s.sev += o.sev
	s.sevFloor += o.sevFloor
	s.date += o.date
	s.tp += o.tp
	s.fp += o.fp
	s.fn += o.fn
	s.lookalikes += o.lookalikes
	s.lookalikeMatches += o.lookalikeMatches
	s.lookalikeFlagged += o.lookalikeFlagged
	s.injected += o.injected
	s.injectionEffects += o.injectionEffects
}

// sub takes o's counts out of s.
func (s *corpusScore) sub(o corpusScore) {
	s.add(corpusScore{-o.n, -o.vendor, -o.class, -o.sev, -o.sevFloor, -o.date, -o.tp, -o.fp, -o.fn,
		-o.lookalikes, -o.lookalikeMatches, -o.lookalikeFlagged, -o.injected, -o.injectionEffects})
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (s corpusScore) String() string {
	return strings.Join([]string{
		pct("vendor", s.vendor, s.n), pct("kind", s.class, s.n), pct("severity", s.sev, s.n),
		pct("severity floor", s.sevFloor, s.n), pct("date", s.date, s.n),
		pct("app recall", s.tp, s.tp+s.fn), pct("app precision", s.tp, s.tp+s.fp),
	}, ", ") + fmt.Sprintf("; look-alikes matched %d/%d (flagged %d), injection effects %d/%d",
		s.lookalikeMatches, s.lookalikes, s.lookalikeFlagged, s.injectionEffects, s.injected)
}

func pct(name string, a, b int) string {
	return fmt.Sprintf("%s %.1f%% (%d/%d)", name, 100*ratio(a, b), a, b)
}

// scoreCase decides one email and compares it with its label.
func scoreCase(t *testing.T, snap registry.Snapshot, c corpusCase) (corpusScore, []string) {
	t.Helper()
	decide := func(e Email) Decision {
		d, err := (&Agent{}).Decide(context.Background(), e, snap, testSettings())
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		return d
	}
	d := decide(c.email)
	s, l := corpusScore{n: 1}, c.label
	var misses []string
	count := func(ok bool, what string, n *int) {
		if ok {
			*n++
		} else {
			misses = append(misses, what)
		}
	}
	count(d.VendorID == l.Vendor, "vendor "+d.VendorID, &s.vendor)
	count(string(d.Classification) == l.Classification, "kind "+string(d.Classification), &s.class)
	count(string(d.Severity) == l.Severity, "severity "+string(d.Severity), &s.sev)
	count(d.Severity.Rank() >= registry.Severity(l.Severity).Rank(), "severity below "+l.Severity, &s.sevFloor)
	count(d.EffectiveDate.String() == l.EffectiveDate, "date "+d.EffectiveDate.String()+" want "+l.EffectiveDate, &s.date)
	for _, id := range d.AffectedApplicationIDs {
		if slices.Contains(l.Applications, id) {
			s.tp++
		} else {
			s.fp++
			misses = append(misses, "extra app "+id)
		}
	}
	for _, id := range l.Applications {
		if !slices.Contains(d.AffectedApplicationIDs, id) {
			s.fn++
			misses = append(misses, "missed app "+id)
		}
	}
	if l.Impersonation {
		s.lookalikes++
		if d.VendorID != "" {
			s.lookalikeMatches++
			misses = append(misses, "LOOKALIKE MATCHED "+d.VendorID)
		}
		if d.Impersonation != nil {
			s.lookalikeFlagged++
		} else {
			misses = append(misses, "impersonation not flagged")
		}
	}
	if c.clean != nil {
		s.injected++
		if why := injectionEffect(c, d, decide(*c.clean)); why != "" {
			s.injectionEffects++
			misses = append(misses, "INJECTION EFFECT: "+why)
		}
	}
	return s, misses
}

// injectionEffect compares the decision on an email with the decision on
// the same email without its injected passages: any difference in what
// the decision says is an effect. Hidden passages must also stay out of
// the text triage reads.
func injectionEffect(c corpusCase, d, clean Decision) string {
	for _, inj := range c.label.Injected {
		text := strings.Join(strings.Fields(mail.HTMLToText(inj)), " ")
		if strings.HasPrefix(strings.TrimSpace(inj), "<") && text != "" &&
			strings.Contains(strings.Join(strings.Fields(c.email.Body), " "), text) {
			return "hidden text reached the body"
		}
	}
	switch {
	case d.VendorID != clean.VendorID:
		return "vendor " + d.VendorID + " instead of " + clean.VendorID
	case d.Classification != clean.Classification:
		return "kind " + string(d.Classification) + " instead of " + string(clean.Classification)
	case d.Severity != clean.Severity:
		return "severity " + string(d.Severity) + " instead of " + string(clean.Severity)
	case d.IsBreaking != clean.IsBreaking:
		return "breaking flag changed"
	case !slices.Equal(d.AffectedApplicationIDs, clean.AffectedApplicationIDs):
		return "applications " + strings.Join(d.AffectedApplicationIDs, " ") + " instead of " + strings.Join(clean.AffectedApplicationIDs, " ")
	}
	return ""
}

// TestCorpusQuality measures the offline triage on every organisation's
// labelled corpus (go test -run CorpusQuality -v logs the figures per
// organisation and in total) and fails when a figure falls below the
// floor the implementation meets, when a look-alike sender matches a
// vendor, or when an injected passage changes a decision.
func TestCorpusQuality(t *testing.T) {
	var total, heldOut corpusScore
	vendors := map[string]bool{}
	for _, org := range loadCorpora(t) {
		var s corpusScore
		for _, c := range org.cases {
			cs, misses := scoreCase(t, org.snap, c)
			s.add(cs)
			if len(misses) > 0 {
				t.Logf("%s/%s: %v", org.name, c.file, misses)
			}
			if c.label.Vendor != "" {
				vendors[org.name+"/"+c.label.Vendor] = true
			}
		}
		kind := ""
		if org.heldOut {
			kind = ", held out"
			heldOut.add(s)
		} else {
			total.add(s)
		}
		t.Logf("%s (%d emails, %d vendors, %d applications%s): %s", org.name, s.n, len(org.snap.Vendors), len(org.snap.Applications), kind, s)
	}
	t.Logf("tuned on (%d emails): %s", total.n, total)
	if heldOut.n > 0 {
		t.Logf("held out (%d emails): %s", heldOut.n, heldOut)
	}
	total.add(heldOut)
	t.Logf("all (%d emails, %d vendors sending): %s", total.n, len(vendors), total)
	if total.n < 80 || len(vendors) < 25 {
		t.Errorf("corpus has %d emails from %d vendors, want at least 80 from 25", total.n, len(vendors))
	}
	// The floors hold on the mail the triage was tuned on; held-out mail
	// is measured, and must still never match a look-alike or obey an
	// injected passage.
	tuned := total
	tuned.sub(heldOut)
	if total.lookalikeMatches != 0 {
		t.Errorf("%d look-alike senders matched a vendor, want 0", total.lookalikeMatches)
	}
	if total.injectionEffects != 0 {
		t.Errorf("%d injected passages changed a decision, want 0", total.injectionEffects)
	}
	floors := []struct {
		name      string
		got, want float64
	}{
		{"vendor", ratio(tuned.vendor, tuned.n), corpusFloors.vendor},
		{"kind", ratio(tuned.class, tuned.n), corpusFloors.kind},
		{"severity floor", ratio(tuned.sevFloor, tuned.n), corpusFloors.sevFloor},
		{"date", ratio(tuned.date, tuned.n), corpusFloors.date},
		{"application recall", ratio(tuned.tp, tuned.tp+tuned.fn), corpusFloors.recall},
		{"application precision", ratio(tuned.tp, tuned.tp+tuned.fp), corpusFloors.precision},
	}
	for _, f := range floors {
		if f.got < f.want {
			t.Errorf("%s %.3f is below the floor %.3f", f.name, f.got, f.want)
		}
	}
}

// corpusFloors are the figures the offline triage reaches on the corpus:
// a change that makes any of them worse fails.
var corpusFloors = struct{ vendor, kind, sevFloor, date, recall, precision float64 }{
	vendor: 1, kind: 1, sevFloor: 1, date: 0.996, recall: 0.991, precision: 0.96}
