package ingest

import (
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Defaults and bounds of a vendor's limits.
const (
	DefaultMaxPayload = 256 << 10 // bytes of one event
	MaxPayloadCap     = 4 << 20   // the largest limit an admin may set
	DefaultRate       = 200.0     // requests per second
	DefaultBurst      = 400
	maxRate           = 100000.0
	// MaxBatch is the most envelopes one batch request may carry.
	MaxBatch = 500
	// MaxBatchBytes bounds a batch request's body.
	MaxBatchBytes = 32 << 20
)

// VendorSetup is a registry vendor set up to send events: VendorKey is the
// vendorId its envelopes carry (stable, editable), with its limits.
type VendorSetup struct {
	TenantID        string    `json:"-"`
	VendorID        string    `json:"vendor_id" doc:"The registry vendor."`
	VendorName      string    `json:"vendor_name"`
	VendorKey       string    `json:"vendor_key" doc:"The vendorId the vendor's envelopes carry."`
	RatePerSecond   float64   `json:"rate_per_second" doc:"Requests per second allowed (more answer 429 with Retry-After)."`
	Burst           int       `json:"burst" doc:"Requests allowed at once above the rate."`
	MaxPayloadBytes int64     `json:"max_payload_bytes" doc:"Largest request body accepted (more answer 413)."`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// VendorSettings are what an admin sets; zero values take the defaults.
type VendorSettings struct {
	VendorKey       string  `json:"vendor_key" maxLength:"64" doc:"The vendorId of the vendor's envelopes: letters, digits, '.', '_', ':' and '-'."`
	RatePerSecond   float64 `json:"rate_per_second,omitempty" doc:"Requests per second (default 200)."`
	Burst           int     `json:"burst,omitempty" doc:"Burst above the rate (default 400)."`
	MaxPayloadBytes int64   `json:"max_payload_bytes,omitempty" doc:"Largest request body in bytes (default 262144, at most 4194304)."`
}

// check validates s and fills in the defaults.
func (s VendorSettings) check() (VendorSettings, error) {
	var v apperr.Validation
	v.Check(s.VendorKey != "" && len(s.VendorKey) <= maxVendorKey && isToken(s.VendorKey), "vendor_key",
		"use 1-%d letters, digits, '.', '_', ':' and '-'", maxVendorKey)
	if s.RatePerSecond == 0 {
		s.RatePerSecond = DefaultRate
	}
	if s.Burst == 0 {
		s.Burst = DefaultBurst
	}
	if s.MaxPayloadBytes == 0 {
		s.MaxPayloadBytes = DefaultMaxPayload
	}
	v.Check(s.RatePerSecond > 0 && s.RatePerSecond <= maxRate, "rate_per_second", "must be more than 0 and at most %g", maxRate)
	v.Check(s.Burst >= 1 && s.Burst <= 1000000, "burst", "must be 1 to 1000000")
	v.Check(s.MaxPayloadBytes >= 1024 && s.MaxPayloadBytes <= MaxPayloadCap, "max_payload_bytes", "must be 1024 to %d", MaxPayloadCap)
	return s, v.Err()
}

// SigningSecret describes one of a vendor's Standard Webhooks secrets; its
// value is shown once, when created.
type SigningSecret struct {
	ID        string     `json:"id"`
	VendorID  string     `json:"vendor_id"`
	Name      string     `json:"-"` // in the secrets table
	Hint      string     `json:"hint" doc:"The first characters of the secret, to tell secrets apart."`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// VendorDetail is a vendor's ingest set-up with its credentials and counts.
type VendorDetail struct {
	VendorSetup
	Secrets []SigningSecret `json:"secrets" nullable:"false"`
	Keys    []auth.APIKey   `json:"keys" nullable:"false" doc:"Ingest API keys (never their secrets)."`
	Counts  map[Status]int  `json:"counts" doc:"Events by status."`
}
