package web_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWebDependsOnDomainServicesOnly keeps the web layer cut loose from
// storage and the job queue: handlers reach data only through domain
// services, so neither the SQL store, the queue adapter nor River may be
// among its dependencies, even indirectly.
func TestWebDependsOnDomainServicesOnly(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{"/internal/sqlstore", "/internal/jobs", "github.com/riverqueue/"}
	for pkg := range strings.FieldsSeq(string(out)) {
		for _, f := range forbidden {
			if strings.Contains(pkg, f) {
				t.Errorf("web depends on %s", pkg)
			}
		}
	}
}
