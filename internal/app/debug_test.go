package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/app"
)

// TestDebugAddrServesProfilesApart: --debug-addr serves the runtime
// profiles on their own address, and the product's port never does.
func TestDebugAddrServesProfilesApart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := startServe(t, envOf(), "--debug-addr", addr)

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
