package app_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var storedOnce = regexp.MustCompile(`stored once: (\d+) of (\d+) events answered 2xx were answered DUPLICATE`)

// TestBenchIngest runs `vendorsync bench ingest` against the server, with
// an ingest key and with signed deliveries, some events sent twice: it
// reports its figures and proves every 2xx'd event is stored once.
func TestBenchIngest(t *testing.T) {
	eachEngine(t, func(t *testing.T, dbURL string) {
		env := envOf("VENDORSYNC_DATABASE_URL", dbURL)
		dir := t.TempDir()
		s := startServe(t, env, "--data-dir", dir)
		admin, key, vendorID := ingestVendor(t, dir, env, s.URL)
		var sec struct {
			Value string `json:"value"`
		}
		api(t, http.MethodPost, s.URL+"/api/v1/ingest/vendors/"+vendorID+"/secrets", admin, nil, &sec)
		for _, creds := range [][]string{{"--key", key}, {"--secret", sec.Value, "--tenant", "default"}} {
			var out bytes.Buffer
			args := append([]string{"bench", "ingest", "--url", s.URL, "--vendor", "vendorA", "--duration", "1500ms",
				"--concurrency", "8", "--rate", "300", "--dup-ratio", "0.2", "--size", "1KiB"}, creds...)
			if err := runCLI(dir, env, &out, args...); err != nil {
				t.Fatalf("bench %s: %v\n%s", creds[0], err, out.String())
			}
			m := storedOnce.FindStringSubmatch(out.String())
			if m == nil || m[1] != m[2] || m[1] == "0" {
				t.Fatalf("bench %s did not prove storage:\n%s", creds[0], out.String())
			}
			for _, want := range []string{"achieved:", "p99", "200 DUPLICATE", "offered:    300 events/s"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("bench %s output lacks %q:\n%s", creds[0], want, out.String())
				}
			}
			checked, _ := strconv.Atoi(m[1])
			t.Logf("%s: %d events checked\n%s", creds[0], checked, out.String())
		}
	})
}

// TestBenchIngestBadFlags: bad flags are refused with the flag named,
// before anything is sent.
func TestBenchIngestBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--url", "localhost:8080", "--key", "k", "--vendor", "v"}, "--url"},
		{[]string{"--url", "http://127.0.0.1:1", "--vendor", "v"}, "--key"},
		{[]string{"--url", "http://127.0.0.1:1", "--key", "k", "--vendor", "v", "--size", "huge"}, "--size"},
		{[]string{"--url", "http://127.0.0.1:1", "--key", "k", "--vendor", "v", "--dup-ratio", "1.5"}, "--dup-ratio"},
		{[]string{"--url", "http://127.0.0.1:1", "--secret", "whsec_AAAA", "--vendor", "v"}, "--tenant"},
		{[]string{"--url", "http://127.0.0.1:1", "--key", "k", "--vendor", "v", "--concurrency", "0"}, "--concurrency"},
	} {
		var out bytes.Buffer
		err := runCLI(dir, envOf(), &out, append([]string{"bench", "ingest"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error()+out.String(), c.want) {
			t.Errorf("bench ingest %v: %v\n%s; want an error naming %s", c.args, err, out.String(), c.want)
		}
	}
}
