package serve

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// The from= option of an authorized_keys line, matched as OpenSSH's sshd
// does with UseDNS off (its default): the client's address is matched both
// as an address (addr_match_list: CIDR blocks, exact addresses, wildcards)
// and as a host name (match_hostname: wildcards, case-insensitive), and a
// negated pattern that matches either way denies at once.

// errBadPattern is a from= list that sshd would refuse: an empty entry, a
// mask too long for its address, or a network with host bits set.
var errBadPattern = errors.New("bad from= pattern")

// matchFrom reports whether the client at ip may use a key whose from=
// list is list, as match_host_and_ip(ip, ip, list) == 1. An IPv4 address
// mapped into IPv6 is matched as IPv4, as sshd normalises it.
func matchFrom(ip netip.Addr, list string) (bool, error) {
	// A malformed list is refused whatever the address: sshd's search
	// stops at the first negated match and would never see a bad entry
	// after it (found by FuzzMatchFrom: "!*," matched 0.0.0.0 without an
	// error, though the list is refused when the keys are loaded).
	if err := checkFromList(list); err != nil {
		return false, err
	}
	ip = ip.Unmap()
	mip, err := addrMatchList(ip, list)
	if err != nil {
		return false, err
	}
	if mip < 0 {
		return false, nil
	}
	mhost := matchPatternList(strings.ToLower(ip.String()), list, true)
	if mhost < 0 || mhost == 0 && mip == 0 {
		return false, nil
	}
	return true, nil
}

// checkFromList reports an error for a list that addrMatchList would
// refuse for every address (sshd's addr_match_list(NULL, list)).
func checkFromList(list string) error {
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimPrefix(p, "!")
		if p == "" {
			return errBadPattern
		}
		if _, err := parseCIDR(p); err != nil && !errors.Is(err, errNotCIDR) {
			return err
		}
	}
	return nil
}

// addrMatchList is sshd's addr_match_list: 1 when an entry matches ip, -1
// when a negated one does (which ends the search), 0 when none does.
func addrMatchList(ip netip.Addr, list string) (int, error) {
	addr := ip.String()
	ret := 0
	for _, p := range strings.Split(list, ",") {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if p == "" {
			return 0, errBadPattern
		}
		var match bool
		switch pfx, err := parseCIDR(p); {
		case err == nil:
			match = pfx.Contains(ip)
		case errors.Is(err, errNotCIDR):
			match = matchPattern(addr, p)
		default:
			return 0, err
		}
		if match {
			if neg {
				return -1, nil
			}
			ret = 1
		}
	}
	return ret, nil
}

var errNotCIDR = errors.New("not an address")

// parseCIDR is sshd's addr_pton_cidr: an address with an optional mask
// length. errNotCIDR means p is to be matched as a wildcard pattern; any
// other error makes the whole list invalid, as in sshd.
func parseCIDR(p string) (netip.Prefix, error) {
	a, bits, hasMask := strings.Cut(p, "/")
	n := -1
	if hasMask {
		v, err := strconv.ParseUint(bits, 10, 8)
		if err != nil || bits == "" || bits[0] < '0' || bits[0] > '9' || v > 128 {
			return netip.Prefix{}, errNotCIDR
		}
		n = int(v)
	}
	addr, err := netip.ParseAddr(a)
	if err != nil || addr.Zone() != "" {
		return netip.Prefix{}, errNotCIDR
	}
	if n < 0 {
		n = addr.BitLen()
	}
	if n > addr.BitLen() {
		return netip.Prefix{}, errBadPattern
	}
	pfx := netip.PrefixFrom(addr, n)
	if pfx.Masked().Addr() != addr {
		return netip.Prefix{}, errBadPattern // host bits set: sshd refuses it
	}
	return pfx, nil
}

// matchPatternList is OpenSSH's match_pattern_list: 1 on a positive match,
// -1 when a negated subpattern matches, 0 otherwise. With lower, patterns
// are lower-cased first (the host must already be).
func matchPatternList(s, list string, lower bool) int {
	got := 0
	for _, p := range strings.Split(list, ",") {
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if len(p) >= 1023 { // sshd's subpattern buffer: too long never matches
			return 0
		}
		if lower {
			p = strings.ToLower(p)
		}
		if matchPattern(s, p) {
			if neg {
				return -1
			}
			got = 1
		}
	}
	return got
}

// matchPattern reports whether s matches the whole of pattern, in which
// '*' stands for any run of bytes and '?' for any one byte (OpenSSH's
// match_pattern). It backtracks only to the last '*', so it is linear in
// practice and never exponential.
func matchPattern(s, pattern string) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			si++
			pi++
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			mark++
			si, pi = mark, star+1
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}
