package github

import (
	"net/http"

	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
)

// Webhook is GitHub's delivery scheme: X-Hub-Signature-256 carries
// "sha256=" and the hex HMAC-SHA256 of the body, X-GitHub-Delivery the
// delivery's GUID (kept on redelivery), X-GitHub-Event the event.
var Webhook = &tracker.Webhook{
	Verify: func(h http.Header, body, secret []byte) error {
		return tracker.VerifyHMACHex(h.Get("X-Hub-Signature-256"), "sha256=", body, secret)
	},
	DeliveryID: func(h http.Header, _ []byte) string { return h.Get("X-GitHub-Delivery") },
	Event:      func(h http.Header, _ []byte) string { return h.Get("X-GitHub-Event") },
	Parse:      forge.ParseIssueEvent,
}
