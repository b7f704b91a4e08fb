package score

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// TestVerifyHub checks how hub verification answers; the signature
// scheme itself, with the specification's vectors, is tested in
// internal/stdwebhook.
func TestVerifyHub(t *testing.T) {
	at := time.Unix(1700000000, 0)
	secret := stdwebhook.NewSecret()
	body := []byte(`{"signals":[]}`)
	sig, err := stdwebhook.Sign(secret, "msg_1", at.Unix(), body)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	if err := VerifyHub([]string{secret}, "msg_1", ts, sig, body, at); err != nil {
		t.Errorf("valid delivery: %v", err)
	}
	err = VerifyHub([]string{secret}, "msg_1", ts, sig, body, at.Add(HubTolerance+time.Second))
	if !apperr.Is(err, apperr.Unauthorized) || !strings.Contains(apperr.MessageOf(err), "timestamp") {
		t.Errorf("stale delivery: %v, want unauthorized naming the timestamp", err)
	}
	err = VerifyHub([]string{stdwebhook.NewSecret()}, "msg_1", ts, sig, body, at)
	if !apperr.Is(err, apperr.Unauthorized) || apperr.MessageOf(err) != "the signature does not verify" {
		t.Errorf("other secret: %v", err)
	}
}
