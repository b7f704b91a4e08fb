package gitea

import (
	"net/http"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// Webhook is Gitea's delivery scheme: X-Gitea-Signature carries the bare
// hex HMAC-SHA256 of the body, X-Gitea-Delivery the delivery's id,
// X-Gitea-Event the event; the payload is shaped as GitHub's.
var Webhook = &tracker.Webhook{
	Verify: func(h http.Header, body, secret []byte) error {
		return tracker.VerifyHMACHex(h.Get("X-Gitea-Signature"), "", body, secret)
	},
	DeliveryID: func(h http.Header, _ []byte) string { return h.Get("X-Gitea-Delivery") },
	Event:      func(h http.Header, _ []byte) string { return h.Get("X-Gitea-Event") },
	Parse:      forge.ParseIssueEvent,
}
