//go:build linux

package load

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/perftop/perftop/internal/crash"
)

// An event loop's connections: dialed by goroutines and adopted, requests
// written as far as the socket takes them, responses fed to each slot's
// respParser as they come.

// issue writes s's request on its connection, or dials one first.
func (l *evLoop) issue(s *evSlot, now time.Time) {
	h := l.fs.target[s.req]
	if s.fds[h] < 0 {
		l.dial(s, h)
		return
	}
	s.reused = true
	l.write(s, now)
}

// dial opens s's connection to host h on a goroutine, which hands it to
// the loop through l.dialed and the wake eventfd.
func (l *evLoop) dial(s *evSlot, h int) {
	s.state = slotDialing
	l.dialing++
	idx := (s.id - l.first) / l.stride
	deadline := s.deadline
	d := l.fs.dialers[h]
	ctx := l.e.hardCtx
	l.dials.Add(1)
	go func() {
		defer crash.Recover()
		defer l.dials.Done()
		r := dialDone{slot: idx, host: h, fd: -1}
		dctx, cancel := context.WithDeadline(ctx, deadline)
		nc, err := d.connect(dctx, &r.ph)
		cancel()
		if err == nil {
			r.fd, err = detach(nc)
		}
		r.err = err
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.closed {
			if r.fd >= 0 {
				unix.Close(r.fd)
			}
			return
		}
		l.dialed = append(l.dialed, r)
		one := [8]byte{1}
		_, _ = unix.Write(l.wake, one[:])
	}()
}

// detach takes the socket from a net.Conn for the loop: a duplicate in
// non-blocking mode, the original closed (which also drops it from the Go
// runtime's poller).
func detach(nc net.Conn) (int, error) {
	defer nc.Close()
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1, errors.New("connection has no file descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) {
		fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return -1, err
	}
	if derr != nil {
		return -1, os.NewSyscallError("dup", derr)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}

// adopt takes the connections the dialing goroutines opened.
func (l *evLoop) adopt() {
	var b [8]byte
	_, _ = unix.Read(l.wake, b[:])
	l.mu.Lock()
	done := l.dialed
	l.dialed = nil
	l.mu.Unlock()
	now := time.Now()
	for _, r := range done {
		l.dialing--
		s := l.slots[r.slot]
		s.ph.DNS, s.ph.Connect, s.ph.NewConn = r.ph.DNS, r.ph.Connect, true
		if r.err != nil {
			l.finish(s, 0, 0, r.err)
			continue
		}
		if l.rx != nil {
			stampConn(r.fd)
		}
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(r.slot), Pad: int32(r.host)}
		if err := unix.EpollCtl(l.ep, unix.EPOLL_CTL_ADD, r.fd, &ev); err != nil {
			unix.Close(r.fd)
			l.finish(s, 0, 0, os.NewSyscallError("epoll_ctl", err))
			continue
		}
		s.fds[r.host] = r.fd
		l.e.conns.Add(1)
		s.reused = false
		l.write(s, now)
	}
}

// write starts writing s's request.
func (l *evLoop) write(s *evSlot, now time.Time) {
	s.state, s.written, s.wrote = slotWriting, 0, now
	s.p.reset(l.fs.wires[s.req].head)
	l.flush(s)
}

// flush writes what is left of the request; when the socket is full it
// waits for EPOLLOUT.
func (l *evLoop) flush(s *evSlot) {
	h := l.fs.target[s.req]
	raw := s.raw
	for s.written < len(raw) {
		n, err := unix.Write(s.fds[h], raw[s.written:])
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			l.interest(s, h, true)
			return
		case err != nil:
			l.closeConn(s, h)
			if s.reused && !s.retried {
				l.retry(s)
				return
			}
			l.finish(s, 0, 0, os.NewSyscallError("write", err))
			return
		}
		s.written += n
	}
	if s.wantOut {
		l.interest(s, h, false)
	}
	s.state = slotReading
}

// interest switches EPOLLOUT on or off for s's connection to host h.
func (l *evLoop) interest(s *evSlot, h int, out bool) {
	idx := (s.id - l.first) / l.stride
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(idx), Pad: int32(h)}
	if out {
		ev.Events |= unix.EPOLLOUT
	}
	s.wantOut = out
	_ = unix.EpollCtl(l.ep, unix.EPOLL_CTL_MOD, s.fds[h], &ev)
}

// retry sends the request again on a fresh connection: the kept-alive one
// had been closed by the server while idle, as net/http retries.
func (l *evLoop) retry(s *evSlot) {
	s.retried = true
	s.ph = Phases{}
	l.dial(s, l.fs.target[s.req])
}

// stale says whether s's connection ended as a kept-alive one the server
// had closed while idle: reused, nothing of the answer came, and not yet
// retried. The server may close it (EOF) or reset it (our request arrived
// on a closed socket).
func (l *evLoop) stale(s *evSlot) bool {
	return s.reused && !s.retried && !s.p.started
}

// event handles readiness of s's connection to host h.
func (l *evLoop) event(s *evSlot, h int, events uint32) {
	if s.fds[h] < 0 {
		return // closed earlier in this batch
	}
	if !s.state.busy() || s.state == slotDialing || l.fs.target[s.req] != h {
		// An idle kept-alive connection: the server closed it, or sent
		// what nobody asked for. Either way it is done.
		l.closeConn(s, h)
		return
	}
	if s.state == slotWriting && events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0 {
		l.flush(s)
		// A failed write finished the request: the slot may be on to
		// its next one, on another connection.
		if s.fds[h] < 0 || l.fs.target[s.req] != h || (s.state != slotReading && s.state != slotWriting) {
			return
		}
	}
	if s.state == slotWriting && events&unix.EPOLLIN == 0 {
		return
	}
	// Reading, or an answer before the request was all written (a server
	// may refuse a large body early).
	l.read(s, h)
}

// read takes what the socket has of s's response.
func (l *evLoop) read(s *evSlot, h int) {
	for {
		n, err := l.readFd(s.fds[h])
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			return
		case err != nil:
			l.closeConn(s, h)
			if errors.Is(err, unix.ECONNRESET) && l.stale(s) {
				l.retry(s)
				return
			}
			l.finish(s, s.p.status, s.p.n, os.NewSyscallError("read", err))
			return
		case n == 0:
			l.closeConn(s, h)
			done, err := s.p.eof()
			if !done && l.stale(s) {
				l.retry(s)
				return
			}
			l.finish(s, s.p.status, s.p.n, err)
			return
		}
		end := time.Now()
		if l.rx != nil {
			end = l.rx.arrived(s.wrote, end)
		}
		if !s.p.started {
			s.ph.TTFB = end.Sub(s.wrote)
		}
		done, extra, err := s.p.feed(l.buf[:n])
		if err != nil || (done && (extra > 0 || !s.p.keep() || s.state == slotWriting)) {
			l.closeConn(s, h)
		}
		if err != nil || done {
			l.finishAt(s, end, s.p.status, s.p.n, err)
			return
		}
		if n < len(l.buf) {
			return // the rest comes with the next event
		}
	}
}

// readFd reads from fd into the loop's buffer: with recvmsg in open loop,
// keeping the data's receive time (rxState).
func (l *evLoop) readFd(fd int) (int, error) {
	if l.rx != nil {
		return l.rx.recv(fd, l.buf)
	}
	return unix.Read(fd, l.buf)
}

// closeConn closes s's connection to host h, if open.
func (l *evLoop) closeConn(s *evSlot, h int) {
	if fd := s.fds[h]; fd >= 0 {
		unix.Close(fd) // also leaves the epoll set: the loop holds the only descriptor
		s.fds[h] = -1
		s.wantOut = false
		l.e.conns.Add(-1)
	}
}
