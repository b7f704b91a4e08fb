package stdwebhook

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// FuzzVerify: whatever the headers and body, Verify never panics, takes
// a delivery only when its signature header carries the MAC of exactly
// that id, timestamp and body under the secret, and always takes what
// Sign signed.
func FuzzVerify(f *testing.F) {
	f.Add(vecID, vecTS, vecSig, []byte(vecBody))
	f.Add(vecID, vecTS, "v1,"+strings.Repeat("A", 44)+" v2,x v1", []byte(vecBody))
	f.Add("", "", "", []byte(nil))
	f.Add("msg", "+0001614265330", "v1,,", []byte("{}"))
	f.Add("msg", "99999999999999999999", "v1a,b", []byte("{}"))
	k, _ := key(vecSecret)
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		err := Verify([]string{vecSecret}, id, ts, sig, body, vecTime)
		if err == nil && !carries(sig, mac(k, id, ts, body)) {
			t.Errorf("Verify took %q for id %q, timestamp %q, which is not its MAC", sig, id, ts)
		}
		if id == "" {
			return
		}
		signed, err := Sign(vecSecret, id, vecTime.Unix(), body)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify([]string{vecSecret}, id, vecTS, signed, body, vecTime.Add(time.Second)); err != nil {
			t.Errorf("Verify refused what Sign signed (id %q): %v", id, err)
		}
	})
}

// carries reports whether a signature header holds a v1 signature of
// exactly want.
func carries(header string, want []byte) bool {
	for _, f := range strings.Fields(header) {
		if v, sig, ok := strings.Cut(f, ","); ok && v == "v1" {
			if b, err := base64.StdEncoding.DecodeString(sig); err == nil && string(b) == string(want) {
				return true
			}
		}
	}
	return false
}
