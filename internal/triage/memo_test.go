package triage

import (
	"fmt"
	"testing"
)

func TestMemoReturnsEachKeysOwnResult(t *testing.T) {
	var m memo[string, string]
	calls := 0
	get := func(k string) string {
		return m.get(k, func() string { calls++; return "result of " + k })
	}
	if got := get("a"); got != "result of a" {
		t.Fatalf("get(a) = %q", got)
	}
	if got := get("b"); got != "result of b" {
		t.Fatalf("get(b) = %q", got)
	}
	if got := get("a"); got != "result of a" || calls != 2 {
		t.Fatalf("get(a) again = %q after %d computations, want the kept result after 2", got, calls)
	}
	for i := range memoSize {
		get(fmt.Sprint(i))
	}
	if got := get("a"); got != "result of a" || calls != 3+memoSize {
		t.Fatalf("get(a) after %d other keys = %q after %d computations, want it computed again", memoSize, got, calls)
	}
}
