package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// Kinds of objects, the second segment of every key.
const (
	KindRawEmail     = "raw-email"
	KindAttachment   = "attachment"
	KindEventPayload = "event-payload"
	KindVendorFile   = "vendor-file"
	KindReport       = "report"
	KindPriceExport  = "price-export"
)

// Key is the deterministic, content-addressed key of an object of a tenant:
// <tenant>/<kind>/<yyyy>/<mm>/<sha256>. The same content received twice in
// a month lands on the same key, so a replayed input is stored once; the
// month comes from when it was received (UTC), which keeps directories small
// and lets retention work month by month.
func Key(tenantID, kind string, received time.Time, sha256Hex string) string {
	return tenantID + "/" + kind + "/" + received.UTC().Format("2006/01") + "/" + sha256Hex
}

// SHA256 returns the hex SHA-256 of b, for Key.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// SHA256Reader returns the hex SHA-256 and length of everything r yields.
func SHA256Reader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// ValidKey rejects keys that could escape a directory or that S3 and the
// local directory would store differently.
func ValidKey(key string) error {
	switch {
	case key == "", len(key) > 512:
		return apperr.Invalidf("blob key must be 1 to 512 characters")
	case strings.HasPrefix(key, "/"), strings.HasSuffix(key, "/"), strings.Contains(key, "//"):
		return apperr.Invalidf("blob key %q has an empty path segment", key)
	case strings.HasPrefix(key, "."):
		// The local directory keeps its own files (the pack) under such names.
		return apperr.Invalidf("blob key %q may not start with a dot", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "." || seg == ".." || strings.HasSuffix(seg, ".attrs") {
			return apperr.Invalidf("blob key %q has a reserved path segment", key)
		}
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./=", c)) {
			return apperr.Invalidf("blob key %q may only use letters, digits and - _ . / =", key)
		}
	}
	return nil
}
