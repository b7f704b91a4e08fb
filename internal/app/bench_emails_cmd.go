package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/inbox/inboxbench"
)

// BenchEmailsCmd is the email load tool.
type BenchEmailsCmd struct {
	URL         string        `name:"url" required:"" help:"The server's base URL, e.g. http://127.0.0.1:8080."`
	Key         string        `name:"key" env:"VENDORSYNC_BENCH_KEY" help:"An API key allowed to upload emails (role triager or admin)."`
	Count       int           `name:"count" default:"300" help:"Emails to send."`
	Concurrency int           `name:"concurrency" default:"16" help:"Uploads in flight at most."`
	Serial      bool          `name:"serial" help:"Send each email only after the one before reached its final status: the latency of a quiet server."`
	PID         int           `name:"pid" help:"The server's process id (same machine), to report its CPU use from /proc."`
	Timeout     time.Duration `name:"timeout" default:"5m" help:"How long to wait for the last email's final status."`
}

// Help explains the measurement.
func (BenchEmailsCmd) Help() string {
	return `The emails are the demo vendor emails, each with a Message-ID of its own, so against
a server started with --demo every one opens a ticket (with its tracker links and
notifications queued). Uploads go to POST /api/v1/emails, where mailbox polls and
'email import' hand mail to the same pipeline.

Latency runs from an upload being sent to its email's final status. In a burst the
end is the server's updated_at of the email (written with the outcome), so the
server's clock and this machine's must agree — run it on the server's machine. With
--serial this side watches each email and the end is when it saw the status.

Examples:
  vendorsync bench emails --url http://127.0.0.1:8080 --key vsk_… --count 300 --pid 4242
  vendorsync bench emails --url http://127.0.0.1:8080 --key vsk_… --count 50 --serial`
}

// Run runs the load and prints the report; it fails when an upload or an
// email failed or did not finish.
func (c BenchEmailsCmd) Run(ctx context.Context, g *Globals) error {
	cfg := inboxbench.Config{URL: c.URL, Key: c.Key, Count: c.Count, Concurrency: c.Concurrency, Serial: c.Serial,
		PID: c.PID, Timeout: c.Timeout, Progress: g.stderr}
	if err := cfg.Validate(); err != nil {
		return apperr.Invalidf("%v", err)
	}
	mode := fmt.Sprintf("a burst, %d uploads in flight at most", c.Concurrency)
	if c.Serial {
		mode = "one at a time"
	}
	fmt.Fprintf(g.stderr, "sending %d emails to %s, %s…\n", c.Count, cfg.URL, mode)
	r, err := inboxbench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	out := g.stdout
	fmt.Fprintf(out, "sent:       %d emails, %s\n", c.Count, mode)
	fmt.Fprintf(out, "achieved:   %.1f emails/s to a final status (%d in %.2fs)\n", r.Rate(), r.Sent-r.Unfinished, r.Elapsed.Seconds())
	fmt.Fprintf(out, "latency:    p50 %s  p95 %s  p99 %s  max %s (upload sent → final status)\n",
		ms(r.Latency.P50), ms(r.Latency.P95), ms(r.Latency.P99), ms(r.Latency.Max))
	fmt.Fprintf(out, "final:     ")
	for _, s := range slices.Sorted(maps.Keys(r.Final)) {
		fmt.Fprintf(out, " %d %s", r.Final[s], s)
	}
	fmt.Fprintf(out, "; %d still received when the wait ended\n", r.Unfinished)
	switch {
	case c.PID == 0:
	case r.CPUErr != nil:
		fmt.Fprintf(out, "server CPU: unknown (%v)\n", r.CPUErr)
	default:
		fmt.Fprintf(out, "server CPU: %.2fs = %.2f cores over the run, %.2fms per email\n", r.CPU.Seconds(),
			r.CPU.Seconds()/max(r.Elapsed.Seconds(), 1e-9), float64(r.CPU.Microseconds())/1000/float64(max(r.Sent, 1)))
	}
	fmt.Fprintf(out, "errors:     %d\n", r.UploadErrors)
	for _, e := range r.ErrorSamples {
		fmt.Fprintf(out, "  e.g.: %s\n", truncate(e, 200))
	}
	if bad := r.UploadErrors + r.Unfinished + r.Final["failed"]; bad > 0 {
		return fmt.Errorf("%d emails were not accepted, failed or did not finish", bad)
	}
	return nil
}
