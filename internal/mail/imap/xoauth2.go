package imap

import (
	"fmt"

	"github.com/emersion/go-sasl"
)

// xoauth2 is the SASL XOAUTH2 mechanism used by Gmail and Microsoft 365
// (https://developers.google.com/gmail/imap/xoauth2-protocol).
type xoauth2 struct {
	username, token string
}

var _ sasl.Client = (*xoauth2)(nil)

// Start sends the initial response "user=…^Aauth=Bearer …^A^A".
func (a *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + a.username + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

// Next is only called when the server rejects the token: its challenge is a
// JSON error document. Ending the exchange with that error (the connection
// is closed right after) reports why instead of a bare NO.
func (a *xoauth2) Next(challenge []byte) ([]byte, error) {
	return nil, &xoauth2Error{detail: string(challenge)}
}

// xoauth2Error is the server's reason for rejecting an access token.
type xoauth2Error struct{ detail string }

// Error reports the server's JSON reason.
func (e *xoauth2Error) Error() string {
	return fmt.Sprintf("XOAUTH2 rejected: %s", e.detail)
}
