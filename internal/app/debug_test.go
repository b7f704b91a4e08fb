package app_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/app"
)

// TestDebugAddrServesProfilesApart: --debug-addr serves the runtime
// profiles on their own address, and the product's port never does.
func TestDebugAddrServesProfilesApart(t *testing.T) {
	// Port 0: serve logs the address it listens on (a port picked here
	// and closed again could be taken by another test's server meanwhile).
	s := startServe(t, envOf(), "--debug-addr", "127.0.0.1:0")
	served := regexp.MustCompile(`"msg":"runtime profiles served","addr":"([^"]+)"`)
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; time.Sleep(50 * time.Millisecond) {
		if m := served.FindStringSubmatch(s.Stderr.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve did not log the address of its runtime profiles:\n%s", s.Stderr.String())
		}
	}

	res, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile:") {
		t.Fatalf("debug address: %d %.200s", res.StatusCode, body)
	}

	c := browser(t)
	res, err = c.Get(s.URL + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(body), "goroutine profile:") {
		t.Fatalf("the product's port serves runtime profiles (%d)", res.StatusCode)
	}
}

// TestDebugAddrRefusesABadAddress: an address that cannot be listened on
// stops serve with a message naming the flag.
func TestDebugAddrRefusesABadAddress(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := app.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--debug-addr", "256.1.1.1:6060"},
		envOf(), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--debug-addr") {
		t.Fatalf("serve with a bad --debug-addr: %v", err)
	}
}
