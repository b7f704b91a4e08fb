// Package stdwebhook signs and verifies Standard Webhooks deliveries
// (standardwebhooks.com): HMAC-SHA256 over "id.timestamp.body" under a
// "whsec_<base64>" secret, sent as "v1,<base64>" signatures in the
// webhook-signature header. Several signatures and several secrets may be
// in play at once; any match verifies, which is how secrets rotate.
package stdwebhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"strings"
	"time"
)

// Tolerance is how far a delivery's timestamp may be from the receiver's
// clock, either way.
const Tolerance = 5 * time.Minute

// SecretPrefix starts every secret.
const SecretPrefix = "whsec_"

// Verification failures. ErrTimestamp is told apart so a sender with a
// wrong clock learns why; every other failure is ErrSignature.
var (
	ErrSignature = errors.New("the signature does not verify")
	ErrTimestamp = errors.New("the timestamp is more than 5 minutes from our clock")
)

// NewSecret returns a fresh secret: "whsec_" and 32 random bytes in base64.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // only fails when crypto/rand does
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// key decodes a secret; ok is false when it is not base64 or empty.
func key(secret string) ([]byte, bool) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	return k, err == nil && len(k) > 0
}

// Sign returns the "v1,<base64>" signature of body under secret.
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	s, err := NewSigner(secret)
	if err != nil {
		return "", err
	}
	return s.Sign(id, timestamp, body), nil
}

// Signer signs many deliveries under one secret: the secret is decoded
// and the MAC keyed once, so a sender of many deliveries pays only for
// hashing each one. Not for concurrent use.
type Signer struct {
	m   hash.Hash
	buf []byte
}

// NewSigner decodes secret for signing.
func NewSigner(secret string) (*Signer, error) {
	k, ok := key(secret)
	if !ok {
		return nil, errors.New("the secret is not whsec_ and base64")
	}
	return &Signer{m: hmac.New(sha256.New, k)}, nil
}

// Sign returns the "v1,<base64>" signature of body.
func (s *Signer) Sign(id string, timestamp int64, body []byte) string {
	s.m.Reset()
	s.buf = append(strconv.AppendInt(append(append(s.buf[:0], id...), '.'), timestamp, 10), '.')
	s.m.Write(s.buf)
	s.m.Write(body)
	var sum [sha256.Size]byte
	return "v1," + base64.StdEncoding.EncodeToString(s.m.Sum(sum[:0]))
}

func mac(key []byte, id, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery on its raw body, before anything parses it:
// the headers must be present, the timestamp within Tolerance of now, and
// one "v1" signature must match the MAC under one of secrets (compared in
// constant time, every pair compared whichever matches).
func Verify(secrets []string, id, timestamp, signature string, body []byte, now time.Time) error {
	if id == "" || timestamp == "" || signature == "" {
		return ErrSignature
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Tolerance || d < -Tolerance {
		return ErrTimestamp
	}
	var given [][]byte
	for _, s := range strings.Fields(signature) {
		v, sig, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		if b, err := base64.StdEncoding.DecodeString(sig); err == nil {
			given = append(given, b)
		}
	}
	ok := false
	for _, sec := range secrets {
		k, valid := key(sec)
		if !valid {
			continue
		}
		want := mac(k, id, timestamp, body)
		for _, g := range given {
			if hmac.Equal(want, g) {
				ok = true // keep comparing: the time taken does not depend on which matched
			}
		}
	}
	if !ok {
		return ErrSignature
	}
	return nil
}
