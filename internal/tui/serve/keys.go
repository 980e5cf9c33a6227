package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// maxKeysFile bounds the size of an authorized_keys file read: ten
// thousand RSA keys fit.
const maxKeysFile = 16 << 20

// AuthorizedKey is one line of an authorized_keys file with the options
// that apply to a dashboard, honoured as OpenSSH's sshd honours them. The
// zero value is a key that may never log in (it has no Key).
type AuthorizedKey struct {
	Key     gossh.PublicKey // nil when the line is not a key
	Comment string
	// Source is where the line was read, "file:line", for log lines.
	Source string
	// From is the from= pattern list ("" allows every address), matched as
	// sshd does: addresses, CIDR blocks, * and ? wildcards, ! negation.
	From string
	// Expiry is the expiry-time= (the earliest when given twice): the key
	// may not log in after it. Zero never expires.
	Expiry time.Time
	// NoTouchRequired is no-touch-required: a FIDO key's signature need
	// not prove that its user touched it.
	NoTouchRequired bool
	// Refused says why the line may never log in: an option perftop
	// cannot honour (command=, no-pty, cert-authority, verify-required, an
	// unknown or malformed option) or a line that is not a key. It is
	// logged when the server starts and with every denial it causes.
	Refused string
}

// LoadKeys reads an authorized_keys file, refusing, as sshd's StrictModes
// does, a file (or a directory above it) that others could change. A file
// without any key is an error, as is one whose every key is refused: either
// would lock everyone out.
func LoadKeys(path string) ([]AuthorizedKey, error) {
	f, err := openPrivate(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeysFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKeysFile {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, maxKeysFile>>20)
	}
	keys := ParseKeys(data, path)
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s has no public keys", path)
	}
	for _, k := range keys {
		if k.Refused == "" {
			return keys, nil
		}
	}
	return nil, fmt.Errorf("%s has no usable public keys: %s: %s", path, keys[0].Source, keys[0].Refused)
}

// ParseKeys parses the lines of an authorized_keys file called name.
// Blank lines and comments are skipped; any other line is one entry, with
// Refused set when it may never log in.
func ParseKeys(data []byte, name string) []AuthorizedKey {
	var out []AuthorizedKey
	for n := 1; len(data) > 0; n++ {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		line = bytes.TrimSpace(bytes.TrimSuffix(line, []byte{'\r'}))
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k := AuthorizedKey{Source: fmt.Sprintf("%s:%d", name, n)}
		key, comment, opts, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			k.Refused = "not a public key"
			out = append(out, k)
			continue
		}
		k.Key, k.Comment = key, comment
		if err := k.parseOptions(opts); err != nil {
			k.Refused = err.Error()
		}
		out = append(out, k)
	}
	return out
}

// parseOptions applies a line's options in order, as sshd's
// sshauthopt_parse: restrict turns the pty off, a later pty turns it back
// on. What perftop never offers (forwarding, agents, X11, user rc files,
// environments, tunnels) is honoured by not offering it.
func (k *AuthorizedKey) parseOptions(opts []string) error {
	pty, from := true, false
	for _, o := range opts {
		name, value, hasValue := strings.Cut(o, "=")
		name = strings.ToLower(name)
		if hasValue {
			v, err := dequote(value)
			if err != nil {
				return fmt.Errorf("option %s: %w", name, err)
			}
			value = v
		}
		switch {
		case !hasValue && name == "restrict":
			pty = false
		case !hasValue && name == "pty":
			pty = true
		case !hasValue && name == "no-pty":
			pty = false
		case !hasValue && name == "cert-authority":
			return errors.New("cert-authority is not supported: perftop accepts plain keys, not certificates")
		case !hasValue && name == "verify-required":
			return errors.New("verify-required is not supported: perftop cannot check FIDO user verification")
		case !hasValue && name == "no-touch-required":
			k.NoTouchRequired = true
		case !hasValue && name == "touch-required":
			k.NoTouchRequired = false
		case !hasValue && isForwardingFlag(name):
		case hasValue && name == "command":
			return errors.New("command= is not supported: perftop cannot run a forced command")
		case hasValue && name == "from":
			if from {
				return errors.New("from= given twice")
			}
			if err := checkFromList(value); err != nil {
				return fmt.Errorf("from=%q: %w", value, err)
			}
			k.From, from = value, true
		case hasValue && name == "expiry-time":
			t, err := parseExpiry(value)
			if err != nil {
				return fmt.Errorf("expiry-time=%q: %w", value, err)
			}
			if k.Expiry.IsZero() || t.Before(k.Expiry) {
				k.Expiry = t
			}
		case hasValue && (name == "principals" || name == "environment" || name == "permitopen" ||
			name == "permitlisten" || name == "tunnel"):
		default:
			return fmt.Errorf("unknown option %q", o)
		}
	}
	if !pty {
		return errors.New("no-pty (or restrict without pty): the dashboard needs a terminal")
	}
	return nil
}

// isForwardingFlag reports the flags about what perftop never offers.
func isForwardingFlag(name string) bool {
	switch strings.TrimPrefix(name, "no-") {
	case "port-forwarding", "agent-forwarding", "x11-forwarding", "user-rc":
		return true
	}
	return false
}

// dequote is sshd's opt_dequote: a value in double quotes, in which \"
// stands for a quote.
func dequote(v string) (string, error) {
	if v == "" || v[0] != '"' {
		return "", errors.New("missing start quote")
	}
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		switch {
		case v[i] == '"':
			if i != len(v)-1 {
				return "", errors.New("text after the end quote")
			}
			return b.String(), nil
		case v[i] == '\\' && i+1 < len(v) && v[i+1] == '"':
			b.WriteByte('"')
			i++
		default:
			b.WriteByte(v[i])
		}
	}
	return "", errors.New("missing end quote")
}

// parseExpiry is OpenSSH's parse_absolute_time: YYYYMMDD, YYYYMMDDHHMM or
// YYYYMMDDHHMMSS in local time, or in UTC with a Z or UTC suffix.
func parseExpiry(s string) (time.Time, error) {
	loc := time.Local
	switch {
	case len(s) > 1 && strings.EqualFold(s[len(s)-1:], "z"):
		s, loc = s[:len(s)-1], time.UTC
	case len(s) > 3 && strings.EqualFold(s[len(s)-3:], "utc"):
		s, loc = s[:len(s)-3], time.UTC
	}
	layout := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}[len(s)]
	if layout == "" {
		return time.Time{}, errors.New("want YYYYMMDD[HHMM[SS]]")
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}, errors.New("want YYYYMMDD[HHMM[SS]]")
	}
	return t, nil
}

// Check reports why the key may not log in from addr at now, or nil when
// it may.
func (k AuthorizedKey) Check(addr net.Addr, now time.Time) error {
	if k.Refused != "" {
		return fmt.Errorf("%s: %s", k.Source, k.Refused)
	}
	if !k.Expiry.IsZero() && now.After(k.Expiry) {
		return fmt.Errorf("%s: the key expired at %s", k.Source, k.Expiry.Format("2006-01-02 15:04:05 -0700"))
	}
	if k.From != "" {
		ip, ok := addrIP(addr)
		if !ok {
			return fmt.Errorf("%s: from=%q and the address is not IP", k.Source, k.From)
		}
		if ok, err := matchFrom(ip, k.From); err != nil || !ok {
			return fmt.Errorf("%s: %s is not in from=%q", k.Source, ip, k.From)
		}
	}
	return nil
}

// addrIP is the IP address of a TCP address.
func addrIP(a net.Addr) (netip.Addr, bool) {
	switch a := a.(type) {
	case *net.TCPAddr:
		ip, ok := netip.AddrFromSlice(a.IP)
		return ip.Unmap().WithZone(a.Zone), ok
	case nil:
		return netip.Addr{}, false
	}
	ap, err := netip.ParseAddrPort(a.String())
	return ap.Addr().Unmap(), err == nil
}
