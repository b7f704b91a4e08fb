package stdwebhook

import (
	"errors"
	"testing"
	"time"
)

// The vector of the Standard Webhooks libraries' tests.
const (
	vecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vecID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vecTS     = "1614265330"
	vecBody   = `{"test": 2432232314}`
	vecSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

var vecTime = time.Unix(1614265330, 0)

func TestSignMatchesTheSpecVector(t *testing.T) {
	got, err := Sign(vecSecret, vecID, 1614265330, []byte(vecBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != vecSig {
		t.Fatalf("Sign = %s, want %s", got, vecSig)
	}
}

func TestVerify(t *testing.T) {
	flipped := []byte(vecBody)
	flipped[3] ^= 1
	other := NewSecret()
	for _, c := range []struct {
		name    string
		secrets []string
		id, ts  string
		sig     string
		body    []byte
		now     time.Time
		want    error
	}{
		{"the spec vector", []string{vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), vecTime, nil},
		{"one flipped bit of the body", []string{vecSecret}, vecID, vecTS, vecSig, flipped, vecTime, ErrSignature},
		{"another id", []string{vecSecret}, "msg_other", vecTS, vecSig, []byte(vecBody), vecTime, ErrSignature},
		{"timestamp 6 minutes old", []string{vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), vecTime.Add(6 * time.Minute), ErrTimestamp},
		{"timestamp 6 minutes ahead", []string{vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), vecTime.Add(-6 * time.Minute), ErrTimestamp},
		{"timestamp 4 minutes old", []string{vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), vecTime.Add(4 * time.Minute), nil},
		{"rotated: old and new secret active", []string{other, vecSecret}, vecID, vecTS, vecSig, []byte(vecBody), vecTime, nil},
		{"rotated: several signatures, one matches", []string{vecSecret}, vecID, vecTS, "v1,Zm9v " + vecSig, []byte(vecBody), vecTime, nil},
		{"only another secret", []string{other}, vecID, vecTS, vecSig, []byte(vecBody), vecTime, ErrSignature},
		{"missing id", []string{vecSecret}, "", vecTS, vecSig, []byte(vecBody), vecTime, ErrSignature},
		{"missing timestamp", []string{vecSecret}, vecID, "", vecSig, []byte(vecBody), vecTime, ErrSignature},
		{"missing signature", []string{vecSecret}, vecID, vecTS, "", []byte(vecBody), vecTime, ErrSignature},
		{"partial signature", []string{vecSecret}, vecID, vecTS, vecSig[:len(vecSig)-8], []byte(vecBody), vecTime, ErrSignature},
		{"unknown version prefix", []string{vecSecret}, vecID, vecTS, "v2" + vecSig[2:], []byte(vecBody), vecTime, ErrSignature},
		{"no version prefix", []string{vecSecret}, vecID, vecTS, vecSig[3:], []byte(vecBody), vecTime, ErrSignature},
		{"non-numeric timestamp", []string{vecSecret}, vecID, "yesterday", vecSig, []byte(vecBody), vecTime, ErrSignature},
		{"no secrets", nil, vecID, vecTS, vecSig, []byte(vecBody), vecTime, ErrSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := Verify(c.secrets, c.id, c.ts, c.sig, c.body, c.now); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestNewSecretSignsAndVerifies(t *testing.T) {
	s := NewSecret()
	sig, err := Sign(s, "msg_1", vecTime.Unix(), []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify([]string{s}, "msg_1", vecTS, sig, []byte("{}"), vecTime); err != nil {
		t.Fatal(err)
	}
}

// TestSignerSignsEachDeliveryAlone: a Signer reused for many deliveries
// gives each the signature it would get alone, the spec vector included,
// so nothing of one delivery leaks into the next.
func TestSignerSignsEachDeliveryAlone(t *testing.T) {
	s, err := NewSigner(vecSecret)
	if err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{`{"first": true}`, vecBody, `{}`, vecBody} {
		id := vecID
		if i%2 == 0 {
			id = "msg_other"
		}
		want, err := Sign(vecSecret, id, 1614265330, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Sign(id, 1614265330, []byte(body)); got != want {
			t.Fatalf("delivery %d: Signer.Sign = %s, want %s", i, got, want)
		}
		if body == vecBody && id == vecID && want != vecSig {
			t.Fatalf("delivery %d: %s, want the vector's %s", i, want, vecSig)
		}
	}
	if _, err := NewSigner("whsec_!!not base64"); err == nil {
		t.Fatal("NewSigner took a secret that is not base64")
	}
}
