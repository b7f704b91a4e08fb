package loadgen

import (
	"os"
	"testing"
)

// TestProcessCPU: a running process's CPU time is read from /proc; a
// process that does not exist is an error, never a zero that passes for
// a measurement.
func TestProcessCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	if _, err := ProcessCPU(os.Getpid()); err != nil {
		t.Fatalf("own process: %v", err)
	}
	if d, err := ProcessCPU(0); d != 0 || err != nil {
		t.Fatalf("pid 0 = %v, %v; want 0 and no error (left out)", d, err)
	}
	if _, err := ProcessCPU(1 << 30); err == nil {
		t.Fatal("a process that does not exist read as a measurement")
	}
}
