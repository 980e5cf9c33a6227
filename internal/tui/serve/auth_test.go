package serve

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// syncLog is a server log the test reads while the server writes.
type syncLog struct {
	mu sync.Mutex // guards b
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits for text in the log; the deadline only bounds a failing
// test.
func (l *syncLog) waitLog(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(l.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", text, l.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestKeyOptions logs real clients in from 127.0.0.1 with keys under each
// authorized_keys option: what sshd would let in gets the dashboard; what
// it would not, or what perftop cannot honour, is denied with the reason,
// the file's line and the key's fingerprint in the log.
func TestKeyOptions(t *testing.T) {
	tests := []struct {
		opts string
		deny string // a part of the denial, "" to log in
	}{
		{"", ""},
		{`from="127.0.0.1"`, ""},
		{`from="10.9.9.9"`, `127.0.0.1 is not in from="10.9.9.9"`},
		{`from="127.0.0.0/8"`, ""},
		{`from="10.0.0.0/8,192.168.0.0/16"`, `127.0.0.1 is not in from=`},
		{`from="127.0.0.?"`, ""},
		{`from="127.*"`, ""},
		{`from="!127.0.0.1,*"`, `127.0.0.1 is not in from="!127.0.0.1,*"`},
		{`from="*,!127.0.0.0/8"`, `is not in from=`},
		{`from="*,!10.0.0.0/8"`, ""},
		{`from="::1,localhost"`, `is not in from=`}, // no DNS, as sshd's UseDNS no
		{`expiry-time="20000101"`, "the key expired at 2000-01-01 00:00:00"},
		{`expiry-time="29991231"`, ""},
		{`expiry-time="29991231",expiry-time="20000101"`, "the key expired at 2000-01-01"},
		{`no-pty`, "no-pty (or restrict without pty): the dashboard needs a terminal"},
		{`restrict`, "the dashboard needs a terminal"},
		{`restrict,pty`, ""},
		{`restrict,pty,from="127.0.0.1",expiry-time="29991231"`, ""},
		{`command="/bin/false"`, "command= is not supported: perftop cannot run a forced command"},
		{`cert-authority`, "cert-authority is not supported"},
		{`no-port-forwarding,no-agent-forwarding,no-X11-forwarding,permitopen="h:1"`, ""},
		{`zoom`, `unknown option "zoom"`},
		{`from="10.9.9.9",no-pty,command="/bin/false",expiry-time="20000101"`, "is not supported"},
	}
	log := &syncLog{}
	var data strings.Builder
	signers := make([]gossh.Signer, len(tests))
	for i, tt := range tests {
		var line string
		signers[i], line = keyLine(t, tt.opts)
		fmt.Fprintln(&data, line)
	}
	keys := ParseKeys([]byte(data.String()), "team.keys")
	addr, _, _ := server(t, Options{Authorized: keys, MaxSessions: 64, Log: log}, nil)
	for i, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			fp := gossh.FingerprintSHA256(signers[i].PublicKey())
			v, err := connect(t, addr, gossh.PublicKeys(signers[i]), 80, 24, true)
			if tt.deny == "" {
				if err != nil {
					t.Fatalf("denied: %v\n%s", err, log.String())
				}
				v.waitFor("Overview")
				v.close()
				return
			}
			if err == nil {
				t.Fatalf("logged in; the log:\n%s", log.String())
			}
			log.waitLog(t, "denied alice@127.0.0.1:")
			for _, l := range strings.Split(log.String(), "\n") {
				if strings.Contains(l, "denied") && strings.Contains(l, fp) {
					if want := fmt.Sprintf("team.keys:%d: ", i+1); !strings.Contains(l, want) || !strings.Contains(l, tt.deny) {
						t.Fatalf("denial %q; want %q and %q", l, want, tt.deny)
					}
					return
				}
			}
			t.Fatalf("no denial with %s in the log:\n%s", fp, log.String())
		})
	}
	// The lines that may never log in were logged when the server started.
	for _, want := range []string{"team.keys:15: key SHA256:", "team.keys:20: key SHA256:", "refused: cert-authority is not supported"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("no %q in the log:\n%s", want, log.String())
		}
	}
}

// TestKeyLines: a key on several lines logs in by the first line whose
// options allow it; a control line that does not apply leaves a viewer.
func TestKeyLines(t *testing.T) {
	s, line := keyLine(t, `from="10.9.9.9"`)
	plainLine := strings.TrimPrefix(line, `from="10.9.9.9" `)
	log := &syncLog{}
	authorized := ParseKeys([]byte(`no-pty `+plainLine+"\n"+plainLine+"\n"), "view.keys")
	control := ParseKeys([]byte(line+"\n"), "control.keys")
	addr, _, srv := server(t, Options{Authorized: authorized, Control: control, Log: log}, &fakeLoad{})
	v, err := connect(t, addr, gossh.PublicKeys(s), 100, 30, true)
	if err != nil {
		t.Fatal(err)
	}
	v.waitFor("read-only")
	if vs := srv.Viewers(); len(vs) != 1 || vs[0].Control {
		t.Fatalf("viewers %+v", vs)
	}
	log.waitLog(t, `as viewer (read-only) (its control key lines do not apply: control.keys:1: 127.0.0.1 is not in from="10.9.9.9")`)
}

// TestCertificatesRefused: a certificate is no plain key, even when signed
// by a key on a cert-authority line.
func TestCertificatesRefused(t *testing.T) {
	ca, user := newSigner(t), newSigner(t)
	cert := &gossh.Certificate{Key: user.PublicKey(), CertType: gossh.UserCert, ValidPrincipals: []string{"alice"},
		ValidBefore: gossh.CertTimeInfinity, Serial: 1}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	certSigner, err := gossh.NewCertSigner(cert, user)
	if err != nil {
		t.Fatal(err)
	}
	caLine := "cert-authority " + strings.TrimSpace(string(gossh.MarshalAuthorizedKey(ca.PublicKey())))
	log := &syncLog{}
	addr, _, _ := server(t, Options{Authorized: append(ParseKeys([]byte(caLine), "ca.keys"), plain(user.PublicKey())...), Log: log}, nil)
	log.waitLog(t, "ca.keys:1: key "+gossh.FingerprintSHA256(ca.PublicKey())+" refused: cert-authority is not supported")
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "alice", Auth: []gossh.AuthMethod{gossh.PublicKeys(certSigner)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err == nil {
		c.Close()
		t.Fatal("a certificate logged in")
	}
	log.waitLog(t, "a certificate: perftop accepts plain keys only")
	// The CA's own key is not a user key either.
	if v, err := connect(t, addr, gossh.PublicKeys(ca), 80, 24, false); err == nil {
		v.close()
		t.Fatal("the CA's key logged in")
	}
	log.waitLog(t, "ca.keys:1: cert-authority is not supported")
}

// TestClientTextInTheLog: names and terminals from a client reach the log
// on one line, without the control characters a terminal would obey.
func TestClientTextInTheLog(t *testing.T) {
	key := newSigner(t)
	log := &syncLog{}
	addr, _, srv := server(t, Options{Authorized: plain(key.PublicKey()), Log: log}, nil)
	evil := "eve\x1b]0;owned\x07\n2026-01-01 perftop ssh: login root\r"
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: evil, Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm\x1b[2J\u009b31m", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	log.waitLog(t, "login eve ]0;owned")
	if vs := srv.Viewers(); len(vs) != 1 || strings.ContainsAny(vs[0].User, "\x1b\x07\n\r") {
		t.Fatalf("viewers %+v", vs)
	}
	stranger := newSigner(t)
	if c2, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: strings.Repeat("\x1b[A", 500), Auth: []gossh.AuthMethod{gossh.PublicKeys(stranger)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}); err == nil {
		c2.Close()
		t.Fatal("a stranger logged in")
	}
	log.waitLog(t, "denied [A [A")
	for _, l := range strings.SplitAfter(log.String(), "\n") {
		if l == "" {
			continue
		}
		body := strings.TrimSuffix(l, "\n")
		if strings.ContainsFunc(body, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }) {
			t.Errorf("control characters in the log line %q", l)
		}
		if !strings.Contains(body, " perftop ssh: ") || len(body) > 400 {
			t.Errorf("log line %q", l)
		}
	}
	if !strings.Contains(log.String(), "terminal xterm [2J 31m 80x24") {
		t.Errorf("the terminal is not in the login line:\n%s", log.String())
	}
}
