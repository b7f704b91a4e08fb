// Package ingestbench is the ingest load tool behind `vendorsync bench
// ingest`: it sends vendor events to a running server at a fixed rate (or
// as fast as the server answers), measures latency from the moment each
// request was due — so a slow server cannot hide its queueing — and then
// proves that every event answered 2xx is stored exactly once by sending
// each again: the server must answer DUPLICATE with the original ingestId.
package ingestbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vendorsync/vendorsync/internal/loadgen"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// Config is one run.
type Config struct {
	// URL is the server's base URL (http://host:port).
	URL string
	// Key is an ingest API key (Bearer); or Secret, a whsec_ signing
	// secret with Tenant, for signed deliveries to /hooks/ingest/{tenant}.
	Key, Secret, Tenant string
	// Vendor is the envelopes' vendorId (the vendor key).
	Vendor string
	// Rate is the events per second offered; 0 sends as fast as the
	// server answers.
	Rate float64
	// Concurrency is how many requests may be in flight.
	Concurrency int
	Duration    time.Duration
	// Size is the envelope's size in bytes (the payload is padded to it).
	Size int
	// DupRatio is the share of sends that repeat an earlier event.
	DupRatio float64
	// Verify re-sends every event answered 2xx after the run.
	Verify bool
	// RunID prefixes the externalEventIds, so runs never collide.
	RunID string
	// Progress receives a line a second; may be nil.
	Progress io.Writer
	// Client is the HTTP client. nil sends to an http:// server over a
	// kept-alive connection per worker written to directly (see conn),
	// and to an https:// one with a client sized to Concurrency.
	Client *http.Client
	// PID is the server's process id on this machine, for the CPU time
	// it spends on the run; 0 leaves it out.
	PID int
}

// Report is what a run measured.
type Report struct {
	Sent          int            // requests answered (any status)
	Accepted      int            // 202 RECEIVED
	Duplicates    int            // 200 DUPLICATE
	Statuses      map[int]int    // every HTTP status seen
	Errors        int            // requests with no answer
	ErrorSamples  []string       // a few of those errors
	Elapsed       time.Duration  // first due time to last answer
	Latency       Percentiles    // of 2xx answers, from when each was due
	Offered       float64        // events/s asked for (0: as fast as possible)
	Verified      *Verification  // nil when not verified
	Problems      []string       // 2xx answers that contradict each other
	ServerCPU     time.Duration  // the server's CPU time over the run (with PID)
	LoadCPU       time.Duration  // this tool's own CPU time over the run
	CPUErr        error          // why a CPU time is missing
	statusSamples map[int]string // first body per non-2xx status
}

// Verification is the outcome of re-sending every 2xx'd event.
type Verification struct {
	Checked, Duplicate, Mismatched, Missing, Errors int
	Elapsed                                         time.Duration
}

// Percentiles of a latency sample.
type Percentiles = loadgen.Percentiles

// Rate is the 2xx answers per second over the run.
func (r Report) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Accepted+r.Duplicates) / r.Elapsed.Seconds()
}

// StatusSample returns the first body seen for status, to explain it.
func (r Report) StatusSample(status int) string { return r.statusSamples[status] }

// Validate checks a configuration and fills defaults.
func (c *Config) Validate() error {
	base, err := loadgen.BaseURL(c.URL)
	if err != nil {
		return err
	}
	c.URL = base
	switch {
	case c.Key == "" && c.Secret == "":
		return errors.New("give an ingest key (--key) or a signing secret (--secret with --tenant)")
	case c.Key != "" && c.Secret != "":
		return errors.New("give --key or --secret, not both")
	case c.Secret != "" && c.Tenant == "":
		return errors.New("--secret needs --tenant (the organisation's slug in /hooks/ingest/{tenant})")
	case c.Secret != "" && !strings.HasPrefix(c.Secret, stdwebhook.SecretPrefix):
		return fmt.Errorf("--secret must start with %s", stdwebhook.SecretPrefix)
	case c.Vendor == "":
		return errors.New("--vendor (the vendor key the envelopes carry as vendorId) is required")
	case c.Rate < 0:
		return errors.New("--rate must be 0 (as fast as possible) or more")
	case c.Concurrency < 1 || c.Concurrency > 4096:
		return errors.New("--concurrency must be between 1 and 4096")
	case c.Duration <= 0:
		return errors.New("--duration must be positive, such as 10s")
	case c.Size < 200 || c.Size > 1<<20:
		return errors.New("--size must be between 200B and 1MiB")
	case c.DupRatio < 0 || c.DupRatio >= 1:
		return errors.New("--dup-ratio must be at least 0 and below 1")
	}
	if c.RunID == "" {
		c.RunID = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	if c.Client == nil && !strings.HasPrefix(c.URL, "http://") {
		c.Client = loadgen.Client(c.Concurrency, 30*time.Second)
	}
	return nil
}

// ParseSize reads "1KiB", "512B", "2k", "1024".
func ParseSize(s string) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1
	for _, u := range []struct {
		suffix string
		n      int
	}{{"kib", 1024}, {"kb", 1000}, {"k", 1024}, {"mib", 1 << 20}, {"mb", 1000000}, {"m", 1 << 20}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.n
			break
		}
	}
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 1KiB or 512B", s)
	}
	return n * mult, nil
}

// sent is one event answered 2xx.
type sent struct {
	n        int
	ingestID string
}

// worker's share of the results.
type tally struct {
	latencies  []time.Duration
	statuses   map[int]int
	errors     int
	errSamples []string
	accepted   []sent
	dups       []sent
	samples    map[int]string
}

// Run sends events until the duration ends, then verifies.
func Run(ctx context.Context, c Config) (Report, error) {
	if err := c.Validate(); err != nil {
		return Report{}, err
	}
	b := newBodies(c)
	senders := make([]*sender, c.Concurrency)
	for w := range senders {
		var err error
		if senders[w], err = newSender(c, b); err != nil {
			return Report{}, err
		}
	}
	var (
		next     atomic.Int64 // the next new event number
		answered atomic.Int64
		okCount  atomic.Int64
		start    = time.Now()
		deadline = start.Add(c.Duration)
		tallies  = make([]*tally, c.Concurrency)
		due      = make(chan time.Time, c.Concurrency)
		wg       sync.WaitGroup
	)
	serverCPU0, serverErr := loadgen.ProcessCPU(c.PID)
	selfCPU0, selfErr := loadgen.ProcessCPU(os.Getpid())
	runCtx, cancel := context.WithDeadline(ctx, deadline.Add(30*time.Second))
	defer cancel()
	// The schedule: a due time per request at a fixed rate, or none
	// (closed loop) when Rate is 0.
	go func() {
		defer close(due)
		if c.Rate == 0 {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				select {
				case due <- time.Now():
				case <-ctx.Done():
				}
			}
			return
		}
		interval := time.Duration(float64(time.Second) / c.Rate)
		for i := 0; ; i++ {
			at := start.Add(time.Duration(i) * interval)
			if !at.Before(deadline) || ctx.Err() != nil {
				return
			}
			if d := time.Until(at); d > 0 {
				time.Sleep(d)
			}
			select {
			case due <- at:
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := range c.Concurrency {
		t := &tally{statuses: map[int]int{}, samples: map[int]string{}}
		tallies[w] = t
		rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
		snd := senders[w]
		wg.Go(func() {
			for at := range due {
				var n int
				if seen := int(next.Load()); c.DupRatio > 0 && seen > 0 && rng.Float64() < c.DupRatio {
					n = rng.IntN(seen) // an earlier event again
				} else {
					n = int(next.Add(1)) - 1
				}
				status, id, body, err := snd.send(runCtx, n)
				answered.Add(1)
				if err != nil {
					t.errors++
					if len(t.errSamples) < 3 {
						t.errSamples = append(t.errSamples, err.Error())
					}
					continue
				}
				t.statuses[status]++
				switch status {
				case http.StatusAccepted:
					t.latencies = append(t.latencies, time.Since(at))
					t.accepted = append(t.accepted, sent{n, id})
					okCount.Add(1)
				case http.StatusOK:
					t.latencies = append(t.latencies, time.Since(at))
					t.dups = append(t.dups, sent{n, id})
					okCount.Add(1)
				default:
					if _, ok := t.samples[status]; !ok {
						t.samples[status] = body
					}
				}
			}
		})
	}
	stop := progress(c.Progress, start, &answered, &okCount)
	wg.Wait()
	stop()
	rep := Report{Statuses: map[int]int{}, Elapsed: time.Since(start), Offered: c.Rate, statusSamples: map[int]string{}}
	serverCPU1, err1 := loadgen.ProcessCPU(c.PID)
	selfCPU1, err2 := loadgen.ProcessCPU(os.Getpid())
	rep.ServerCPU, rep.LoadCPU = serverCPU1-serverCPU0, selfCPU1-selfCPU0
	rep.CPUErr = errors.Join(serverErr, selfErr, err1, err2)
	var lat []time.Duration
	ids := map[int]string{}
	for _, t := range tallies {
		lat = append(lat, t.latencies...)
		for s, k := range t.statuses {
			rep.Statuses[s] += k
			rep.Sent += k
		}
		for s, b := range t.samples {
			rep.statusSamples[s] = b
		}
		rep.Errors += t.errors
		rep.ErrorSamples = append(rep.ErrorSamples, t.errSamples...)
		rep.Accepted += len(t.accepted)
		rep.Duplicates += len(t.dups)
		for _, a := range t.accepted {
			if prev, ok := ids[a.n]; ok && prev != a.ingestID {
				rep.Problems = append(rep.Problems, fmt.Sprintf("event %d accepted twice, as %s and %s", a.n, prev, a.ingestID))
			}
			ids[a.n] = a.ingestID
		}
	}
	rep.Latency = loadgen.Summarize(lat)
	// A duplicate must name the id its original was accepted as.
	for _, t := range tallies {
		for _, d := range t.dups {
			if orig, ok := ids[d.n]; ok && orig != d.ingestID {
				rep.Problems = append(rep.Problems, fmt.Sprintf("event %d: DUPLICATE names %s, accepted as %s", d.n, d.ingestID, orig))
			} else if !ok {
				ids[d.n] = d.ingestID // its first send's answer was lost
			}
		}
	}
	if c.Verify && ctx.Err() == nil {
		v := verify(ctx, c, senders, ids)
		rep.Verified = &v
	}
	return rep, nil
}

// verify re-sends every event answered 2xx: each must come back
// 200 DUPLICATE with the ingestId it was answered with.
func verify(ctx context.Context, c Config, senders []*sender, ids map[int]string) Verification {
	start := time.Now()
	ns := make(chan int, c.Concurrency)
	var (
		mu sync.Mutex
		v  Verification
		wg sync.WaitGroup
	)
	for _, snd := range senders {
		wg.Go(func() {
			for n := range ns {
				status, id, _, err := snd.send(ctx, n)
				mu.Lock()
				v.Checked++
				switch {
				case err != nil || status >= 300 && status != http.StatusConflict:
					v.Errors++
				case status == http.StatusAccepted:
					v.Missing++ // stored as new: the first 2xx stored nothing
				case status == http.StatusOK && id == ids[n]:
					v.Duplicate++
				default:
					v.Mismatched++
				}
				mu.Unlock()
			}
		})
	}
	keys := make([]int, 0, len(ids))
	for n := range ids {
		keys = append(keys, n)
	}
	slices.Sort(keys)
	for _, n := range keys {
		select {
		case ns <- n:
		case <-ctx.Done():
		}
	}
	close(ns)
	wg.Wait()
	v.Elapsed = time.Since(start)
	return v
}

// bodies builds events' bodies: the parts every event shares are quoted
// once, so the load tool spends its CPU on sending, not on formatting
// (it shares the machine with the server it measures).
type bodies struct {
	head, mid, mid2, tail []byte
}

func newBodies(c Config) *bodies {
	b := &bodies{
		head: fmt.Appendf(nil, `{"vendorId":%q,"externalEventId":"bench-%s-`, c.Vendor, c.RunID),
		mid:  []byte(`","eventType":"inventory_update","occurredAt":"2026-01-30T20:15:12Z","payload":{"sku":"SKU-`),
		mid2: []byte(`","warehouse":"MAIN","quantity":`),
	}
	// Event 0 is c.Size bytes; the pad is the same for every event.
	pad := max(0, c.Size-len(b.head)-len(b.mid)-len(b.mid2)-len(`0`)*3-len(`,"pad":""}}`))
	b.tail = fmt.Appendf(nil, `,"pad":%q}}`, strings.Repeat("x", pad))
	return b
}

// body is event n's body; the same n always gives the same bytes.
func (b *bodies) body(n int) []byte {
	return b.appendBody(make([]byte, 0, len(b.head)+len(b.mid)+len(b.mid2)+len(b.tail)+3*20), n)
}

// appendBody appends event n's body to out.
func (b *bodies) appendBody(out []byte, n int) []byte {
	out = strconv.AppendInt(append(out, b.head...), int64(n), 10)
	out = strconv.AppendInt(append(out, b.mid...), int64(n), 10)
	out = strconv.AppendInt(append(out, b.mid2...), int64(n%1000), 10)
	return append(out, b.tail...)
}

// sender posts events: one per worker, so its signer, header values and
// buffers are reused from one request to the next.
type sender struct {
	c      Config
	bodies *bodies
	target string
	auth   []string
	ctype  []string
	signer *stdwebhook.Signer
	// conn, head, body and req send without net/http (Client nil):
	// head is the request line and the headers every request shares.
	conn            *conn
	head, body, req []byte
}

func newSender(c Config, b *bodies) (*sender, error) {
	s := &sender{c: c, bodies: b, target: c.URL + "/api/v1/ingest/events", ctype: []string{"application/json"}}
	if c.Secret != "" {
		s.target = c.URL + "/hooks/ingest/" + url.PathEscape(c.Tenant) + "?source=" + url.QueryEscape(c.Vendor)
		var err error
		if s.signer, err = stdwebhook.NewSigner(c.Secret); err != nil {
			return nil, err
		}
	} else {
		s.auth = []string{"Bearer " + c.Key}
	}
	if c.Client == nil {
		u, err := url.Parse(s.target)
		if err != nil {
			return nil, err
		}
		addr := u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), "80")
		}
		s.conn = &conn{addr: addr, resp: make([]byte, 0, 1024)}
		s.head = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: vendorsync-bench\r\nContent-Type: application/json\r\n",
			u.RequestURI(), u.Host)
		if s.signer == nil {
			s.head = fmt.Appendf(s.head, "Authorization: Bearer %s\r\n", c.Key)
		}
	}
	return s, nil
}

// send posts event n and returns the status, the ingestId answered and,
// for errors, the body.
func (s *sender) send(ctx context.Context, n int) (int, string, string, error) {
	if s.conn != nil {
		return s.sendDirect(ctx, n)
	}
	body := s.bodies.body(n)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target, bytes.NewReader(body))
	if err != nil {
		return 0, "", "", err
	}
	req.Header["Content-Type"] = s.ctype
	if s.signer != nil {
		id, ts, sig := s.sign(n, body)
		req.Header["Webhook-Id"] = []string{id}
		req.Header["Webhook-Timestamp"] = []string{strconv.FormatInt(ts, 10)}
		req.Header["Webhook-Signature"] = []string{sig}
	} else {
		req.Header["Authorization"] = s.auth
	}
	res, err := s.c.Client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return 0, "", "", err
	}
	return answer(res.StatusCode, b)
}

// sendDirect posts event n over the sender's own connection: the
// headers and body are written into one reused buffer, the body last,
// and sent with one write.
func (s *sender) sendDirect(ctx context.Context, n int) (int, string, string, error) {
	body := s.bodies.appendBody(s.body[:0], n)
	s.body = body
	req := append(s.req[:0], s.head...)
	if s.signer != nil {
		id, ts, sig := s.sign(n, body)
		req = append(append(append(req, "Webhook-Id: "...), id...), "\r\nWebhook-Timestamp: "...)
		req = append(append(strconv.AppendInt(req, ts, 10), "\r\nWebhook-Signature: "...), sig...)
		req = append(req, "\r\n"...)
	}
	req = append(strconv.AppendInt(append(req, "Content-Length: "...), int64(len(body)), 10), "\r\n\r\n"...)
	req = append(req, body...)
	s.req = req
	status, b, err := s.conn.roundTrip(ctx, req, 30*time.Second)
	if err != nil {
		return 0, "", "", err
	}
	return answer(status, b)
}

// sign signs event n's body as a Standard Webhooks delivery.
func (s *sender) sign(n int, body []byte) (id string, ts int64, sig string) {
	id = "msg_bench_" + s.c.RunID + "_" + strconv.Itoa(n)
	ts = time.Now().Unix()
	return id, ts, s.signer.Sign(id, ts, body)
}

// answer is what send returns for an answer's status and body.
func answer(status int, b []byte) (int, string, string, error) {
	if status/100 == 2 {
		return status, ingestID(b), "", nil
	}
	return status, "", strings.TrimSpace(string(b)), nil
}

// ingestID is the "ingestId" of an accept answer; "" when it has none.
func ingestID(b []byte) string {
	// The id is a ULID (no escapes), so a search finds it without a
	// decoder; an answer that is not shaped so goes through one.
	const field = `"ingestId":"`
	if i := bytes.Index(b, []byte(field)); i >= 0 {
		rest := b[i+len(field):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 && bytes.IndexByte(rest[:j], '\\') < 0 {
			return string(rest[:j])
		}
	}
	var r struct {
		IngestID string `json:"ingestId"`
	}
	_ = json.Unmarshal(b, &r) // an answer without an id is reported as one
	return r.IngestID
}

// progress prints a line a second until stopped.
func progress(w io.Writer, start time.Time, answered, ok *atomic.Int64) func() {
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var last int64
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				a := answered.Load()
				fmt.Fprintf(w, "%5.0fs  %d answered (%d 2xx), %d/s\n", time.Since(start).Seconds(), a, ok.Load(), a-last)
				last = a
			}
		}
	}()
	return func() { close(done); <-stopped }
}
