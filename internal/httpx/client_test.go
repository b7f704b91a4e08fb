package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/obs"
)

// counting is a base transport that counts the attempts it carries.
type counting struct{ n atomic.Int32 }

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(req)
}

func TestNewClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere?token=x", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	base := &counting{}
	c := httpx.NewClient("test", fast(httpx.Policy{}), httpx.WithBase(&http.Client{Transport: base, Timeout: 7 * time.Second}),
		httpx.WithoutRedirects())
	if c.Timeout != 7*time.Second {
		t.Errorf("timeout %v: the base client's overall timeout was lost", c.Timeout)
	}
	if httpx.TransportOf(c) == nil || httpx.TransportOf(c).BreakerState() != "closed" {
		t.Fatal("TransportOf does not find the httpx transport")
	}
	if httpx.TransportOf(http.DefaultClient) != nil {
		t.Error("TransportOf found a transport in a plain client")
	}
	resp, err := c.Get(srv.URL + "/moved")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || base.n.Load() != 1 {
		t.Errorf("redirect: status %d after %d attempts; want the 302 itself", resp.StatusCode, base.n.Load())
	}
	follow := httpx.NewClient("test", httpx.Policy{})
	resp, err = follow.Get(srv.URL + "/moved")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("a client without WithoutRedirects did not follow: %d", resp.StatusCode)
	}
}

func TestMetricsPerUpstream(t *testing.T) {
	m := obs.NewMetrics()
	s := &script{statuses: []int{503, 200, 500, 500}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := httpx.NewClient("jira", fast(httpx.Policy{Name: "jira https://acme.example", BreakerFailures: 2, BreakerCooldown: 50 * time.Millisecond}),
		httpx.WithTelemetry(httpx.Telemetry{Metrics: m}))
	get := func() {
		t.Helper()
		resp, err := c.Get(srv.URL + "/rest/api/3/issue/PAY-1")
		if err == nil {
			resp.Body.Close()
		}
	}
	get() // 503, then 200
	out := m.Outbound
	checks := map[string]float64{
		"5xx":     value(t, out.Requests.WithLabelValues("jira", "GET", "5xx")),
		"2xx":     value(t, out.Requests.WithLabelValues("jira", "GET", "2xx")),
		"retries": value(t, out.Retries.WithLabelValues("jira", "status")),
	}
	for name, want := range map[string]float64{"5xx": 1, "2xx": 1, "retries": 1} {
		if checks[name] != want {
			t.Errorf("%s = %v, want %v", name, checks[name], want)
		}
	}
	if n := series(out.Duration); n != 1 {
		t.Errorf("%d duration series, want 1 (jira GET)", n)
	}

	get() // 500, 500: the breaker opens and refuses the third try
	if got := value(t, out.BreakersOpen.WithLabelValues("jira")); got != 1 {
		t.Errorf("open breakers = %v, want 1", got)
	}
	if got := value(t, out.BreakerTransitions.WithLabelValues("jira", "open")); got != 1 {
		t.Errorf("transitions to open = %v, want 1", got)
	}
	if got := value(t, out.Requests.WithLabelValues("jira", "GET", "breaker_open")); got != 1 {
		t.Errorf("refused attempts = %v, want 1", got)
	}
	time.Sleep(60 * time.Millisecond) // the cooldown, not a speed assertion
	healthy := httptest.NewServer(&script{statuses: []int{200}})
	defer healthy.Close()
	if resp, err := c.Get(healthy.URL); err == nil {
		resp.Body.Close()
	}
	if got := value(t, out.BreakersOpen.WithLabelValues("jira")); got != 0 {
		t.Errorf("open breakers after a good probe = %v, want 0", got)
	}
	if text := gathered(t, m); strings.Contains(text, "acme.example") || strings.Contains(text, "PAY-1") {
		t.Errorf("the metrics carry a URL or an id; the upstream label must stay the configured name:\n%s", text)
	}
}

// value reads a counter or a gauge.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

// series counts the series a collector has.
func series(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric, 100)
	c.Collect(ch)
	close(ch)
	return len(ch)
}

// gathered is the registry's exposition text.
func gathered(t *testing.T, m *obs.Metrics) string {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		b.WriteString(mf.String())
	}
	return b.String()
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := httpx.NewClient("slack", httpx.Policy{}, httpx.WithTelemetry(httpx.Telemetry{Logger: logger}))
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/chat.postMessage?token=xoxb-query-secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer xoxb-header-secret")
	req.Header.Set("Cookie", "d=cookie-secret")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	line := logs.String()
	for _, want := range []string{`"upstream":"slack"`, `"method":"GET"`, `"path":"/api/chat.postMessage"`, `"status":418`, `"attempt":1`, `"duration_ms"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log lacks %s: %s", want, line)
		}
	}
	for _, secret := range []string{"query-secret", "header-secret", "cookie-secret", "token="} {
		if strings.Contains(line, secret) {
			t.Errorf("log shows %q: %s", secret, line)
		}
	}
	logs.Reset()
	quiet := httpx.NewClient("slack", httpx.Policy{}, httpx.WithTelemetry(httpx.Telemetry{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}))
	if resp, err := quiet.Get(srv.URL); err == nil {
		resp.Body.Close()
	}
	if logs.Len() != 0 {
		t.Errorf("attempts logged above debug level: %s", logs.String())
	}
}

func TestCallErrorCodes(t *testing.T) {
	ctx := context.Background()
	urlErr := &url.Error{Op: "Get", URL: "https://gmail.example/messages?pageToken=secret#frag", Err: errors.New("connection refused")}
	e := httpx.CallError(ctx, "gmail", "list", urlErr)
	if e.Kind != httpx.Transient || e.Code != httpx.CodeNetwork || strings.Contains(e.Error(), "secret") ||
		!strings.Contains(e.Error(), "https://gmail.example/messages") {
		t.Errorf("network: %+v (%v)", e, e)
	}
	if e := httpx.CallError(ctx, "jira", "search", context.DeadlineExceeded); e.Code != httpx.CodeTimeout {
		t.Errorf("attempt timeout: code %q", e.Code)
	}
	if e := httpx.CallError(ctx, "jira", "search", errors.Join(httpx.ErrCircuitOpen)); e.Code != httpx.CodeCircuitOpen {
		t.Errorf("open breaker: code %q", e.Code)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if e := httpx.CallError(cctx, "jira", "search", errors.New("boom")); e.Code != httpx.CodeCanceled || !errors.Is(e, context.Canceled) {
		t.Errorf("caller gave up: %+v", e)
	}
	inner := &httpx.Error{Upstream: "jira", Kind: httpx.Auth}
	if e := httpx.CallError(ctx, "jira", "search", inner); e != inner {
		t.Errorf("an already classified error was classified again: %+v", e)
	}
}

func TestStatusErrorAt(t *testing.T) {
	now := time.Date(2027, 4, 13, 8, 0, 0, 0, time.UTC)
	resp := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}}
	e := httpx.StatusErrorAt("pagerduty", "enqueue", resp, "503", "", now)
	if e.Kind != httpx.Transient || e.RetryAfter != 90*time.Second || e.Code != "503" {
		t.Errorf("503 with a date = %+v", e)
	}
}
