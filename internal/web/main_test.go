package web_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs up to four tests at once unless -parallel says otherwise:
// the tests spend most of their time waiting on their own databases, not
// on the CPU, so the default of one test per core leaves the machine idle.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "4") // the flag exists: testing registered it
	}
	os.Exit(m.Run())
}
