package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// serveDebug serves the Go runtime's profiles on their own listener when
// --debug-addr is set, so that where a running server spends its time (CPU,
// waiting on locks and channels, goroutines) can be read with `go tool pprof`
// without rebuilding it. The profiles are on a separate address, never on
// the product's port, because they are unauthenticated.
func (c ServeCmd) serveDebug(ctx context.Context, e *env) error {
	if c.DebugAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", c.DebugAddr)
	if err != nil {
		return fmt.Errorf("--debug-addr %s: %w", c.DebugAddr, err)
	}
	// Sampled waits, cheap enough for a server being profiled: one block
	// event per 100 µs spent blocked, one mutex contention event in 10.
	runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	runtime.SetMutexProfileFraction(10)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	e.log.InfoContext(ctx, "runtime profiles served", "addr", ln.Addr().String(), "path", "/debug/pprof/")
	return nil
}
