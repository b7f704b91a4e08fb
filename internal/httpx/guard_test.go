package httpx_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// withPolicy sets the outbound policy for one test.
func withPolicy(t *testing.T, allow, deny string) {
	t.Helper()
	a, err := httpx.ParsePrefixes(allow)
	if err != nil {
		t.Fatal(err)
	}
	d, err := httpx.ParsePrefixes(deny)
	if err != nil {
		t.Fatal(err)
	}
	httpx.SetAddressPolicy(httpx.AddressPolicy{Allow: a, Deny: d})
	t.Cleanup(func() { httpx.SetAddressPolicy(httpx.AddressPolicy{}) })
}

func TestCheckAddress(t *testing.T) {
	for _, tc := range []struct {
		allow, deny, addr string
		ok                bool
	}{
		{"", "", "169.254.169.254", false}, // AWS, GCP, Azure metadata
		{"", "", "::ffff:169.254.169.254", false},
		{"", "", "169.254.10.1", false},
		{"", "", "fe80::1", false},
		{"", "", "fd00:ec2::254", false},
		{"", "", "100.100.100.200", false},
		{"", "", "0.0.0.0", false},
		{"", "", "::", false},
		{"", "", "224.0.0.1", false},
		{"", "", "255.255.255.255", false},
		{"", "", "127.0.0.1", true}, // self-hosted Jira on the same host
		{"", "", "::1", true},
		{"", "", "10.1.2.3", true},
		{"", "", "192.168.1.20", true},
		{"", "", "203.0.113.7", true},
		{"", "10.0.0.0/8", "10.1.2.3", false},
		{"", "10.0.0.0/8", "192.168.1.20", true},
		{"203.0.113.0/24, 127.0.0.1", "", "203.0.113.7", true},
		{"203.0.113.0/24, 127.0.0.1", "", "127.0.0.1", true},
		{"203.0.113.0/24, 127.0.0.1", "", "10.1.2.3", false},
		{"0.0.0.0/0", "", "169.254.169.254", false}, // never, whatever the allow list
	} {
		withPolicy(t, tc.allow, tc.deny)
		err := httpx.CheckAddress(netip.MustParseAddr(tc.addr))
		if (err == nil) != tc.ok {
			t.Errorf("allow %q deny %q: CheckAddress(%s) = %v, want allowed %v", tc.allow, tc.deny, tc.addr, err, tc.ok)
		}
	}
	if _, err := httpx.ParsePrefixes("10.0.0.0/8, nonsense"); err == nil {
		t.Error("a bad prefix was accepted")
	}
}

// TestMetadataAddressRefused: a client built by NewClient never connects to
// a cloud metadata address, and says why.
func TestMetadataAddressRefused(t *testing.T) {
	c := httpx.NewClient("jira", httpx.Policy{AttemptTimeout: 2 * time.Second, MaxRetries: -1})
	resp, err := c.Get("http://169.254.169.254/latest/meta-data/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("the metadata address was reached")
	}
	he := httpx.CallError(context.Background(), "jira", "test connection", err)
	if he.Code != httpx.CodeAddressNotAllowed || !errors.Is(err, httpx.ErrAddressNotAllowed) {
		t.Fatalf("err = %v (%#v)", err, he)
	}
	if !strings.Contains(he.Explain(), "not allowed") {
		t.Errorf("explain = %q", he.Explain())
	}
	if err := httpx.Control("tcp", "[fe80::1]:443", nil); !errors.Is(err, httpx.ErrAddressNotAllowed) {
		t.Errorf("Control(fe80::1) = %v", err)
	}
	if err := httpx.CheckHost(context.Background(), "169.254.169.254"); err == nil {
		t.Error("CheckHost let the metadata address through")
	}
}

// TestUnreachableIsOneAnswer: a closed port and a silent one explain alike,
// so "test connection" cannot map a network.
func TestUnreachableIsOneAnswer(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String() + "/"
	closed.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	explain := func(url string) string {
		t.Helper()
		c := httpx.NewClient("jira", httpx.Policy{AttemptTimeout: 300 * time.Millisecond, MaxRetries: -1})
		req, _ := http.NewRequest("GET", url, nil)
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s answered", url)
		}
		return httpx.CallError(context.Background(), "jira", "test connection", err).Explain()
	}
	a, b := explain(closedURL), explain("http://"+silent.Addr().String()+"/")
	if a != b {
		t.Errorf("closed port: %q\nsilent port: %q", a, b)
	}
}
