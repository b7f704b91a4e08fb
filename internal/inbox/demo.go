package inbox

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"text/template"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/mail"
)

// demoFS holds the demo's vendor emails. They are templates: {{date N}} is
// the day N days from today ("April 20, 2027"), {{sent H}} a Date header H
// hours ago, so that deadlines and SLAs look alive whenever the demo loads.
//
//go:embed demo/*.eml
var demoFS embed.FS

// demoMarker is the Message-ID of the first demo email: when the tenant has
// it, the demo emails are loaded already.
const demoMarker = "<demo-01-visa-endpoint@notices.visa.com>"

// DemoEmails renders the demo emails for now, in the order they arrive.
func DemoEmails(now time.Time) ([][]byte, error) {
	names, err := fs.Glob(demoFS, "demo/*.eml")
	if err != nil {
		return nil, fmt.Errorf("demo emails: %w", err)
	}
	sort.Strings(names)
	var out [][]byte
	for _, n := range names {
		raw, err := DemoEmail(now, path.Base(n))
		if err != nil {
			return nil, err
		}
		out = append(out, raw)
	}
	return out, nil
}

// DemoEmail renders one demo email ("01_visa_endpoint.eml") for now; tests
// use them as realistic vendor mail.
func DemoEmail(now time.Time, name string) ([]byte, error) {
	funcs := template.FuncMap{
		"date": func(days int) string { return now.AddDate(0, 0, days).Format("January 2, 2006") },
		"sent": func(hours int) string { return now.Add(-time.Duration(hours) * time.Hour).Format(time.RFC1123Z) },
	}
	t, err := template.New(name).Funcs(funcs).ParseFS(demoFS, "demo/"+name)
	if err != nil {
		return nil, fmt.Errorf("demo email %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, nil); err != nil {
		return nil, fmt.Errorf("demo email %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// DemoResult says what LoadDemo did; Loaded is false when the tenant had the
// demo emails already.
type DemoResult struct {
	Loaded   bool
	Statuses map[Status]int
}

// String summarises the result for the operator.
func (r DemoResult) String() string {
	if !r.Loaded {
		return "the demo emails are loaded already"
	}
	n := 0
	for _, c := range r.Statuses {
		n += c
	}
	return fmt.Sprintf("loaded %s: %d triaged into tickets, %s, %d unknown vendor, %d informational, %d failed",
		count(n, "vendor email", "vendor emails"), r.Statuses[Triaged], count(r.Statuses[Thread], "thread update", "thread updates"),
		r.Statuses[Unknown], r.Statuses[Informational], r.Statuses[Failed])
}

// count writes n with the noun's singular or plural form.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// LoadDemo receives the demo emails into a tenant and processes them at
// once, in order (the reply after its original, so it threads): a new user
// sees tickets of several severities, a thread update, an unknown vendor and
// informational mail. It does nothing when the tenant has them already.
func LoadDemo(ctx context.Context, s *Service, tenantID string) (DemoResult, error) {
	res := DemoResult{Statuses: map[Status]int{}}
	marker := mail.NormalizeMessageID(demoMarker)
	have, err := s.Store.FirstArrivals(ctx, tenantID, []string{marker})
	if err != nil {
		return res, fmt.Errorf("inbox.LoadDemo: %w", err)
	}
	if _, ok := have[marker]; ok {
		return res, nil
	}
	raws, err := DemoEmails(s.now())
	if err != nil {
		return res, err
	}
	stored, err := s.receive(ctx, auth.System(tenantID), mail.SourceRef{Kind: mail.SourceDemo}, raws, nil, true)
	if err != nil {
		return res, fmt.Errorf("inbox.LoadDemo: %w", err)
	}
	for _, e := range stored {
		if e.Status == Received {
			if e, err = s.Process(ctx, tenantID, e.ID, 1, 1); err != nil {
				return res, fmt.Errorf("inbox.LoadDemo: %w", err)
			}
		}
		res.Statuses[e.Status]++
	}
	res.Loaded = true
	return res, nil
}
