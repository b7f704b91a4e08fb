package app_test

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var finalTriaged = regexp.MustCompile(`final: +(\d+) triaged; 0 still received`)

// TestBenchEmails runs `vendorsync bench emails` against a demo server, as
// a burst and one at a time: every email opens a ticket and the report
// gives the rate, the latency and the server's CPU.
func TestBenchEmails(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string) {
		env := envOf("VENDORSYNC_DATABASE_URL", dbURL)
		dir := t.TempDir()
		s := startServe(t, env, "--data-dir", dir, "--demo")
		var out bytes.Buffer
		if err := runCLI(dir, env, &out, "apikey", "create", "bench", "--role", "admin"); err != nil {
			t.Fatalf("apikey create: %v\n%s", err, out.String())
		}
		key := apiKeyLine.FindStringSubmatch(out.String())[1]
		for _, tc := range []struct {
			args []string
			sent int
			want []string
		}{
			{[]string{"--count", "21", "--concurrency", "4", "--pid", strconv.Itoa(os.Getpid())}, 21, []string{"server CPU: ", "cores over the run"}},
			{[]string{"--count", "3", "--serial"}, 3, []string{"one at a time"}},
		} {
			out.Reset()
			args := append([]string{"bench", "emails", "--url", s.URL, "--key", key}, tc.args...)
			if err := runCLI(dir, env, &out, args...); err != nil {
				t.Fatalf("bench emails %v: %v\n%s", tc.args, err, out.String())
			}
			m := finalTriaged.FindStringSubmatch(out.String())
			if m == nil || m[1] != strconv.Itoa(tc.sent) {
				t.Fatalf("bench emails %v: not every email opened a ticket:\n%s", tc.args, out.String())
			}
			for _, want := range append(tc.want, "achieved:", "p95", "errors:     0") {
				if !strings.Contains(out.String(), want) {
					t.Errorf("bench emails %v output lacks %q:\n%s", tc.args, want, out.String())
				}
			}
			t.Logf("%v:\n%s", tc.args, out.String())
		}
	})
}

// TestBenchEmailsBadFlags: bad flags are refused with the flag named,
// before anything is sent.
func TestBenchEmailsBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--url", "localhost:8080", "--key", "k"}, "--url"},
		{[]string{"--url", "http://127.0.0.1:1"}, "--key"},
		{[]string{"--url", "http://127.0.0.1:1", "--key", "k", "--count", "0"}, "--count"},
		{[]string{"--url", "http://127.0.0.1:1", "--key", "k", "--concurrency", "0"}, "--concurrency"},
		{[]string{"--url", "http://127.0.0.1:1", "--key", "k", "--pid", "-3"}, "--pid"},
		{[]string{"--url", "http://127.0.0.1:1", "--key", "k", "--timeout", "0s"}, "--timeout"},
	} {
		var out bytes.Buffer
		err := runCLI(dir, envOf(), &out, append([]string{"bench", "emails"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error()+out.String(), c.want) {
			t.Errorf("bench emails %v: %v\n%s; want an error naming %s", c.args, err, out.String(), c.want)
		}
	}
}

// TestBenchEmailsNoServer: uploads that get no answer are counted and
// make the command fail.
func TestBenchEmailsNoServer(t *testing.T) {
	var out bytes.Buffer
	err := runCLI(t.TempDir(), envOf(), &out, "bench", "emails", "--url", "http://127.0.0.1:1", "--key", "k", "--count", "2", "--timeout", "1s")
	if err == nil || !strings.Contains(out.String(), "errors:     2") {
		t.Errorf("bench emails without a server: %v\n%s", err, out.String())
	}
}
