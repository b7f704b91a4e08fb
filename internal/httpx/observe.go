package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/vendorsync/vendorsync/internal/obs"
)

// Classes of an attempt's outcome in the requests metric, besides the
// status classes "1xx"…"5xx".
const (
	classError       = "error"        // no response arrived
	classBreakerOpen = "breaker_open" // the breaker refused the attempt
)

// Reasons for a retry in the retries metric.
const (
	reasonRateLimited = "rate_limited"
	reasonStatus      = "status"
	reasonError       = "error"
)

// observer reports one Transport's attempts, retries and breaker changes.
// Its zero value (no telemetry) reports nothing.
type observer struct {
	upstream string
	metrics  *obs.OutboundMetrics
	logger   *slog.Logger
	gauge    *breakerGauge
}

// breakerGauge is one breaker's share of the open-breakers gauge. It is
// kept apart from the Transport so that a Transport dropped while its
// breaker is open can take its share back when it is collected.
type breakerGauge struct {
	open  atomic.Bool
	gauge prometheus.Gauge
}

func (g *breakerGauge) set(open bool) {
	if g.open.Swap(open) != open {
		if open {
			g.gauge.Inc()
		} else {
			g.gauge.Dec()
		}
	}
}

func newObserver(upstream string, t Telemetry) *observer {
	if upstream == "" {
		upstream = unnamed
	}
	o := &observer{upstream: upstream, logger: t.Logger}
	if t.Metrics != nil {
		o.metrics = &t.Metrics.Outbound
		o.gauge = &breakerGauge{gauge: o.metrics.BreakersOpen.WithLabelValues(upstream)}
	}
	return o
}

// watch takes t's share of the open-breakers gauge back when t is
// collected, so a connection replaced while its breaker was open does not
// count as open forever.
func (o *observer) watch(t *Transport) {
	if o.gauge != nil {
		runtime.AddCleanup(t, func(g *breakerGauge) { g.set(false) }, o.gauge)
	}
}

// breakerChanged is the breaker's OnStateChange.
func (o *observer) breakerChanged(_ string, _, to gobreaker.State) {
	if o.metrics == nil {
		return
	}
	o.metrics.BreakerTransitions.WithLabelValues(o.upstream, to.String()).Inc()
	o.gauge.set(to == gobreaker.StateOpen)
}

// retried counts a repeated attempt.
func (o *observer) retried(reason string) {
	if o.metrics != nil {
		o.metrics.Retries.WithLabelValues(o.upstream, reason).Inc()
	}
}

// attempted records one attempt: class is the status class, classError or
// classBreakerOpen; status is 0 without a response.
func (o *observer) attempted(req *http.Request, n int, status int, class string, took time.Duration, err error) {
	method := methodLabel(req.Method)
	if o.metrics != nil {
		o.metrics.Requests.WithLabelValues(o.upstream, method, class).Inc()
		if class != classBreakerOpen {
			o.metrics.Duration.WithLabelValues(o.upstream, method).Observe(took.Seconds())
		}
	}
	ctx := req.Context()
	if o.logger == nil || !o.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	// Never headers (Authorization, cookies, API keys) and never the query
	// (page tokens, signed URLs): what was called, and how it went.
	attrs := []slog.Attr{
		slog.String("upstream", o.upstream), slog.String("method", req.Method),
		slog.String("host", req.URL.Host), slog.String("path", req.URL.Path),
		slog.Int("attempt", n), slog.Int64("duration_ms", took.Milliseconds()),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	o.logger.LogAttrs(context.WithoutCancel(ctx), slog.LevelDebug, "outbound "+class, attrs...)
}

// statusClass is "2xx" for 200…299 and so on.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// methodLabel keeps the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
