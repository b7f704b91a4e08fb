package app

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// releaseCodePages asks the kernel to take back this process's pages of
// its own executable: code and read-only data that start-up touched once
// (every package's initialisation, migrations, the demo) and an idle
// server does not run again. They are clean and file-backed, so nothing is
// lost: a page that is needed again is read back, usually from the page
// cache, which still holds it.
//
// The mappings are first marked for random access (MADV_RANDOM). Otherwise
// the kernel maps the 64 KiB around every page that is touched again, and
// the periodic sweeps of an idle server, whose code, function tables and
// type data are scattered over the executable, bring back about 20 MB of
// pages of which they use half. A page first touched after this costs one
// minor fault of its own instead of sharing one with its neighbours.
func releaseCodePages() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		// start-end perms offset dev inode path
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[5] != exe || f[1][1] == 'w' {
			continue
		}
		from, to, ok := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(from, 16, 64)
		end, err2 := strconv.ParseUint(to, 16, 64)
		if !ok || err1 != nil || err2 != nil || end <= start {
			continue
		}
		for _, a := range codePageAdvice {
			if _, _, errno := unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), a.advice); errno != 0 {
				return fmt.Errorf("madvise %s %s: %w", f[0], a.name, errno)
			}
		}
	}
	return sc.Err()
}

// codePageAdvice is what releaseCodePages tells the kernel, in order.
var codePageAdvice = []struct {
	advice uintptr
	name   string
}{{unix.MADV_RANDOM, "random"}, {unix.MADV_PAGEOUT, "pageout"}}
