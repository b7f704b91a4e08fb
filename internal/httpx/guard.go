package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrAddressNotAllowed is what a connection to an address the outbound
// policy refuses fails with.
var ErrAddressNotAllowed = errors.New("the address is not allowed by the outbound policy")

// AddressPolicy is which addresses integrations may connect to. Link-local
// addresses (cloud metadata services among them), unspecified, multicast
// and broadcast addresses are always refused. Everything else — loopback
// and private ranges included, where self-hosted Jira, IMAP or an ERP
// live — is allowed, unless Allow is set (then only addresses in Allow)
// or the address is in Deny.
type AddressPolicy struct {
	Allow, Deny []netip.Prefix
}

// neverAllowed are refused whatever the policy says: link-local (IPv4
// 169.254.0.0/16 holds the AWS, GCP and Azure metadata service), the AWS
// IPv6 metadata address and Alibaba Cloud's metadata address.
var neverAllowed = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("fd00:ec2::254/128"),
	netip.MustParsePrefix("100.100.100.200/32"),
}

// policy is the process's outbound address policy, set once at start.
var policy atomic.Pointer[AddressPolicy]

// SetAddressPolicy sets the outbound address policy of the process (the
// program does it once at start, from configuration).
func SetAddressPolicy(p AddressPolicy) { policy.Store(&p) }

// ParsePrefixes reads a comma-separated list of CIDR prefixes or single
// addresses ("10.0.0.0/8, 192.168.1.10").
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// CheckAddress says whether the outbound policy lets integrations connect
// to ip.
func CheckAddress(ip netip.Addr) error {
	ip = ip.Unmap()
	in := func(ps []netip.Prefix) bool {
		for _, p := range ps {
			if p.Contains(ip) {
				return true
			}
		}
		return false
	}
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() ||
		ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || in(neverAllowed) {
		return ErrAddressNotAllowed
	}
	if p := policy.Load(); p != nil {
		if in(p.Deny) || (len(p.Allow) > 0 && !in(p.Allow)) {
			return ErrAddressNotAllowed
		}
	}
	return nil
}

// Control is a net.Dialer Control function that applies the outbound
// policy to the address actually dialled, after name resolution, so a name
// that resolves differently later (DNS rebinding) cannot slip through.
// Integrations that dial themselves (IMAP, SMTP) use it too.
func Control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, address)
	}
	if err := CheckAddress(ap.Addr()); err != nil {
		return fmt.Errorf("%w: %s", err, ap.Addr())
	}
	return nil
}

// Dialer is a net.Dialer that applies the outbound policy.
func Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: Control}
}

// guarded is http.DefaultTransport with the outbound policy on its dialer:
// the base every Transport uses unless given another.
var guarded = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = Dialer(30 * time.Second).DialContext
	return t
}()

// CheckHost resolves host and applies the outbound policy to every address
// it names, for clients that cannot take our dialer. A name that resolves
// to nothing is left to the client to report.
func CheckHost(ctx context.Context, host string) error {
	if a, err := netip.ParseAddr(host); err == nil {
		if err := CheckAddress(a); err != nil {
			return fmt.Errorf("%w: %s", err, a)
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if err := CheckAddress(a); err != nil {
			return fmt.Errorf("%w: %s resolves to %s", err, host, a)
		}
	}
	return nil
}

// nonPublic are the ranges, beyond what CheckAddress always refuses, that a
// tenant-typed endpoint (a webhook subscription) may not reach unless the
// operator allows private targets: loopback, private networks, shared
// address space (carrier-grade NAT), unique-local IPv6 and the
// documentation and benchmarking ranges.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("fc00::/7"),
}

// CheckPublicAddress applies CheckAddress and also refuses loopback and
// private addresses: for endpoints a tenant types in, which must not reach
// the operator's own network unless the operator says so.
func CheckPublicAddress(ip netip.Addr) error {
	if err := CheckAddress(ip); err != nil {
		return err
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() {
		return ErrAddressNotAllowed
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return ErrAddressNotAllowed
		}
	}
	return nil
}

// publicControl is Control with CheckPublicAddress.
func publicControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, address)
	}
	if err := CheckPublicAddress(ap.Addr()); err != nil {
		return fmt.Errorf("%w: %s", err, ap.Addr())
	}
	return nil
}

// TargetTransport returns a base transport for endpoints a tenant types in:
// with allowPrivate, the outbound policy every integration has; without,
// loopback and private addresses are refused too, checked on the address
// actually dialled.
func TargetTransport(allowPrivate bool) *http.Transport {
	if allowPrivate {
		return guarded.Clone()
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: publicControl}).DialContext
	return t
}

// CheckTarget resolves host and checks every address it names as
// TargetTransport would, so a tenant learns when saving an endpoint that it
// will be refused. A name that resolves to nothing passes (it may resolve
// later; the dialer checks again).
func CheckTarget(ctx context.Context, host string, allowPrivate bool) error {
	check := CheckPublicAddress
	if allowPrivate {
		check = CheckAddress
	}
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		if err := check(a); err != nil {
			return fmt.Errorf("%w: %s", err, a)
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil // the name may resolve later; the dialer checks what it dials
	}
	for _, a := range addrs {
		if err := check(a); err != nil {
			return fmt.Errorf("%w: %s resolves to %s", err, host, a)
		}
	}
	return nil
}
