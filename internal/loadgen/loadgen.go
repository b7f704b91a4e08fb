// Package loadgen holds what the load tools (`vendorsync bench …`) share:
// the server URL they are pointed at, an HTTP client sized to the load and
// latency percentiles.
package loadgen

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// BaseURL checks a server's base URL (http://host:port) and trims its
// trailing slash.
func BaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("--url must be the server's base URL, such as http://127.0.0.1:8080")
	}
	return strings.TrimRight(raw, "/"), nil
}

// Client is an HTTP client that keeps a connection per request in flight,
// so a load of concurrency requests never waits on dialling. It uses
// net/http directly on purpose: the retries and breaker of httpx would
// distort the figures of the server under load.
func Client(concurrency int, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		MaxConnsPerHost:     concurrency,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// Percentiles of a latency sample.
type Percentiles struct {
	P50, P95, P99, Max time.Duration
}

// Summarize sorts d and returns its percentiles.
func Summarize(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return Percentiles{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: d[len(d)-1]}
}
