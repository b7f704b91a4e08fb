// Package pagerduty pages the on-call through PagerDuty's Events API v2:
// one trigger event per notification, deduplicated by PagerDuty on the
// event's key (ticket + threshold), so a retried or replayed page never
// opens a second incident.
package pagerduty

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// DefaultBaseURL is PagerDuty's Events API.
const DefaultBaseURL = "https://events.pagerduty.com"

// Config is a tenant's PagerDuty service.
type Config struct {
	// RoutingKey is the service's Events API v2 integration key, decrypted
	// by the caller from the tenant's secrets.
	RoutingKey string
	// BaseURL is DefaultBaseURL when empty; tests point it at an
	// in-process server.
	BaseURL string
	// Source is the event's payload.source; "vendorsync" when empty.
	Source string
	// HTTPClient carries the calls under the httpx layer; nil means the
	// default transport.
	HTTPClient *http.Client
	// Telemetry receives the calls' metrics and debug logs.
	Telemetry httpx.Telemetry
	// Now reads the clock for waits asked for as a date; time.Now when nil.
	Now func() time.Time
}

// upstream names PagerDuty in errors, metrics and logs.
const upstream = "pagerduty"

// policy bounds each call to 30 seconds and waits out only short rate
// limits in place: a longer wait goes back to the delivery job, which
// snoozes for it instead of holding a worker. A 5xx is not retried here
// (the enqueue is a POST); the job retries it.
var policy = httpx.Policy{AttemptTimeout: 30 * time.Second, MaxRetryAfter: 5 * time.Second}

// Client sends events to one PagerDuty service. It is a notify.Channel.
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.RoutingKey) == "" {
		return nil, errors.New("pagerduty.New: no routing key configured")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Source == "" {
		cfg.Source = "vendorsync"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := httpx.NewClient(upstream, policy, httpx.WithBase(cfg.HTTPClient), httpx.WithTelemetry(cfg.Telemetry))
	return &Client{cfg: cfg, http: hc}, nil
}

// event is an Events API v2 event, as documented.
type event struct {
	RoutingKey  string  `json:"routing_key"`
	EventAction string  `json:"event_action"`
	DedupKey    string  `json:"dedup_key,omitempty"`
	Payload     payload `json:"payload"`
	Links       []link  `json:"links,omitempty"`
	Client      string  `json:"client,omitempty"`
	ClientURL   string  `json:"client_url,omitempty"`
}

type payload struct {
	Summary       string            `json:"summary"`
	Source        string            `json:"source"`
	Severity      string            `json:"severity"`
	Timestamp     string            `json:"timestamp,omitempty"`
	Class         string            `json:"class,omitempty"`
	CustomDetails map[string]string `json:"custom_details,omitempty"`
}

type link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// response is the API's answer, on success and on a refused event.
type response struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

// Severity maps a VendorSync severity onto PagerDuty's four levels.
func Severity(s registry.Severity) string {
	switch s {
	case registry.SeverityCritical:
		return "critical"
	case registry.SeverityHigh:
		return "error"
	case registry.SeverityMedium:
		return "warning"
	}
	return "info"
}

// Event builds the trigger event for m. It reads only m and the config,
// so a retry sends the same body.
func (c *Client) Event(m notify.Message) ([]byte, error) {
	details := map[string]string{}
	for _, f := range m.Fields {
		details[f.Label] = f.Value
	}
	if len(m.Lines) > 0 {
		details["Details"] = strings.Join(m.Lines, "\n\n")
	}
	ev := event{
		RoutingKey: c.cfg.RoutingKey, EventAction: "trigger", DedupKey: clip(m.DedupKey, 255),
		Payload: payload{Summary: clip(m.Title, 1024), Source: c.cfg.Source, Severity: Severity(m.Severity),
			Class: string(m.Kind), CustomDetails: details},
		Client: "VendorSync", ClientURL: m.Link,
	}
	if !m.Time.IsZero() {
		ev.Payload.Timestamp = m.Time.UTC().Format(time.RFC3339)
	}
	if m.Link != "" {
		ev.Links = []link{{Href: m.Link, Text: m.LinkText}}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("pagerduty: encode event: %w", err)
	}
	return b, nil
}

// Send triggers an event for m and returns its dedup key. The target only
// names the service for the notification log: the routing key decides
// where the page goes.
func (c *Client) Send(ctx context.Context, _ notify.Target, m notify.Message) (string, error) {
	const op = "enqueue"
	body, err := c.Event(m)
	if err != nil {
		return "", &httpx.Error{Upstream: upstream, Op: op, Kind: httpx.Permanent, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/v2/enqueue", bytes.NewReader(body))
	if err != nil {
		return "", &httpx.Error{Upstream: upstream, Op: op, Kind: httpx.Permanent, Err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", httpx.CallError(ctx, upstream, op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", httpx.CallError(ctx, upstream, op, fmt.Errorf("read answer: %w", err))
	}
	var r response
	// A body that is not JSON (an outage page) leaves r empty; the status
	// code alone decides then, so the decode error is not needed.
	_ = json.Unmarshal(raw, &r)
	if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK {
		if r.DedupKey == "" {
			r.DedupKey = m.DedupKey
		}
		return r.DedupKey, nil
	}
	msg := strings.TrimSpace(r.Message + " " + strings.Join(r.Errors, "; "))
	return "", httpx.StatusErrorAt(upstream, op, resp, strconv.Itoa(resp.StatusCode), msg, c.cfg.Now())
}

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
