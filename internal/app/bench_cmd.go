package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest/ingestbench"
)

// BenchCmd groups the load tools.
type BenchCmd struct {
	Ingest BenchIngestCmd `cmd:"" help:"Send vendor events to a running server at a fixed rate and report the rate achieved, latency and errors; then check every event answered 2xx is stored once."`
	Emails BenchEmailsCmd `cmd:"" help:"Upload a burst of vendor emails to a running server and report emails/s, upload-to-final-status latency, the server's CPU use and errors."`
}

// BenchIngestCmd is the ingest load tool.
type BenchIngestCmd struct {
	URL         string        `name:"url" required:"" help:"The server's base URL, e.g. http://127.0.0.1:8080."`
	Key         string        `name:"key" env:"VENDORSYNC_BENCH_KEY" help:"An ingest API key of the vendor (Settings → Ingest → the vendor → API keys)."`
	Secret      string        `name:"secret" env:"VENDORSYNC_BENCH_SECRET" help:"A whsec_ signing secret of the vendor: send signed deliveries to /hooks/ingest/{tenant} instead (needs --tenant)."`
	Tenant      string        `name:"tenant" help:"The organisation's slug, for --secret."`
	Vendor      string        `name:"vendor" required:"" help:"The vendor key the envelopes carry as vendorId."`
	Rate        float64       `name:"rate" default:"0" help:"Events per second to offer; 0 sends as fast as the server answers."`
	Concurrency int           `name:"concurrency" default:"32" help:"Requests in flight at most."`
	Duration    time.Duration `name:"duration" default:"10s" help:"How long to send, e.g. 30s or 2m."`
	Size        string        `name:"size" default:"1KiB" help:"Size of each event, e.g. 1KiB or 512B."`
	DupRatio    float64       `name:"dup-ratio" default:"0" help:"Share of sends that repeat an earlier event (0 to 0.99); they must be answered DUPLICATE."`
	NoVerify    bool          `name:"no-verify" help:"Skip re-sending every 2xx'd event afterwards to check it is stored once."`
	PID         int           `name:"pid" help:"The server's process id (same machine), to report the CPU time it spends per event from /proc."`
}

// Help explains the measurement.
func (BenchIngestCmd) Help() string {
	return `Latency is measured from the moment each request was due, so a server that falls
behind a fixed --rate shows it in the percentiles instead of hiding it. Each event is
different (its externalEventId carries a run id), so runs never collide. Afterwards every
event answered 2xx is sent again: each must be answered 200 DUPLICATE with the ingestId
it was first answered with — proof it is stored exactly once.

Examples:
  vendorsync bench ingest --url http://127.0.0.1:8080 --key vsk_… --vendor acme --duration 30s
  vendorsync bench ingest --url http://127.0.0.1:8080 --key vsk_… --vendor acme --rate 2000 --dup-ratio 0.1
  vendorsync bench ingest --url http://127.0.0.1:8080 --secret whsec_… --tenant default --vendor acme`
}

// Run runs the load and prints the report; it fails when an answer or the
// check contradicts exactly-once storage.
func (c BenchIngestCmd) Run(ctx context.Context, g *Globals) error {
	size, err := ingestbench.ParseSize(c.Size)
	if err != nil {
		return apperr.Invalidf("--size: %v", err)
	}
	cfg := ingestbench.Config{URL: c.URL, Key: c.Key, Secret: c.Secret, Tenant: c.Tenant, Vendor: c.Vendor, Rate: c.Rate,
		Concurrency: c.Concurrency, Duration: c.Duration, Size: size, DupRatio: c.DupRatio, Verify: !c.NoVerify, Progress: g.stderr,
		PID: c.PID}
	if err := cfg.Validate(); err != nil {
		return apperr.Invalidf("%v", err)
	}
	offered := "as fast as answered"
	if c.Rate > 0 {
		offered = fmt.Sprintf("%.0f events/s", c.Rate)
	}
	fmt.Fprintf(g.stderr, "sending %s events of %d bytes to %s for %s, %d in flight at most, offered %s…\n",
		c.Vendor, size, cfg.URL, c.Duration, c.Concurrency, offered)
	r, err := ingestbench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	out := g.stdout
	fmt.Fprintf(out, "offered:    %s\n", offered)
	fmt.Fprintf(out, "achieved:   %.0f events/s answered 2xx (%d in %.1fs)\n", r.Rate(), r.Accepted+r.Duplicates, r.Elapsed.Seconds())
	fmt.Fprintf(out, "answers:    %d 202 RECEIVED, %d 200 DUPLICATE", r.Accepted, r.Duplicates)
	codes := make([]int, 0, len(r.Statuses))
	for s := range r.Statuses {
		if s != 200 && s != 202 {
			codes = append(codes, s)
		}
	}
	slices.Sort(codes)
	for _, s := range codes {
		fmt.Fprintf(out, ", %d × %d", r.Statuses[s], s)
	}
	fmt.Fprintf(out, ", %d without an answer\n", r.Errors)
	fmt.Fprintf(out, "latency:    p50 %s  p95 %s  p99 %s  max %s (2xx, from when each was due)\n",
		ms(r.Latency.P50), ms(r.Latency.P95), ms(r.Latency.P99), ms(r.Latency.Max))
	printCPU(out, r, c.PID)
	for _, s := range codes {
		fmt.Fprintf(out, "  %d e.g.: %s\n", s, truncate(r.StatusSample(s), 200))
	}
	for _, e := range r.ErrorSamples[:min(len(r.ErrorSamples), 3)] { // each worker keeps a few: show a few
		fmt.Fprintf(out, "  no answer e.g.: %s\n", truncate(e, 200))
	}
	bad := len(r.Problems)
	for _, p := range r.Problems[:min(len(r.Problems), 10)] {
		fmt.Fprintf(out, "  PROBLEM: %s\n", p)
	}
	if v := r.Verified; v != nil {
		fmt.Fprintf(out, "stored once: %d of %d events answered 2xx were answered DUPLICATE with their ingestId when sent again "+
			"(%d stored anew, %d with another ingestId, %d errors) in %.1fs\n",
			v.Duplicate, v.Checked, v.Missing, v.Mismatched, v.Errors, v.Elapsed.Seconds())
		bad += v.Missing + v.Mismatched
		if v.Errors > 0 && bad == 0 {
			return fmt.Errorf("%d events could not be checked (see the server's answers above)", v.Errors)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d answers contradict exactly-once storage", bad)
	}
	return nil
}

// printCPU reports the CPU time spent per 1,000 events answered 2xx: the
// figure that stays comparable on a machine shared with other work.
func printCPU(out io.Writer, r ingestbench.Report, pid int) {
	per := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(max(r.Accepted+r.Duplicates, 1)) }
	switch {
	case r.CPUErr != nil:
		fmt.Fprintf(out, "CPU:        unknown (%v)\n", r.CPUErr)
	case pid == 0:
		fmt.Fprintf(out, "CPU:        this tool %.2f CPU-s per 1,000 2xx events (--pid for the server's)\n", per(r.LoadCPU))
	default:
		fmt.Fprintf(out, "CPU:        server %.2f + this tool %.2f CPU-s per 1,000 2xx events (server %.2f cores over the run)\n",
			per(r.ServerCPU), per(r.LoadCPU), r.ServerCPU.Seconds()/max(r.Elapsed.Seconds(), 1e-9))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
