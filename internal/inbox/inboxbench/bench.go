// Package inboxbench is the email load tool behind `vendorsync bench
// emails`: it uploads vendor emails to a running server the way mail
// arrives (POST /api/v1/emails, as a mailbox poll or `email import` hands
// them to the same pipeline), waits until each has reached its final
// status (a ticket, a thread note, the triage queue…) and reports the rate
// achieved, the latency from upload to that status, the server's CPU use
// and every error.
package inboxbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/loadgen"
)

// Emails are the demo emails a run sends in turn: against the demo
// registry (`serve --demo`) each opens a ticket.
var Emails = []string{"01_visa_endpoint.eml", "02_mastercard_certs.eml", "03_stripe_api_version.eml",
	"05_okta_key_rotation.eml", "06_digicert_distrust.eml", "08_salesforce_api_retirement.eml", "13_forwarded_reuters.eml"}

// Config is one run.
type Config struct {
	// URL is the server's base URL (http://host:port).
	URL string
	// Key is an API key allowed to upload emails (Bearer).
	Key string
	// Count is how many emails to send.
	Count int
	// Concurrency is how many uploads may be in flight.
	Concurrency int
	// Serial sends each email only after the one before reached its final
	// status: the latency of a quiet server.
	Serial bool
	// PID is the server's process id, for its CPU use; 0 leaves it out.
	PID int
	// Timeout bounds the wait for the last email's final status.
	Timeout time.Duration
	// RunID goes into every Message-ID, so runs never collide.
	RunID string
	// Progress receives a line a second; may be nil.
	Progress io.Writer
	// Client is the HTTP client; nil builds one sized to Concurrency.
	Client *http.Client
}

// Report is what a run measured.
type Report struct {
	Sent         int                 // uploads answered 202
	Final        map[string]int      // emails per final status
	UploadErrors int                 // uploads not answered 202
	ErrorSamples []string            // a few of those answers or errors
	Unfinished   int                 // accepted emails still received when the wait ended
	Elapsed      time.Duration       // first upload sent to the last email's final status
	Latency      loadgen.Percentiles // upload sent → final status, per finished email
	CPU          time.Duration       // the server's CPU time over Elapsed (with PID)
	CPUErr       error               // why CPU is missing, when PID was given
}

// Rate is the emails that reached a final status per second.
func (r Report) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Sent-r.Unfinished) / r.Elapsed.Seconds()
}

// Validate checks a configuration and fills defaults.
func (c *Config) Validate() error {
	base, err := loadgen.BaseURL(c.URL)
	if err != nil {
		return err
	}
	c.URL = base
	switch {
	case c.Key == "":
		return errors.New("--key (an API key allowed to upload emails) is required")
	case c.Count < 1 || c.Count > 1_000_000:
		return errors.New("--count must be between 1 and 1000000")
	case c.Concurrency < 1 || c.Concurrency > 1024:
		return errors.New("--concurrency must be between 1 and 1024")
	case c.PID < 0:
		return errors.New("--pid must be a process id")
	case c.Timeout <= 0:
		return errors.New("--timeout must be positive, such as 2m")
	}
	if c.RunID == "" {
		c.RunID = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	if c.Client == nil {
		// One connection more than the uploads, for reading statuses.
		c.Client = loadgen.Client(c.Concurrency+1, 60*time.Second)
	}
	return nil
}

// sent is one accepted upload.
type sent struct {
	id string
	at time.Time
}

// Run sends the emails and waits for their final statuses.
func Run(ctx context.Context, c Config) (Report, error) {
	raws := make([][]byte, len(Emails))
	for i, n := range Emails {
		raw, err := inbox.DemoEmail(time.Now(), n)
		if err != nil {
			return Report{}, err
		}
		raws[i] = raw
	}
	message := func(n int) []byte {
		return bytes.Replace(raws[n%len(raws)], []byte("Message-ID: <"), fmt.Appendf(nil, "Message-ID: <bench-%s-%d-", c.RunID, n), 1)
	}
	r := Report{Final: map[string]int{}}
	cpu0, cpuErr := loadgen.ProcessCPU(c.PID)
	start := time.Now()
	var done []time.Time // when each email reached its final status, in order of accepted
	var accepted []sent
	if c.Serial {
		accepted, done = runSerial(ctx, c, message, &r)
	} else {
		accepted = upload(ctx, c, message, &r)
		done = waitAll(ctx, c, accepted, &r)
	}
	var lat []time.Duration
	last := start
	for i, s := range accepted {
		if done[i].IsZero() {
			r.Unfinished++
			continue
		}
		lat = append(lat, done[i].Sub(s.at))
		if done[i].After(last) {
			last = done[i]
		}
	}
	r.Elapsed, r.Latency = last.Sub(start), loadgen.Summarize(lat)
	if c.PID > 0 {
		cpu1, err := loadgen.ProcessCPU(c.PID)
		r.CPU, r.CPUErr = cpu1-cpu0, errors.Join(cpuErr, err)
	}
	return r, ctx.Err()
}

// upload sends every email, Concurrency at a time, and returns those the
// server accepted.
func upload(ctx context.Context, c Config, message func(int) []byte, r *Report) []sent {
	var mu sync.Mutex
	var accepted []sent
	next := make(chan int)
	var wg sync.WaitGroup
	stop := progress(c.Progress, "uploaded", func() int { mu.Lock(); defer mu.Unlock(); return len(accepted) })
	defer stop()
	for range c.Concurrency {
		wg.Go(func() {
			for n := range next {
				at := time.Now()
				id, err := send(ctx, c, message(n))
				mu.Lock()
				if err != nil {
					r.failed(err)
				} else {
					accepted = append(accepted, sent{id: id, at: at})
				}
				mu.Unlock()
			}
		})
	}
	for n := range c.Count {
		if ctx.Err() != nil {
			break
		}
		next <- n
	}
	close(next)
	wg.Wait()
	r.Sent = len(accepted)
	return accepted
}

// runSerial sends one email at a time and watches it until its final
// status; the latency is what this side saw.
func runSerial(ctx context.Context, c Config, message func(int) []byte, r *Report) ([]sent, []time.Time) {
	var accepted []sent
	var done []time.Time
	stop := progress(c.Progress, "finished", func() int { return len(done) })
	defer stop()
	deadline := time.Now().Add(c.Timeout)
	for n := range c.Count {
		at := time.Now()
		id, err := send(ctx, c, message(n))
		if err != nil {
			r.failed(err)
			continue
		}
		accepted = append(accepted, sent{id: id, at: at})
		var end time.Time
		for ctx.Err() == nil && time.Now().Before(deadline) {
			e, err := get(ctx, c, id)
			if err == nil && e.Status != string(inbox.Received) {
				end = time.Now()
				r.Final[e.Status]++
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		done = append(done, end)
	}
	r.Sent = len(accepted)
	return accepted, done
}

// waitAll waits, asking cheaply, until the server has no email waiting
// (or the timeout passes), then reads each accepted email once: its final
// status and when it reached it (the server's updated_at, stamped in the
// transaction that wrote the outcome — so the server's clock and this
// one's must agree, as they do on one machine).
func waitAll(ctx context.Context, c Config, accepted []sent, r *Report) []time.Time {
	deadline := time.Now().Add(c.Timeout)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		waiting, err := anyWaiting(ctx, c)
		if err == nil && !waiting {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	done := make([]time.Time, len(accepted))
	for i, s := range accepted {
		e, err := get(ctx, c, s.id)
		switch {
		case err != nil:
			r.failed(fmt.Errorf("read email %s: %w", s.id, err))
		case e.Status != string(inbox.Received):
			r.Final[e.Status]++
			done[i] = e.UpdatedAt
		}
	}
	return done
}

// failed counts an upload or read that went wrong, keeping a few samples.
func (r *Report) failed(err error) {
	r.UploadErrors++
	if len(r.ErrorSamples) < 5 {
		r.ErrorSamples = append(r.ErrorSamples, err.Error())
	}
}

// email is the part of the API's email this tool reads.
type email struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
}

// send uploads one message and returns the email's id.
func send(ctx context.Context, c Config, raw []byte) (string, error) {
	var e email
	if err := call(ctx, c, http.MethodPost, "/api/v1/emails", raw, http.StatusAccepted, &e); err != nil {
		return "", err
	}
	if e.Status != string(inbox.Received) {
		return "", fmt.Errorf("email %s was answered %s, not received", e.ID, e.Status)
	}
	return e.ID, nil
}

func get(ctx context.Context, c Config, id string) (email, error) {
	var e email
	err := call(ctx, c, http.MethodGet, "/api/v1/emails/"+url.PathEscape(id), nil, http.StatusOK, &e)
	return e, err
}

// anyWaiting reports whether the server still has an email waiting for
// its processing.
func anyWaiting(ctx context.Context, c Config) (bool, error) {
	var page struct {
		Items []email `json:"items"`
	}
	err := call(ctx, c, http.MethodGet, "/api/v1/emails?status=received&limit=1", nil, http.StatusOK, &page)
	return len(page.Items) > 0, err
}

// call does one API request and decodes the answer of status want into out.
func call(ctx context.Context, c Config, method, path string, body []byte, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	if body != nil {
		req.Header.Set("Content-Type", "message/rfc822")
	}
	res, err := c.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, strings.Join(strings.Fields(string(b)), " "))
	}
	return json.Unmarshal(b, out)
}

// progress prints count every second until stopped.
func progress(w io.Writer, what string, count func() int) (stop func()) {
	if w == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				fmt.Fprintf(w, "%d %s…\n", count(), what)
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}
