package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

// IngestCmd groups ingest commands.
type IngestCmd struct {
	Verify IngestVerifyCmd `cmd:"" help:"Re-hash the raw bytes of events received in a window (database copy and archived object); exits non-zero on any mismatch."`
	Replay IngestReplayCmd `cmd:"" help:"Normalize events again with today's schemas and mappings (after fixing a schema or a mapping), with progress and a summary."`
}

// IngestReplayCmd replays a tenant's events.
type IngestReplayCmd struct {
	Tenant        string `required:"" help:"The organisation (its slug)."`
	IngestID      string `name:"ingest-id" help:"One event, by its ingest id."`
	Vendor        string `help:"The events of this vendor: its vendor key (the envelopes' vendorId) or its registry id."`
	EventType     string `name:"event-type" help:"The events of this vendor eventType."`
	SchemaVersion string `name:"schema-version" help:"The events whose envelopes carry this schemaVersion."`
	Status        string `enum:",RECEIVED,NORMALIZED,FAILED_NORMALIZE,QUARANTINED" default:"" help:"The events in this status: RECEIVED, NORMALIZED, FAILED_NORMALIZE or QUARANTINED."`
	Quarantine    bool   `help:"The events set aside by normalization (QUARANTINED or FAILED_NORMALIZE)."`
	Reason        string `help:"The events quarantined or failed for this reason, e.g. schema_invalid or unknown_event_type."`
	Since         string `help:"Received at or after: an RFC 3339 time, a date (2026-01-30) or a duration back from now (24h)."`
	Until         string `help:"Received before: an RFC 3339 time, a date or a duration back from now."`
	DryRun        bool   `name:"dry-run" help:"Only count the events the selection picks."`
}

// Help explains what a replay does.
func (IngestReplayCmd) Help() string {
	return `Choose events with at least one of the selection flags; they combine (AND). A replay
normalizes each event again from its stored raw bytes: the same bytes and mapping version
give byte-identical output, and a changed result revises the normalized event in place
(its revision goes up) rather than adding a second one.

Examples:
  vendorsync ingest replay --tenant acme --quarantine --vendor globex
  vendorsync ingest replay --tenant acme --status QUARANTINED --reason no_schema --since 24h
  vendorsync ingest replay --tenant acme --ingest-id 01J8Z3…`
}

// Run replays the selection, printing progress to stderr and a summary.
func (c IngestReplayCmd) Run(ctx context.Context, g *Globals) error {
	now := time.Now().UTC()
	sel := ingest.Selection{IngestID: c.IngestID, EventType: c.EventType, SchemaVersion: c.SchemaVersion,
		Status: ingest.Status(c.Status), Quarantine: c.Quarantine, Reason: c.Reason}
	for _, w := range []struct {
		flag, value string
		into        **time.Time
	}{{"--since", c.Since, &sel.Since}, {"--until", c.Until, &sel.Until}} {
		if w.value == "" {
			continue
		}
		t, err := parseSince(w.value, now)
		if err != nil {
			return apperr.Invalidf("%s must be an RFC 3339 time, a date or a duration such as 24h", w.flag)
		}
		*w.into = &t
	}
	e, blobs, done, err := g.openWithBlobs(ctx)
	if err != nil {
		return err
	}
	defer done()
	svc := &ingest.Service{Store: e.db, Blobs: blobs}
	t, err := e.db.TenantBySlug(ctx, c.Tenant)
	if err != nil {
		return fmt.Errorf("tenant %s: %w", c.Tenant, err)
	}
	if c.Vendor != "" {
		v, err := svc.VendorByKeyOrID(ctx, t.ID, c.Vendor)
		if err != nil {
			return err
		}
		sel.VendorID = v.VendorID
	}
	if c.DryRun {
		if err := sel.Check(); err != nil {
			return flagErrors(err)
		}
		n, err := e.db.CountSelected(ctx, t.ID, sel)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "%s: %d events selected (dry run: nothing replayed)\n", t.Slug, n)
		return nil
	}
	started := time.Now()
	res, err := svc.ReplayFromCommand(ctx, t.ID, sel, func(done, total int) {
		fmt.Fprintf(g.stderr, "%s: replayed %d/%d events…\n", t.Slug, done, total)
	})
	if err != nil {
		return flagErrors(err)
	}
	fmt.Fprintf(g.stdout, "%s: %d events replayed in %s: %d normalized, %d quarantined, %d failed\n", t.Slug, res.Selected,
		time.Since(started).Round(time.Millisecond), res.Normalized, res.Quarantined, res.FailedNormalize)
	return nil
}

// IngestVerifyCmd re-hashes a window of events.
type IngestVerifyCmd struct {
	Since  string `required:"" help:"Start of the window: an RFC 3339 time (2026-01-30T00:00:00Z), a date (2026-01-30) or a duration back from now (24h)."`
	Tenant string `help:"Only this tenant (default: all)."`
}

// parseSince reads --since.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, apperr.Invalidf("--since must be an RFC 3339 time, a date or a duration such as 24h")
}

// Run verifies each tenant's window and prints its mismatches.
func (c IngestVerifyCmd) Run(ctx context.Context, g *Globals) error {
	since, err := parseSince(c.Since, time.Now().UTC())
	if err != nil {
		return err
	}
	e, blobs, done, err := g.openWithBlobs(ctx)
	if err != nil {
		return err
	}
	defer done()
	svc := &ingest.Service{Store: e.db, Blobs: blobs}
	tenants, err := e.db.ListTenants(ctx)
	if err != nil {
		return err
	}
	bad := 0
	for _, t := range tenants {
		if c.Tenant != "" && t.Slug != c.Tenant {
			continue
		}
		r, err := svc.Verify(ctx, t.ID, since, func(n int) { fmt.Fprintf(g.stderr, "%s: %d events checked…\n", t.Slug, n) })
		if err != nil {
			return err
		}
		for _, m := range r.Mismatches {
			fmt.Fprintf(g.stdout, "%s: MISMATCH %s (%s): %s\n", t.Slug, m.IngestID, m.RawKey, m.Reason)
		}
		bad += len(r.Mismatches)
		fmt.Fprintf(g.stdout, "%s: %s since %s checked (%d archived), %s\n", t.Slug, nounCount(r.Checked, "event"),
			since.Format(time.RFC3339), r.Archived, nounCount(len(r.Mismatches), "mismatch"))
	}
	if bad > 0 {
		if bad == 1 {
			return errors.New("1 ingest event does not match its recorded SHA-256")
		}
		return fmt.Errorf("%d ingest events do not match their recorded SHA-256", bad)
	}
	return nil
}

// flagErrors spells out a selection's field errors as the flags to fix.
func flagErrors(err error) error {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	msgs := make([]string, len(fields))
	for i, f := range fields {
		if f.Field == "selection" {
			msgs[i] = "choose events to replay with --ingest-id, --vendor, --event-type, --schema-version, --status, --quarantine, --reason, --since or --until"
			continue
		}
		msgs[i] = "--" + strings.ReplaceAll(f.Field, "_", "-") + " " + f.Message
	}
	return errors.New(strings.Join(msgs, "; "))
}

// nounCount is n and its noun, singular for one: "1 mismatch", "2
// mismatches", "0 events". Nouns ending in s, x, z, ch or sh take "es".
func nounCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	for _, end := range []string{"s", "x", "z", "ch", "sh"} {
		if strings.HasSuffix(noun, end) {
			return fmt.Sprintf("%d %ses", n, noun)
		}
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
