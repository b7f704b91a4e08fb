package score

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/ident"
)

// BandEvent is a vendor moving from one band to another. Its payload is
// frozen when it happens: every notification about it, and every retry,
// renders from the payload alone, so renaming the tenant or the vendor
// later changes no byte of the message.
type BandEvent struct {
	ID        string      `json:"id"`
	TenantID  string      `json:"-"`
	VendorID  string      `json:"vendor_id"`
	From      Band        `json:"from_band"`
	To        Band        `json:"to_band"`
	Score     *float64    `json:"score"`
	Payload   BandPayload `json:"delivery_payload"`
	CreatedAt time.Time   `json:"created_at"`
}

// BandPayload is everything a band-crossing message shows, as text.
type BandPayload struct {
	Tenant       string         `json:"tenant"`
	Vendor       string         `json:"vendor"`
	VendorID     string         `json:"vendor_id"`
	From         string         `json:"from"`
	To           string         `json:"to"`
	ToBand       Band           `json:"to_band"`
	Score        string         `json:"score"`
	Previous     string         `json:"previous"`
	RuleVersion  int            `json:"rule_version"`
	Contributors []PayloadPoint `json:"contributors"`
	TakenAt      time.Time      `json:"taken_at"`
	Path         string         `json:"path"`
}

// PayloadPoint is one contributor as a message shows it.
type PayloadPoint struct {
	Label  string `json:"label"`
	Points string `json:"points"`
}

// FormatScore writes a score as every output shows it: one decimal, or
// "no data".
func FormatScore(s *float64) string {
	if s == nil {
		return "no data"
	}
	return strconv.FormatFloat(*s, 'f', 1, 64)
}

// VendorPath is the vendor's score page.
func VendorPath(vendorID string) string { return "/vendors/" + vendorID + "/score" }

// bandEvent freezes the crossing from prev to now.
func (s *Service) bandEvent(ctx context.Context, prev, now VendorScore) (BandEvent, error) {
	tenant, err := s.Store.TenantName(ctx, now.TenantID)
	if err != nil {
		return BandEvent{}, fmt.Errorf("band event: %w", err)
	}
	v, err := s.Store.Vendor(ctx, now.TenantID, now.VendorID)
	if err != nil {
		return BandEvent{}, fmt.Errorf("band event: %w", err)
	}
	p := BandPayload{Tenant: tenant, Vendor: v.Name, VendorID: v.ID, From: prev.Band.Label(), To: now.Band.Label(), ToBand: now.Band,
		Score: FormatScore(now.Score), Previous: FormatScore(prev.Score), RuleVersion: now.RuleVersion,
		TakenAt: now.ComputedAt.Truncate(time.Second), Path: VendorPath(v.ID), Contributors: []PayloadPoint{}}
	for _, c := range now.Contributors {
		p.Contributors = append(p.Contributors, PayloadPoint{Label: c.Label, Points: strconv.FormatFloat(c.Points, 'f', 1, 64)})
	}
	return BandEvent{ID: ident.New(), TenantID: now.TenantID, VendorID: now.VendorID, From: prev.Band, To: now.Band,
		Score: now.Score, Payload: p, CreatedAt: now.ComputedAt}, nil
}

// Text is the score as every page shows it: one decimal, or "no data".
func (r Result) Text() string { return FormatScore(r.Score) }

// PointsText is the contributor's points to one decimal.
func (c Contributor) PointsText() string { return strconv.FormatFloat(c.Points, 'f', 1, 64) }

// SharePercent is the contributor's share of the score in whole percent.
func (c Contributor) SharePercent() string { return strconv.FormatFloat(c.Share*100, 'f', 0, 64) + "%" }

// SharePercents are the contributors' shares in whole percent, in order,
// apportioned by largest remainder so that they add up to 100% exactly as
// the points add up to the score; all "0%" when the score is 0 or no data.
func (r Result) SharePercents() []string {
	pts := make([]float64, len(r.Contributors))
	for i, c := range r.Contributors {
		pts[i] = c.Points
	}
	total := 0
	if r.Score != nil && *r.Score > 0 {
		total = 100
	}
	out := make([]string, len(pts))
	for i, n := range apportion(pts, total) {
		out[i] = strconv.Itoa(n) + "%"
	}
	return out
}

// BarWidth is the contributor's share as a bar of up to 200 pixels.
func (c Contributor) BarWidth() float64 { return 200 * c.Share }

// ValueText is the signal's value as submitted, or "none".
func (s Signal) ValueText() string {
	if s.Value == nil {
		return "none"
	}
	return strconv.FormatFloat(*s.Value, 'g', -1, 64)
}

// ValueShown is the signal's value for a person: in its unit when the
// catalog knows the code (20% for a ratio of 0.2, 9 days, 93/100), else as
// submitted.
func (s Signal) ValueShown() string {
	d, ok := Lookup(s.Code)
	if s.Value == nil || !ok {
		return s.ValueText()
	}
	return d.Format(*s.Value)
}

// RefText describes the vendor_ref as sent.
func (s Signal) RefText() string {
	var parts []string
	for _, p := range [][2]string{{"id", s.VendorRef.ID}, {"external id", s.VendorRef.ExternalID}, {"domain", s.VendorRef.Domain}, {"name", s.VendorRef.Name}} {
		if p[1] != "" {
			parts = append(parts, p[0]+" "+p[1])
		}
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}
