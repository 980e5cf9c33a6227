package serve

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// keyLine is an authorized_keys line for a new key, after opts.
func keyLine(t testing.TB, opts string) (gossh.Signer, string) {
	s := newSigner(t)
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
	if opts != "" {
		line = opts + " " + line
	}
	return s, line + " someone@laptop"
}

func TestParseKeys(t *testing.T) {
	local := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.Local)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		opts    string
		want    AuthorizedKey // Key, Comment and Source are not compared
		refused string        // a part of Refused, "" for none
	}{
		{opts: "", want: AuthorizedKey{}},
		{opts: `from="10.9.9.9"`, want: AuthorizedKey{From: "10.9.9.9"}},
		{opts: `FROM="10.0.0.0/8,!10.1.0.0/16,*.example.com"`, want: AuthorizedKey{From: "10.0.0.0/8,!10.1.0.0/16,*.example.com"}},
		{opts: `from="a b,c"`, want: AuthorizedKey{From: "a b,c"}},
		{opts: `expiry-time="20000101"`, want: AuthorizedKey{Expiry: local("2000-01-01 00:00:00")}},
		{opts: `expiry-time="203001021504"`, want: AuthorizedKey{Expiry: local("2030-01-02 15:04:00")}},
		{opts: `expiry-time="20300102150405"`, want: AuthorizedKey{Expiry: local("2030-01-02 15:04:05")}},
		{opts: `expiry-time="20300102Z"`, want: AuthorizedKey{Expiry: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)}},
		{opts: `expiry-time="203001021504UTC"`, want: AuthorizedKey{Expiry: time.Date(2030, 1, 2, 15, 4, 0, 0, time.UTC)}},
		{opts: `expiry-time="20400101",expiry-time="20300101"`, want: AuthorizedKey{Expiry: local("2030-01-01 00:00:00")}},
		{opts: `restrict,pty`, want: AuthorizedKey{}},
		{opts: `no-pty,pty`, want: AuthorizedKey{}},
		{opts: `pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-user-rc,port-forwarding,agent-forwarding,x11-forwarding,user-rc`},
		{opts: `restrict,pty,permitopen="localhost:80",permitlisten="8080",environment="A=b",tunnel="1",principals="alice"`},
		{opts: `no-touch-required`, want: AuthorizedKey{NoTouchRequired: true}},
		{opts: `no-touch-required,touch-required`, want: AuthorizedKey{}},
		{opts: `no-pty`, refused: "no-pty"},
		{opts: `restrict`, refused: "the dashboard needs a terminal"},
		{opts: `pty,restrict`, refused: "no-pty"},
		{opts: `command="/bin/false"`, refused: "cannot run a forced command"},
		{opts: `restrict,pty,command="perftop"`, refused: "command="},
		{opts: `cert-authority`, refused: "cert-authority is not supported"},
		{opts: `cert-authority,principals="alice"`, refused: "cert-authority"},
		{opts: `verify-required`, refused: "verify-required is not supported"},
		{opts: `no-such-option`, refused: `unknown option "no-such-option"`},
		{opts: `pty="yes"`, refused: `unknown option`},
		{opts: `from`, refused: `unknown option "from"`},
		{opts: `from=10.9.9.9`, refused: "missing start quote"},
		{opts: `from="10.9.9.9"x`, refused: "text after the end quote"},
		{opts: `from="10.9.9.9",from="10.1.1.1"`, refused: "from= given twice"},
		{opts: `from="10.0.0.1/8"`, refused: "bad from= pattern"},
		{opts: `from="10.0.0.0/33"`, refused: "bad from= pattern"},
		{opts: `from="10.0.0.0/8,,127.0.0.1"`, refused: "bad from= pattern"},
		{opts: `from="!"`, refused: "bad from= pattern"},
		{opts: `expiry-time="2030"`, refused: "want YYYYMMDD"},
		{opts: `expiry-time="20301301"`, refused: "want YYYYMMDD"},
		{opts: `expiry-time="20300101x"`, refused: "want YYYYMMDD"},
	}
	for _, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			s, line := keyLine(t, tt.opts)
			keys := ParseKeys([]byte("# a comment\n\n"+line+"\r\n"), "keys")
			if len(keys) != 1 {
				t.Fatalf("%d entries, want 1", len(keys))
			}
			got := keys[0]
			if got.Key == nil || string(got.Key.Marshal()) != string(s.PublicKey().Marshal()) || got.Comment != "someone@laptop" || got.Source != "keys:3" {
				t.Fatalf("key %v comment %q source %q", got.Key, got.Comment, got.Source)
			}
			if tt.refused != "" {
				if !strings.Contains(got.Refused, tt.refused) {
					t.Fatalf("Refused %q, want it to say %q", got.Refused, tt.refused)
				}
				return
			}
			if got.Refused != "" || got.From != tt.want.From || !got.Expiry.Equal(tt.want.Expiry) || got.NoTouchRequired != tt.want.NoTouchRequired {
				t.Fatalf("got refused %q from %q expiry %v no-touch %v, want from %q expiry %v no-touch %v",
					got.Refused, got.From, got.Expiry, got.NoTouchRequired, tt.want.From, tt.want.Expiry, tt.want.NoTouchRequired)
			}
		})
	}
}

func TestParseKeysLines(t *testing.T) {
	_, a := keyLine(t, "")
	_, b := keyLine(t, "no-pty")
	data := "# team\n" + a + "\nssh-ed25519 AAAAnotbase64\n  \n" + b + "\n"
	keys := ParseKeys([]byte(data), "team.keys")
	var got []string
	for _, k := range keys {
		got = append(got, k.Source+" "+k.Refused)
	}
	want := []string{"team.keys:2 ", "team.keys:3 not a public key", "team.keys:5 no-pty (or restrict without pty): the dashboard needs a terminal"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestCheck(t *testing.T) {
	at := func(s string) net.Addr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)) }
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		k    AuthorizedKey
		addr net.Addr
		deny string // a part of the error, "" to allow
	}{
		{"plain", AuthorizedKey{}, at("192.0.2.1:5000"), ""},
		{"refused", AuthorizedKey{Refused: "no-pty"}, at("192.0.2.1:5000"), "k:1: no-pty"},
		{"not yet expired", AuthorizedKey{Expiry: now}, at("192.0.2.1:5000"), ""},
		{"expired", AuthorizedKey{Expiry: now.Add(-time.Second)}, at("192.0.2.1:5000"), "k:1: the key expired at 2030-06-01 11:59:59"},
		{"from", AuthorizedKey{From: "192.0.2.1"}, at("192.0.2.1:5000"), ""},
		{"from elsewhere", AuthorizedKey{From: "10.9.9.9"}, at("192.0.2.1:5000"), `k:1: 192.0.2.1 is not in from="10.9.9.9"`},
		{"mapped", AuthorizedKey{From: "192.0.2.0/24"}, at("[::ffff:192.0.2.1]:5000"), ""},
		{"ipv6", AuthorizedKey{From: "2001:db8::/32"}, at("[2001:db8::7]:5000"), ""},
		{"not ip", AuthorizedKey{From: "*"}, &net.UnixAddr{Name: "/x", Net: "unix"}, "the address is not IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.k.Source = "k:1"
			err := tt.k.Check(tt.addr, now)
			if tt.deny == "" && err != nil || tt.deny != "" && (err == nil || !strings.Contains(err.Error(), tt.deny)) {
				t.Fatalf("Check: %v, want %q", err, tt.deny)
			}
		})
	}
}

// TestMatchFrom holds from= to sshd's match_host_and_ip with UseDNS off.
func TestMatchFrom(t *testing.T) {
	tests := []struct {
		ip, list string
		want     bool
		bad      bool
	}{
		{"10.9.9.9", "10.9.9.9", true, false},
		{"10.9.9.8", "10.9.9.9", false, false},
		{"127.0.0.1", "10.9.9.9", false, false},
		{"10.1.2.3", "10.0.0.0/8", true, false},
		{"11.1.2.3", "10.0.0.0/8", false, false},
		{"10.1.2.3", "0.0.0.0/0", true, false},
		{"10.1.2.3", "*", true, false},
		{"10.1.2.3", "10.1.2.?", true, false},
		{"10.1.2.34", "10.1.2.?", false, false},
		{"10.1.2.34", "10.1.*", true, false},
		{"10.1.2.3", "!10.1.2.3", false, false},
		{"10.1.2.3", "!10.1.2.3,*", false, false},
		{"10.1.2.3", "*,!10.1.2.3", false, false},
		{"10.1.2.3", "*,!10.0.0.0/8", false, false},
		{"10.1.2.3", "*,!11.0.0.0/8", true, false},
		{"10.1.2.3", "!11.0.0.0/8", false, false}, // a negation alone allows nobody
		{"10.1.2.3", "10.0.0.0/8,!10.1.*", false, false},
		{"10.1.2.3", "10.0.0.0/8,!10.2.*", true, false},
		{"10.1.2.3", "host.example.com,10.1.2.3", true, false},
		{"10.1.2.3", "*.example.com", false, false},
		{"10.1.2.3", "10.0.0.1/8", false, true},
		{"10.1.2.3", "10.0.0.0/33", false, true},
		{"10.1.2.3", "10.1.2.3,", false, true},
		{"10.1.2.3", "10.1.2.3/x", false, false}, // not CIDR: a pattern that matches nothing
		{"2001:db8::1", "2001:db8::/32", true, false},
		{"2001:db8::1", "2001:DB8::*", true, false}, // host names are matched lower-cased
		{"2001:db8::1", "*,!2001:DB8::*", false, false},
		{"2001:db8::1", "2001:db8::1/129", false, false},
		{"2001:db8::1", "10.0.0.0/8", false, false},
		{"::ffff:10.1.2.3", "10.1.2.3", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.ip+" "+tt.list, func(t *testing.T) {
			got, err := matchFrom(netip.MustParseAddr(tt.ip), tt.list)
			if got != tt.want || (err != nil) != tt.bad {
				t.Fatalf("matchFrom = %v, %v; want %v, bad %v", got, err, tt.want, tt.bad)
			}
			if (checkFromList(tt.list) != nil) != tt.bad {
				t.Fatalf("checkFromList: %v, want bad %v", checkFromList(tt.list), tt.bad)
			}
		})
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"", "", true}, {"", "*", true}, {"a", "", false}, {"abc", "abc", true}, {"abc", "ab", false},
		{"abc", "a*", true}, {"abc", "*c", true}, {"abc", "a?c", true}, {"abc", "a??c", false},
		{"abcbc", "a*bc", true}, {"abcbd", "a*bc", false}, {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "*a*a*a*a*a*a*a*a*b", false},
	}
	for _, tt := range tests {
		if got := matchPattern(tt.s, tt.p); got != tt.want {
			t.Errorf("matchPattern(%q, %q) = %v", tt.s, tt.p, got)
		}
	}
}

func FuzzParseKeys(f *testing.F) {
	_, line := keyLine(f, `from="10.0.0.0/8,!10.1.*",expiry-time="20300101",restrict,pty`)
	f.Add([]byte(line))
	f.Add([]byte(`command="a\"b",no-pty ssh-ed25519 AAAA x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, k := range ParseKeys(data, "f") {
			if k.Refused == "" && k.Key == nil {
				t.Fatalf("usable entry without a key: %+v", k)
			}
			_ = k.Check(&net.TCPAddr{IP: net.IPv4(10, 1, 2, 3)}, time.Now())
		}
	})
}

func FuzzMatchFrom(f *testing.F) {
	f.Add("10.1.2.3", "*,!10.0.0.0/8")
	f.Fuzz(func(t *testing.T, ip, list string) {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return
		}
		ok, err := matchFrom(a, list)
		if err != nil && ok {
			t.Fatal("a match with an error")
		}
		if (err != nil) != (checkFromList(list) != nil) {
			t.Fatalf("matchFrom error %v, checkFromList %v", err, checkFromList(list))
		}
	})
}

// TestLoadKeysStrictModes: files and directories others could change are
// refused, as sshd's StrictModes; a sticky directory such as /tmp passes.
func TestLoadKeysStrictModes(t *testing.T) {
	_, line := keyLine(t, "")
	write := func(t *testing.T, path string, mode os.FileMode) {
		if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string
		want  string // a part of the error, "" for none
	}{
		{"0600", func(t *testing.T, dir string) string { write(t, dir+"/k", 0o600); return dir + "/k" }, ""},
		{"0644", func(t *testing.T, dir string) string { write(t, dir+"/k", 0o644); return dir + "/k" }, ""},
		{"0666", func(t *testing.T, dir string) string { write(t, dir+"/k", 0o666); return dir + "/k" },
			"is writable by group or others (mode 0666): refused, as sshd's StrictModes would (chmod go-w "},
		{"0620", func(t *testing.T, dir string) string { write(t, dir+"/k", 0o620); return dir + "/k" }, "(mode 0620)"},
		{"open directory", func(t *testing.T, dir string) string {
			mustMkdir(t, dir+"/d", 0o777)
			write(t, dir+"/d/k", 0o600)
			return dir + "/d/k"
		}, "/d is writable by group or others (mode 0777)"},
		{"sticky directory", func(t *testing.T, dir string) string {
			mustMkdir(t, dir+"/d", 0o777|os.ModeSticky)
			write(t, dir+"/d/k", 0o600)
			return dir + "/d/k"
		}, ""},
		{"link to an open file", func(t *testing.T, dir string) string {
			write(t, dir+"/k", 0o666)
			if err := os.Symlink(dir+"/k", dir+"/link"); err != nil {
				t.Fatal(err)
			}
			return dir + "/link"
		}, "/link is writable by group or others"},
		{"link into an open directory", func(t *testing.T, dir string) string {
			mustMkdir(t, dir+"/d", 0o777)
			write(t, dir+"/d/k", 0o600)
			if err := os.Symlink(dir+"/d/k", dir+"/link"); err != nil {
				t.Fatal(err)
			}
			return dir + "/link"
		}, "/d is writable by group or others"},
		{"someone else's", func(t *testing.T, dir string) string {
			write(t, dir+"/k", 0o600)
			if os.Getuid() != 0 {
				t.Skip("only root can give a file away")
			}
			if err := os.Chown(dir+"/k", 12345, 12345); err != nil {
				t.Fatal(err)
			}
			return dir + "/k"
		}, "belongs to uid 12345, neither to you"},
		{"a directory", func(t *testing.T, dir string) string { return dir }, "is not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.setup(t, t.TempDir())
			keys, err := LoadKeys(path)
			if tt.want == "" && (err != nil || len(keys) != 1) || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("LoadKeys: %d keys, %v; want %q", len(keys), err, tt.want)
			}
		})
	}
}

func mustMkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

func TestLoadKeysRefusesAnUnusableFile(t *testing.T) {
	dir := t.TempDir()
	_, a := keyLine(t, "cert-authority")
	_, b := keyLine(t, `command="uptime"`)
	path := filepath.Join(dir, "keys")
	if err := os.WriteFile(path, []byte(a+"\n"+b+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKeys(path)
	if err == nil || !strings.Contains(err.Error(), "has no usable public keys: "+path+":1: cert-authority is not supported") {
		t.Fatalf("LoadKeys: %v", err)
	}
}
