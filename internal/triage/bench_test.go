package triage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// largeRegistry is the test registry grown to 50 applications and 30
// rules, with descriptions built from a payments company's vocabulary.
func largeRegistry() registry.Snapshot { return grownRegistry(testRegistry(), 50) }

// grownRegistry is snap grown to apps applications and 30 rules.
func grownRegistry(snap registry.Snapshot, apps int) registry.Snapshot {
	words := strings.Fields(`ledger settlement reconciliation chargeback dispute payout merchant onboarding kyc sanctions
		screening invoice subscription webhook queue kafka postgres redis kubernetes terraform lambda s3 cdn tls certificate
		oauth token jwks sso scim sms email push notification analytics dashboard warehouse etl batch sftp csv xml json
		api rest graphql grpc fraud scoring risk authorization capture refund currency fx rates pricing catalog search`)
	teams := []string{"team-payments", "team-platform", "team-identity", "team-growth", "team-data"}
	for i := len(snap.Applications); i < apps; i++ {
		var desc []string
		for j := 0; j < 24; j++ {
			desc = append(desc, words[(i*7+j*5)%len(words)])
		}
		v := snap.Vendors[i%len(snap.Vendors)]
		snap.Applications = append(snap.Applications, registry.Application{
			ID: fmt.Sprintf("app-gen-%02d", i), Name: fmt.Sprintf("Service%02d", i), OwnerTeamID: teams[i%len(teams)],
			IsCritical: i%5 == 0, VendorIDs: []string{v.ID}, IsActive: true,
			Description: "Internal service that " + strings.Join(desc, " ") + " for " + v.Name + ".",
		})
	}
	for i := len(snap.Rules); i < 30; i++ {
		v := snap.Vendors[i%len(snap.Vendors)]
		snap.Rules = append(snap.Rules, registry.Rule{
			ID: fmt.Sprintf("rule-gen-%02d", i), Name: fmt.Sprintf("Generated rule %d", i), VendorID: v.ID,
			Severity: registry.Severities[i%4], OwnerTeamID: teams[i%len(teams)], AlertChannel: "#alerts", IsActive: true,
			Text: fmt.Sprintf("%s changes to %s %s and %s are relevant.", v.Name, words[i%len(words)], words[(i*3)%len(words)], words[(i*11)%len(words)]),
		})
	}
	return snap
}

// BenchmarkOfflineDecide decides every email of every organisation's
// corpus with that organisation's registry grown to 200 applications.
func BenchmarkOfflineDecide(b *testing.B) {
	type job struct {
		e    Email
		snap registry.Snapshot
	}
	var jobs []job
	for _, org := range loadCorpora(b) {
		snap := grownRegistry(org.snap, 200)
		for _, c := range org.cases {
			jobs = append(jobs, job{c.email, snap})
		}
	}
	agent, s := &Agent{}, testSettings()
	ctx := context.Background()
	// A server decides with its tenant's registry index built: it is built
	// once per registry change (BenchmarkAppIndex), not per email. Without
	// this, each organisation's first email of the run built it, and with
	// many organisations those builds were the slowest few percent: the p95.
	seen := map[*registry.Application]bool{}
	for _, j := range jobs {
		if first := &j.snap.Applications[0]; !seen[first] {
			seen[first] = true
			if _, err := agent.Decide(ctx, j.e, j.snap, s); err != nil {
				b.Fatal(err)
			}
		}
	}
	var took []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		j := jobs[i%len(jobs)]
		start := time.Now()
		if _, err := agent.Decide(ctx, j.e, j.snap, s); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*95/100].Nanoseconds()), "p95-ns/op")
}

// BenchmarkAppIndex is the work of the first decision after a registry
// change: indexing 200 applications' names and descriptions.
func BenchmarkAppIndex(b *testing.B) {
	snap := grownRegistry(loadCorpora(b)[0].snap, 200)
	b.ReportAllocs()
	for b.Loop() {
		ix := newAppIndex(snap.Applications)
		_ = newRegistryDF(snap, ix)
	}
}

func TestLargeRegistryStillRoutesVisa(t *testing.T) {
	d, err := (&Agent{}).Decide(context.Background(), email(t, "01_visa_endpoint.eml"), largeRegistry(), testSettings())
	if err != nil {
		t.Fatal(err)
	}
	if d.VendorID != "v-visa" || !containsID(d.AffectedApplicationIDs, "app-payment") || d.Severity != registry.SeverityCritical {
		t.Errorf("decision = %+v", d)
	}
	t.Logf("applications routed in a 50-application registry: %v", d.AffectedApplicationIDs)
}

// BenchmarkOfflineDecideLong decides one real email grown to 16 KiB, 256 KiB
// and 1 MiB of text of the kinds that make pattern matching slow: repeated
// paragraphs, a long run without spaces (an inlined image or token), digits
// and date-like fragments that almost match. Time per KiB should stay flat as
// the email grows: no pattern's cost grows faster than the text.
//
//	go test -run '^$' -bench BenchmarkOfflineDecideLong ./internal/triage/
func BenchmarkOfflineDecideLong(b *testing.B) {
	base := loadEmail(b, "01_visa_endpoint.eml").email
	filler := strings.Join([]string{
		base.Body,
		strings.Repeat("A", 4096),
		strings.Repeat("12/34/56 7.8.9 15th of 2027 v1.2.3 ", 64),
		strings.Repeat("the the maintenance window window effective ", 64),
	}, "\n\n")
	snap, s := largeRegistry(), testSettings()
	ctx := context.Background()
	for _, size := range []int{16 << 10, 256 << 10, 1 << 20} {
		e := base
		var body strings.Builder
		for body.Len() < size {
			body.WriteString(filler)
			body.WriteString("\n\n")
		}
		e.Body = body.String()[:size]
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := (&Agent{}).Decide(ctx, e, snap, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
