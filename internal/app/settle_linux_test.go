package app

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// After start-up, the executable's read-only mappings are marked for
// random access, so that pages touched again come back one by one rather
// than with their 64 KiB neighbourhood.
func TestReleaseCodePagesMarksExecutableRandom(t *testing.T) {
	if err := releaseCodePages(); err != nil {
		t.Fatalf("releaseCodePages: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var mapping string // the current mapping when it is the executable's, read-only
	checked := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 6 && strings.Contains(fields[0], "-") && fields[5] == exe && fields[1][1] != 'w':
			mapping = line
		case len(fields) >= 5 && strings.Contains(fields[0], "-"):
			mapping = "" // another mapping's header
		case mapping != "" && fields[0] == "VmFlags:":
			if !strings.Contains(" "+strings.Join(fields[1:], " ")+" ", " rr ") {
				t.Errorf("mapping %q: flags %v, want rr (random read)", mapping, fields[1:])
			}
			checked++
			mapping = ""
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatalf("no read-only mapping of %s found in /proc/self/smaps", exe)
	}
}
