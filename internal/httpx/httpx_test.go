package httpx_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// script answers request i with statuses[i] (the last one repeats) and
// counts requests.
type script struct {
	statuses   []int
	retryAfter string
	n          atomic.Int32
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // echo the body to prove it was rewound
	i := int(s.n.Add(1)) - 1
	status := s.statuses[min(i, len(s.statuses)-1)]
	if status == http.StatusTooManyRequests && s.retryAfter != "" {
		w.Header().Set("Retry-After", s.retryAfter)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func fast(p httpx.Policy) httpx.Policy {
	p.InitialBackoff, p.MaxBackoff = time.Millisecond, 2*time.Millisecond
	return p
}

func do(t *testing.T, tr *httpx.Transport, ctx context.Context, method, url, body string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(data), nil
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name       string
		method     string
		idempotent bool
		statuses   []int
		wantStatus int
		wantCalls  int32
	}{
		{"GET retries 503 until success", http.MethodGet, false, []int{503, 502, 200}, 200, 3},
		{"GET gives up after MaxRetries", http.MethodGet, false, []int{500}, 500, 4},
		{"POST is not retried on 5xx", http.MethodPost, false, []int{503, 200}, 503, 1},
		{"marked POST is retried on 5xx", http.MethodPost, true, []int{503, 200}, 200, 2},
		{"POST is retried on 429", http.MethodPost, false, []int{429, 429, 201}, 201, 3},
		{"4xx is never retried", http.MethodGet, false, []int{404, 200}, 404, 1},
		{"501 is not retried", http.MethodGet, false, []int{501, 200}, 501, 1},
		{"GET retries 408", http.MethodGet, false, []int{408, 200}, 200, 2},
		{"marked POST is retried on 529 overloaded", http.MethodPost, true, []int{529, 200}, 200, 2},
		{"POST is not retried on 529", http.MethodPost, false, []int{529, 200}, 529, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{statuses: tc.statuses, retryAfter: "0"}
			srv := httptest.NewServer(s)
			defer srv.Close()
			tr := httpx.New(nil, fast(httpx.Policy{Name: "test", BreakerFailures: 100}))
			ctx := context.Background()
			if tc.idempotent {
				ctx = httpx.MarkIdempotent(ctx)
			}
			resp, body, err := do(t, tr, ctx, tc.method, srv.URL, "payload")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus || s.n.Load() != tc.wantCalls {
				t.Errorf("status %d after %d calls, want %d after %d", resp.StatusCode, s.n.Load(), tc.wantStatus, tc.wantCalls)
			}
			if body != "payload" {
				t.Errorf("body %q: the request body was not rewound for the retry", body)
			}
		})
	}
}

// sleeper records the waits a transport asks for instead of spending them.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) total() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum time.Duration
	for _, d := range s.waits {
		sum += d
	}
	return sum
}

func TestRetryAfterHonouredAndBounded(t *testing.T) {
	s := &script{statuses: []int{429, 200}, retryAfter: "1"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	waits := &sleeper{}
	tr := httpx.New(nil, fast(httpx.Policy{Sleep: waits.sleep}))
	resp, _, err := do(t, tr, context.Background(), http.MethodGet, srv.URL, "")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	if got := waits.total(); got < time.Second || s.n.Load() != 2 {
		t.Errorf("retried after waiting %v (%d calls), before the 1s Retry-After", got, s.n.Load())
	}

	s = &script{statuses: []int{429, 200}, retryAfter: "3600"}
	srv2 := httptest.NewServer(s)
	defer srv2.Close()
	resp, _, err = do(t, tr, context.Background(), http.MethodGet, srv2.URL, "")
	if err != nil || resp.StatusCode != 429 || s.n.Load() != 1 {
		t.Errorf("an hour's Retry-After: status %v after %d calls (%v); want the 429 at once", resp.StatusCode, s.n.Load(), err)
	}
}

// TestSleepEndsWithTheContext: a caller that gives up while the transport
// waits for a retry gets its context's error at once, not the wait.
func TestSleepEndsWithTheContext(t *testing.T) {
	s := &script{statuses: []int{429, 200}, retryAfter: "20"}
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := httpx.New(nil, fast(httpx.Policy{OnRetry: func(int, time.Duration, error) { cancel() }}))
	_, _, err := do(t, tr, ctx, http.MethodGet, srv.URL, "")
	if !errors.Is(err, context.Canceled) || s.n.Load() != 1 {
		t.Errorf("err = %v after %d calls, want context.Canceled after 1", err, s.n.Load())
	}
}

func TestRetryAfterMsAndOnRetry(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After-Ms", "5")
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	type retry struct {
		attempt int
		wait    time.Duration
	}
	var retries []retry
	tr := httpx.New(nil, fast(httpx.Policy{OnRetry: func(attempt int, wait time.Duration, err error) {
		retries = append(retries, retry{attempt, wait})
	}}))
	resp, _, err := do(t, tr, context.Background(), http.MethodPost, srv.URL, "x")
	if err != nil || resp.StatusCode != 200 || calls.Load() != 2 {
		t.Fatalf("resp %v after %d calls, err %v; want the Retry-After-Ms wait, not the hour of Retry-After", resp, calls.Load(), err)
	}
	if len(retries) != 1 || retries[0] != (retry{1, 5 * time.Millisecond}) {
		t.Errorf("OnRetry saw %v, want one retry after attempt 1 waiting 5ms", retries)
	}
}

func TestAttemptTimeoutAndCallerCancel(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	tr := httpx.New(nil, fast(httpx.Policy{AttemptTimeout: 50 * time.Millisecond, MaxRetries: 2}))
	_, _, err := do(t, tr, context.Background(), http.MethodGet, srv.URL, "")
	if !errors.Is(err, context.DeadlineExceeded) || calls.Load() != 3 {
		t.Errorf("err %v after %d calls; want deadline exceeded after 3", err, calls.Load())
	}
	calls.Store(0)
	_, _, err = do(t, tr, context.Background(), http.MethodPost, srv.URL, "x")
	if err == nil || calls.Load() != 1 {
		t.Errorf("POST timing out: err %v after %d calls; want one attempt", err, calls.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls.Store(0)
	time.AfterFunc(20*time.Millisecond, cancel)
	_, _, err = do(t, tr, ctx, http.MethodGet, srv.URL, "")
	if !errors.Is(err, context.Canceled) || calls.Load() != 1 {
		t.Errorf("cancelled: err %v after %d calls; want context.Canceled after 1", err, calls.Load())
	}
}

func TestBreaker(t *testing.T) {
	s := &script{statuses: []int{500, 500, 200}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	tr := httpx.New(nil, fast(httpx.Policy{MaxRetries: -1, BreakerFailures: 2, BreakerCooldown: 50 * time.Millisecond}))
	for range 2 {
		if resp, _, err := do(t, tr, context.Background(), http.MethodGet, srv.URL, ""); err != nil || resp.StatusCode != 500 {
			t.Fatalf("resp %v, err %v", resp, err)
		}
	}
	if _, _, err := do(t, tr, context.Background(), http.MethodGet, srv.URL, ""); !errors.Is(err, httpx.ErrCircuitOpen) {
		t.Fatalf("err = %v, want ErrCircuitOpen", err)
	}
	if tr.BreakerState() != "open" || s.n.Load() != 2 {
		t.Errorf("state %s after %d calls", tr.BreakerState(), s.n.Load())
	}
	time.Sleep(60 * time.Millisecond) // the cooldown, not a speed assertion
	if resp, _, err := do(t, tr, context.Background(), http.MethodGet, srv.URL, ""); err != nil || resp.StatusCode != 200 {
		t.Fatalf("probe: resp %v, err %v", resp, err)
	}
	if tr.BreakerState() != "closed" {
		t.Errorf("state %s after a good probe, want closed", tr.BreakerState())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		d  time.Duration
		ok bool
	}{
		"":                              {0, false},
		"7":                             {7 * time.Second, true},
		"-1":                            {0, false},
		"soon":                          {0, false},
		"Thu, 01 Jan 2026 12:00:30 GMT": {30 * time.Second, true},
		"Thu, 01 Jan 2026 11:00:00 GMT": {0, true},
	}
	for in, want := range cases {
		d, ok := httpx.ParseRetryAfter(in, now)
		if d != want.d || ok != want.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", in, d, ok, want.d, want.ok)
		}
	}
}
