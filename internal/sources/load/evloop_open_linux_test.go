//go:build linux

package load

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestOpenWaitFor covers how the open loop waits for its next send, at
// each bound and on both sides of it.
func TestOpenWaitFor(t *testing.T) {
	const tick = evTick
	us := time.Microsecond
	for _, c := range []struct {
		name      string
		untilSend time.Duration
		wait      time.Duration
		spinning  bool
		how       openWait
		d         time.Duration
	}{
		{"due now", 0, tick, false, waitAwake, 0},
		{"overdue", -5 * us, tick, false, waitAwake, 0},
		{"due within awakeWithin", awakeWithin, tick, false, waitAwake, 0},
		{"just past awakeWithin", awakeWithin + us, tick, false, waitDeaf, awakeWithin + us},
		{"due within deafWithin", deafWithin, tick, false, waitDeaf, deafWithin},
		{"deaf, but the tick comes first", 100 * us, 50 * us, false, waitEvents, 50 * us},
		{"past deafWithin", deafWithin + us, tick, false, waitEvents, deafWithin + us},
		{"at spinAfter", spinAfter, tick, false, waitEvents, spinAfter},
		{"past spinAfter: woken early", 3 * time.Millisecond, tick, false, waitEarly, 3*time.Millisecond - spinAhead},
		{"past spinAfter, the tick first", 3 * time.Millisecond, 2 * time.Millisecond, false, waitEvents, 2 * time.Millisecond},
		{"woken early: awake until due", spinAhead, tick, true, waitAwake, 0},
		{"woken early, a later send", spinAhead + us, tick, true, waitDeaf, spinAhead + us},
	} {
		how, d := openWaitFor(c.untilSend, c.wait, c.spinning)
		if how != c.how || d != c.d {
			t.Errorf("%s: openWaitFor(%v, %v, %v) = %d, %v; want %d, %v", c.name, c.untilSend, c.wait, c.spinning, how, d, c.how, c.d)
		}
	}
}

// fullListener is a loopback listener that never accepts, its queue full
// once a connection waits in it: later connects hang (the kernel drops
// their SYNs) until the client gives up.
func fullListener(t *testing.T) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(sa.(*unix.SockaddrInet4).Port)
}

// TestOpenLoopDialsAtOnce: against a server whose connects hang, an open
// loop at 2000/s a loop has at most dialsAtOnce connects out a loop (and
// the connection the listener's queue took), where it used to dial once
// per due send (600 a loop in the run's 0.3 s); every request sent still
// ends in one outcome, and the sends it could not make are not requests.
func TestOpenLoopDialsAtOnce(t *testing.T) {
	addr := fullListener(t)
	loops := evLoops(runtime.GOMAXPROCS(0))
	rate := 2000 * float64(loops)
	e, res, _ := runEngine(t, Options{Requests: []Request{req(t, "http://"+addr+"/")}, Rate: rate, Duration: 300 * time.Millisecond,
		Client: ClientOptions{Timeout: 500 * time.Millisecond}})
	if !e.EventLoop() {
		t.Skip("the event loops do not run here")
	}
	checkAccounting(t, e, res)
	most := int64(loops*dialsAtOnce + 2)
	if sends := int64(rate * 0.3); most > sends/2 {
		t.Fatalf("%d connects at once is too many for %d sends to tell", most, sends)
	}
	if res.Requests > most || res.Requests < int64(loops) {
		t.Fatalf("%d requests (%v) on %d loops: want 1 to %d", res.Requests, res.ErrorsByKind, loops, most)
	}
}

// TestDialCap: 16 at once, and half the open connections past 32.
func TestDialCap(t *testing.T) {
	for _, c := range []struct{ open, want int }{{0, dialsAtOnce}, {2 * dialsAtOnce, dialsAtOnce}, {2*dialsAtOnce + 2, dialsAtOnce + 1}, {1000, 500}} {
		if got := dialCap(c.open); got != c.want {
			t.Errorf("dialCap(%d) = %d, want %d", c.open, got, c.want)
		}
	}
}
