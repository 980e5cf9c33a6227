//go:build linux

package load

import (
	"net"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// rxPair is a loopback TCP connection: the client's descriptor (a
// duplicate, non-blocking, as the event loops hold theirs) and the
// server's end.
func rxPair(t *testing.T) (int, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	fd := -1
	if err := raw.Control(func(f uintptr) { fd, err = unix.Dup(int(f)) }); err != nil || fd < 0 {
		t.Fatal(err)
	}
	c.Close()
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd); srv.Close() })
	return fd, srv
}

// recvWait reads from fd until something comes or 2 s pass.
func recvWait(rx *rxState, fd int, buf []byte) (int, error) {
	for deadline := time.Now().Add(2 * time.Second); ; {
		n, err := rx.recv(fd, buf)
		if err != unix.EAGAIN || time.Now().After(deadline) {
			return n, err
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRecvKeepsArrival: with stamps asked for, recv reads the data and
// gives the time the kernel received it, not the time it was read; without,
// no time; arrived falls back to now for a stamp outside the request.
// (The kernel turns its receive stamps on a moment after the first socket
// asks, so the first answers of a run may come unstamped and are timed at
// the read: the test sends until one is stamped.)
func TestRecvKeepsArrival(t *testing.T) {
	buf := make([]byte, 4096)
	fd, srv := rxPair(t)
	stampConn(fd)
	var rx rxState
	var sent, read time.Time
	for try := 0; try < 40 && rx.at.IsZero(); try++ {
		sent = time.Now()
		if _, err := srv.Write([]byte("HTTP/1.1 200 OK\r\n")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // the answer waits in the kernel
		n, err := recvWait(&rx, fd, buf)
		read = time.Now()
		if err != nil || string(buf[:n]) != "HTTP/1.1 200 OK\r\n" {
			t.Fatalf("read %q, %v", buf[:max(n, 0)], err)
		}
	}
	if rx.at.IsZero() {
		t.Fatal("no answer in 40 came with the kernel's receive time")
	}
	if rx.at.Before(sent.Add(-time.Millisecond)) || read.Sub(rx.at) < 40*time.Millisecond {
		t.Fatalf("stamp %v: sent at %v, read at %v (%v after the stamp), want the arrival, before the wait",
			rx.at, sent, read, read.Sub(rx.at))
	}
	if got := rx.arrived(sent.Add(-time.Millisecond), read); !got.Equal(rx.at) {
		t.Fatalf("arrived %v, want the stamp %v", got, rx.at)
	}
	if got := rx.arrived(read.Add(time.Second), read.Add(2*time.Second)); !got.Equal(read.Add(2 * time.Second)) {
		t.Fatalf("a stamp before the write: arrived %v, want now", got)
	}
	// EOF reads as read(2)'s.
	srv.Close()
	if n, err := recvWait(&rx, fd, buf); n != 0 || err != nil {
		t.Fatalf("after the server closed: %d, %v; want 0, nil", n, err)
	}

	// Without stamps asked for: no time, and arrived is now.
	fd, srv = rxPair(t)
	if _, err := srv.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if n, err := recvWait(&rx, fd, buf); n != 1 || err != nil || !rx.at.IsZero() {
		t.Fatalf("unstamped: %d, %v, stamp %v", n, err, rx.at)
	}
	now := time.Now()
	if got := rx.arrived(now.Add(-time.Second), now); !got.Equal(now) {
		t.Fatalf("without a stamp arrived is %v, want now %v", got, now)
	}
	if _, err := rx.recv(-1, buf); err != syscall.EBADF {
		t.Fatalf("a bad descriptor: %v, want EBADF", err)
	}
}
