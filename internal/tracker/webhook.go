package tracker

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"
)

// MaxWebhookBody is the largest webhook delivery accepted: larger bodies
// are refused (413) before any signature work, so an unauthenticated
// sender cannot make the server hash megabytes.
const MaxWebhookBody = 1 << 20

// ErrSignature is why a delivery is rejected: its signature header is
// missing, malformed, or does not match the connection's secret. Which of
// these is not told apart, to the sender or in the error.
var ErrSignature = errors.New("the webhook signature is missing or does not verify")

// Webhook is how one tracker signs, names and describes its webhook
// deliveries. Verify runs on the raw bytes before anything parses them.
type Webhook struct {
	// Verify checks the delivery's signature over body under secret, in
	// constant time; ErrSignature on any failure.
	Verify func(h http.Header, body, secret []byte) error
	// DeliveryID is the delivery's own id, the same on every redelivery;
	// "" when the delivery carries none.
	DeliveryID func(h http.Header, body []byte) string
	// Event names the delivery's event (issues, Issue Hook,
	// jira:issue_updated), for the delivery log and for Parse.
	Event func(h http.Header, body []byte) string
	// Parse reads the issue the delivery is about: its key and state as a
	// search would return them. False when the delivery is about
	// something else (a pull request, a comment, a ping).
	Parse func(event string, body []byte) (Issue, bool, error)
}

// VerifyHMACHex checks that header is prefix followed by the hex HMAC-SHA256
// of body under secret (GitHub's "sha256=…", Gitea's bare hex), comparing
// in constant time.
func VerifyHMACHex(header, prefix string, body, secret []byte) error {
	if len(secret) == 0 || !strings.HasPrefix(header, prefix) {
		return ErrSignature
	}
	got, err := hex.DecodeString(strings.TrimSpace(header[len(prefix):]))
	if err != nil || len(got) != sha256.Size {
		return ErrSignature
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrSignature
	}
	return nil
}

// VerifyToken checks a shared token sent as is (GitLab's X-Gitlab-Token)
// against secret in constant time.
func VerifyToken(token string, secret []byte) error {
	if len(secret) == 0 || token == "" || subtle.ConstantTimeCompare([]byte(token), secret) != 1 {
		return ErrSignature
	}
	return nil
}

// SignHMACHex is the signature VerifyHMACHex accepts, for registering
// hooks in tests and in-process trackers.
func SignHMACHex(prefix string, body, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return prefix + hex.EncodeToString(mac.Sum(nil))
}

// ParseTime reads a tracker's timestamp in RFC 3339 (forges) or Jira's
// "2006-01-02T15:04:05.000-0700"; zero when it is neither.
func ParseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02 15:04:05 MST"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
