package serve

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// dialTCP opens a raw TCP connection that says nothing unless told to.
func dialTCP(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readToEOF reads what the server sends until it closes the connection;
// the deadline only bounds a failing test.
func readToEOF(t *testing.T, c net.Conn) []byte {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("the server did not close the connection: %v", err)
	}
	return b
}

// stalledClient is an x/crypto/ssh client that stops before it
// authenticates: its key callback waits until released.
func stalledClient(t *testing.T, addr string) (release func(), done <-chan error) {
	stop := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
			User: "mallory",
			Auth: []gossh.AuthMethod{gossh.PublicKeysCallback(func() ([]gossh.Signer, error) {
				<-stop
				return nil, errors.New("released")
			})},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		})
		if err == nil {
			c.Close()
		}
		errs <- err
	}()
	var released bool
	release = func() {
		if !released {
			released = true
			close(stop)
		}
	}
	t.Cleanup(release)
	return release, errs
}

// waitFor waits for cond; the deadline only bounds a failing test.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLoginGraceAndMaxStartups: connections that never log in (silent TCP,
// a client that stops after its version, an SSH client that stops before
// authenticating) are held at most the grace time; while MaxStartups of
// them are logging in, more are closed at once, before the server's
// version, an authorized client too; once they are gone it gets in, and
// the grace time does not touch it.
func TestLoginGraceAndMaxStartups(t *testing.T) {
	key := newSigner(t)
	log := &syncLog{}
	const grace = 400 * time.Millisecond
	addr, _, srv := server(t, Options{Authorized: plain(key.PublicKey()), LoginGrace: grace, MaxStartups: 3, Log: log}, nil)
	start := time.Now()
	silent := dialTCP(t, addr)
	versionOnly := dialTCP(t, addr)
	if _, err := io.WriteString(versionOnly, "SSH-2.0-stalled\r\n"); err != nil {
		t.Fatal(err)
	}
	release, stalled := stalledClient(t, addr)
	waitUntil(t, "three connections logging in", func() bool { return srv.gate.inGate() == 3 })

	extra := dialTCP(t, addr)
	if b := readToEOF(t, extra); len(b) != 0 {
		t.Fatalf("a fourth connection got %q; want it closed before the server's version", b)
	}
	if c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "alice", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}); err == nil {
		c.Close()
		t.Fatal("a client got in past MaxStartups")
	}
	log.waitLog(t, "refused 127.0.0.1:")
	log.waitLog(t, "3 connections are logging in already")

	if b := readToEOF(t, silent); !strings.HasPrefix(string(b), "SSH-2.0-") {
		t.Fatalf("the silent connection got %q", b)
	}
	if b := readToEOF(t, versionOnly); !strings.HasPrefix(string(b), "SSH-2.0-") {
		t.Fatalf("the connection that sent its version got %q", b)
	}
	waitUntil(t, "the gate empty", func() bool { return srv.gate.inGate() == 0 })
	if held := time.Since(start); held < grace {
		t.Fatalf("closed after %v, before the grace time %v", held, grace)
	}
	release()
	if err := <-stalled; err == nil {
		t.Fatal("the stalled client logged in")
	}
	if n := strings.Count(log.String(), "not logged in within 400ms"); n != 3 {
		t.Fatalf("%d grace closes logged; want 3:\n%s", n, log.String())
	}

	v, err := connect(t, addr, gossh.PublicKeys(key), 100, 30, true)
	if err != nil {
		t.Fatalf("the authorized client, once the others were gone: %v", err)
	}
	v.waitFor("Overview")
	time.Sleep(2 * grace) // past the grace: a viewer that logged in stays
	v.reset()
	v.keys("?")
	v.waitFor("show/hide this help")
	if strings.Count(log.String(), "not logged in within") != 3 {
		t.Fatalf("a viewer was closed by the grace time:\n%s", log.String())
	}
}

// TestGateLeavesOnFailure: a connection whose login fails, or that logs
// in, leaves the gate: more clients than MaxStartups log in one after
// another.
func TestGateLeavesOnFailure(t *testing.T) {
	key, stranger := newSigner(t), newSigner(t)
	addr, _, srv := server(t, Options{Authorized: plain(key.PublicKey()), MaxStartups: 2, MaxSessions: 8}, nil)
	for i := 0; i < 5; i++ {
		if _, err := connect(t, addr, gossh.PublicKeys(stranger), 80, 24, false); err == nil {
			t.Fatal("a stranger got in")
		}
		v, err := connect(t, addr, gossh.PublicKeys(key), 80, 24, false)
		if err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
		v.close()
	}
	waitUntil(t, "the gate empty", func() bool { return srv.gate.inGate() == 0 })
}

// TestShutdownClosesConnectionsLoggingIn: the server's end closes the
// connections that have not logged in, which the SSH server's Close does
// not reach, without waiting for their grace time.
func TestShutdownClosesConnectionsLoggingIn(t *testing.T) {
	key := newSigner(t)
	addr, _, srv, stop := startServer(t, Options{Authorized: plain(key.PublicKey()), LoginGrace: time.Hour}, nil)
	silent := dialTCP(t, addr)
	release, stalled := stalledClient(t, addr)
	defer release()
	waitUntil(t, "two connections logging in", func() bool { return srv.gate.inGate() == 2 })
	stop()
	readToEOF(t, silent)
	release()
	if err := <-stalled; err == nil {
		t.Fatal("the stalled client logged in")
	}
}
