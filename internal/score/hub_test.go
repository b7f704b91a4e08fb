package score

import (
	"strconv"
	"testing"
	"time"
)

// The Standard Webhooks vector (from the specification's libraries).
const (
	vecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vecID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vecTS     = "1614265330"
	vecBody   = `{"test": 2432232314}`
	vecSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestVerifyHubVectors(t *testing.T) {
	at := time.Unix(1614265330, 0)
	flipped := []byte(vecBody)
	flipped[3] ^= 1
	for _, c := range []struct {
		name    string
		secrets []string
		id, ts  string
		sig     string
		body    []byte
		now     time.Time
		ok      bool
	}{
		{"valid", []string{vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), at, true},
		{"valid among several signatures", []string{vecSecret}, vecID, vecTS, "v1,Zm9v " + vecSig, []byte(vecBody), at, true},
		{"valid with a rotated secret", []string{"whsec_c2VjcmV0", vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), at, true},
		{"4 minutes late", []string{vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), at.Add(4 * time.Minute), true},
		{"flipped bit in the body", []string{vecSecret}, vecID, vecTS, vecSig, flipped, at, false},
		{"stale timestamp", []string{vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), at.Add(HubTolerance + time.Second), false},
		{"future timestamp", []string{vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), at.Add(-HubTolerance - time.Second), false},
		{"other id", []string{vecSecret}, "msg_other", vecTS, vecSig, []byte(vecBody), at, false},
		{"partial signature", []string{vecSecret}, vecID, vecTS, vecSig[:len(vecSig)-4], []byte(vecBody), at, false},
		{"unknown version", []string{vecSecret}, vecID, vecTS, "v2" + vecSig[2:], []byte(vecBody), at, false},
		{"missing id", []string{vecSecret}, "", vecTS, vecSig, []byte(vecBody), at, false},
		{"missing signature", []string{vecSecret}, vecID, vecTS, "", []byte(vecBody), at, false},
		{"bad timestamp", []string{vecSecret}, vecID, "soon", vecSig, []byte(vecBody), at, false},
		{"no secret", nil, vecID, vecTS, vecSig, []byte(vecBody), at, false},
		{"timestamp moved", []string{vecSecret}, vecID, strconv.Itoa(1614265331), vecSig, []byte(vecBody), at, false},
	} {
		err := VerifyHub(c.secrets, c.id, c.ts, c.sig, c.body, c.now)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
